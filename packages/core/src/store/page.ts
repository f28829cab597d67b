/** A page of a listing by id: ids sort by creation time, so pages follow creation order. */
export interface Page {
  limit: number;
  /** Exclusive lower bound on the id. */
  after?: string | undefined;
}
