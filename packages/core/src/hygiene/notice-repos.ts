/** A one-off notice: sent once per kind and subject (e.g. "expiring soon" for one key and expiry). */
export interface Notice {
  kind: string;
  subject: string;
  workspaceId: string;
  createdAt: number;
  data: Record<string, unknown>;
}

/** The storage port of notices the hygiene sweep gave, so none is given twice. */
export interface NoticeRepos {
  /** Records a notice: true the first time only. */
  recordNotice(n: Notice): Promise<boolean>;
  getNotice(kind: string, subject: string): Promise<Pick<Notice, 'createdAt' | 'data'> | undefined>;
  deleteNotice(kind: string, subject: string): Promise<void>;
}
