import type { SuspensionRecord } from './anomaly-records.js';

/** The storage port of suspensions: keys disabled by a policy or a leak report, and their undo. */
export interface SuspensionRepos {
  insertSuspension(s: SuspensionRecord): Promise<void>;
  getSuspension(id: string): Promise<SuspensionRecord | undefined>;
  /** A workspace's suspensions (`active`: not undone), newest first, at most 500. */
  listSuspensions(q: { workspaceId: string; keyId?: string | undefined; active?: boolean | undefined }): Promise<SuspensionRecord[]>;
  /** Marks a suspension undone, once: false when it was undone already. */
  markSuspensionUndone(id: string, at: number, by: string): Promise<boolean>;
}
