import type { SessionInfo } from './api.js';

/** Shows a message in the console's live region (read out by screen readers). */
export type Notify = (message: string, kind?: 'ok' | 'error') => void;

/** What every page is given. */
export interface PageProps {
  session: SessionInfo;
  notify: Notify;
  /** Reads the session again, as after a change to the workspaces the user reaches. */
  refreshSession: () => Promise<void>;
}

/** What a section about one keyspace is given, within a page. */
export interface KeyspaceSectionProps {
  keyspaceId: string;
  keyspaceName: string;
  session: SessionInfo;
  notify: Notify;
}
