import { randomBytes } from 'node:crypto';
import { appendAudit, type Actor } from '../audit/audit-chain.js';
import { workspaceOf } from '../audit/actor-workspace.js';
import type { Clock } from '../clock.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import type { HashDomain } from '../custody/hash-domain.js';
import { TesseraError } from '../errors.js';
import { newId } from '../ids.js';
import type { Repos } from '../store/store.js';
import type { PortalSessionRecord } from './portal-repos.js';
import { checkReturnUrl } from './portal-settings.js';

/** How long a portal link may wait to be opened. */
export const PORTAL_LINK_MS = 5 * 60_000;
/** How long a portal session lasts once its link was opened. */
export const PORTAL_SESSION_MS = 30 * 60_000;
/** How long an ended session's row is kept (its hashes open nothing): a day. */
export const ENDED_PORTAL_SESSION_KEPT_MS = 86_400_000;
/** The most characters of an owner id: what keys accept. */
const MAX_OWNER_ID = 256;

/** What the portal acts for: one owner's keys in one keyspace. */
export interface PortalSession {
  id: string;
  workspaceId: string;
  keyspaceId: string;
  ownerId: string;
  returnUrl: string;
  expiresAt: number;
}

export interface PortalSessionsDeps {
  store: Pick<Repos, 'getKeyspace' | 'portal'> & { transaction<T>(fn: (tx: Repos) => Promise<T>): Promise<T> };
  keyring: Keyring;
  clock: Clock;
}

/**
 * Portal sessions, the way a billing portal hands over a signed-in customer: the API makes a
 * single-use link for one owner of one keyspace; following it trades the link for a session
 * cookie. Only keyed hashes of both are stored, so neither can be read back from the database.
 */
export class PortalSessions {
  constructor(private readonly deps: PortalSessionsDeps) {}

  /** A new session's link token, for the owner to follow within {@link PORTAL_LINK_MS}. */
  async create(
    actor: Actor,
    input: { ownerId: string; keyspaceId: string; returnUrl: string },
  ): Promise<{ token: string; session: PortalSessionRecord }> {
    const workspaceId = workspaceOf(actor);
    if (input.ownerId === '' || input.ownerId.length > MAX_OWNER_ID)
      throw new TesseraError('VALIDATION_FAILED', `ownerId must be 1 to ${MAX_OWNER_ID} characters.`);
    const returnUrl = checkReturnUrl(input.returnUrl);
    const now = this.deps.clock.now();
    // Hex: a URL path segment that can never look like a key (request-guard.ts refuses those).
    const token = randomBytes(32).toString('hex');
    const session: PortalSessionRecord = {
      id: newId('portalSession', now),
      workspaceId,
      keyspaceId: input.keyspaceId,
      ownerId: input.ownerId,
      returnUrl,
      linkHash: this.deps.keyring.hash('portal_link', token),
      linkExpiresAt: now + PORTAL_LINK_MS,
      openedAt: null,
      sessionHash: null,
      sessionExpiresAt: null,
      createdAt: now,
    };
    await this.deps.store.transaction(async (tx) => {
      const ks = await tx.getKeyspace(input.keyspaceId);
      if (ks === undefined || ks.workspaceId !== workspaceId) throw new TesseraError('NOT_FOUND', 'No such keyspace.');
      await tx.portal.insertPortalSession(session);
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'portal.session_created',
        target: session.id,
        details: { keyspaceId: ks.id, ownerId: session.ownerId, returnUrl, linkExpiresAt: session.linkExpiresAt },
      });
    });
    await this.purgeEnded();
    return { token, session };
  }

  /**
   * Drops the sessions that ended more than a day ago (their link expired unopened, or their
   * session lapsed): of no use to anyone. Run at each new session and every hour; the count dropped.
   */
  purgeEnded(): Promise<number> {
    return this.deps.store.portal.deleteEndedPortalSessions(this.deps.clock.now() - ENDED_PORTAL_SESSION_KEPT_MS);
  }

  /**
   * Trades a link token for a session cookie value, once: undefined for an unknown, used or
   * expired link. The opening is audited with the owner as actor.
   */
  async open(token: string, ip: string | null): Promise<{ cookie: string; session: PortalSession } | undefined> {
    if (token.length === 0 || token.length > 128) return undefined;
    const now = this.deps.clock.now();
    const cookie = randomBytes(32).toString('base64url');
    const expiresAt = now + PORTAL_SESSION_MS;
    const record = await this.deps.store.transaction(async (tx) => {
      const opened = await tx.portal.openPortalSession(this.hashes('portal_link', token), now, {
        hash: this.deps.keyring.hash('portal_session', cookie),
        expiresAt,
      });
      if (opened !== undefined)
        await appendAudit(tx, this.deps.clock, portalActor(opened, ip), {
          action: 'portal.session_opened',
          target: opened.id,
          details: { keyspaceId: opened.keyspaceId, ownerId: opened.ownerId, expiresAt },
        });
      return opened;
    });
    return record === undefined ? undefined : { cookie, session: sessionOf(record) };
  }

  /** The session a cookie value holds, while it lasts. */
  async find(cookie: string | undefined): Promise<PortalSession | undefined> {
    if (cookie === undefined || cookie.length === 0 || cookie.length > 128) return undefined;
    const record = await this.deps.store.portal.findPortalSession(this.hashes('portal_session', cookie), this.deps.clock.now());
    return record === undefined ? undefined : sessionOf(record);
  }

  /** The hashes of a value under every pepper version the keyring holds: a rotation ends no session. */
  private hashes(domain: HashDomain, value: string): string[] {
    return this.deps.keyring.pepperVersions.map((v) => this.deps.keyring.hash(domain, value, v));
  }
}

/** The audit actor of what a portal session does: the key owner, named, in the session's workspace. */
export function portalActor(s: { workspaceId: string; ownerId: string }, ip: string | null): Actor {
  return { id: `portal:${s.ownerId}`, workspaceId: s.workspaceId, ip };
}

function sessionOf(r: PortalSessionRecord): PortalSession {
  return {
    id: r.id,
    workspaceId: r.workspaceId,
    keyspaceId: r.keyspaceId,
    ownerId: r.ownerId,
    returnUrl: r.returnUrl,
    expiresAt: r.sessionExpiresAt ?? r.linkExpiresAt,
  };
}
