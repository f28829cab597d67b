import type { PortalSettings } from './portal-settings.js';

/**
 * A portal session: made by the API with a link for one key owner of one keyspace, and opened
 * once, when the owner follows the link, which sets the session's cookie. Both the link and the
 * cookie are kept only as keyed hashes.
 */
export interface PortalSessionRecord {
  id: string;
  workspaceId: string;
  keyspaceId: string;
  ownerId: string;
  /** Where the portal's back link goes. */
  returnUrl: string;
  linkHash: string;
  /** Until when (epoch ms) the link opens the session. */
  linkExpiresAt: number;
  /** When the link was used (epoch ms); null until then. A link opens a session once. */
  openedAt: number | null;
  /** The keyed hash of the session cookie; null until the link was used. */
  sessionHash: string | null;
  /** Until when (epoch ms) the cookie holds; null until the link was used. */
  sessionExpiresAt: number | null;
  createdAt: number;
}

/** The portal's storage port: the keyspace's portal settings and the portal sessions. */
export interface PortalRepos {
  /** A keyspace's portal settings; undefined when never set. */
  getPortalSettings(keyspaceId: string): Promise<PortalSettings | undefined>;
  setPortalSettings(keyspaceId: string, settings: PortalSettings): Promise<void>;
  insertPortalSession(session: PortalSessionRecord): Promise<void>;
  /**
   * Opens the session whose link hashes to one of `linkHashes`, when the link is unused and not
   * expired at `now`: at most once, however many nodes race for it. Undefined otherwise.
   */
  openPortalSession(
    linkHashes: readonly string[],
    now: number,
    cookie: { hash: string; expiresAt: number },
  ): Promise<PortalSessionRecord | undefined>;
  /** The open session whose cookie hashes to one of `sessionHashes`, unexpired at `now`. */
  findPortalSession(sessionHashes: readonly string[], now: number): Promise<PortalSessionRecord | undefined>;
  /** Drops sessions whose link and cookie both ended before `before`; returns how many. */
  deleteEndedPortalSessions(before: number): Promise<number>;
}
