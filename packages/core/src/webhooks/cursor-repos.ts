/** The storage port of named positions (the audit feed's place in the audit log). */
export interface CursorRepos {
  getCursor(name: string): Promise<number | undefined>;
  /**
   * Moves a cursor from `from` to `to` (compare-and-set, so only one node advances it); with
   * `from` undefined, creates it unless it exists. True when this call moved it.
   */
  advanceCursor(name: string, from: number | undefined, to: number): Promise<boolean>;
}
