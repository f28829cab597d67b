import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { appendAudit, type Actor, type AuditDraft } from '../audit/audit-chain.js';
import type { Repos, Store } from '../store/store.js';
import type { ConsolePolicy } from './console-policy.js';
import type { ConsoleSessionRecord, ConsoleUserPatch, ConsoleUserRecord, SessionStage } from './console-records.js';

/** A session and its user. */
export interface Signed {
  user: ConsoleUserRecord;
  session: ConsoleSessionRecord;
}

/** The idle clock is kept to within this much, so not every request writes to the store. */
const TOUCH_EVERY_MS = 30_000;
/** How long the password step gives the second factor. */
const HALF_SESSION_MS = 10 * 60_000;
/** Tokens outside these lengths were never made here: refused before the store is asked. */
const MIN_TOKEN_LENGTH = 20;
const MAX_TOKEN_LENGTH = 100;

/** The stored id of a session: its token's SHA-256 (the token itself lives only in the browser's cookie). */
export const sessionHash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The actor a signed-in user is in the audit log. */
export const userActor = (user: ConsoleUserRecord, ip: string): Actor => ({ id: `user:${user.id}`, workspaceId: user.workspaceId, ip });

/** How a half-open session becomes a full one: the second factor's method, and what it spends or changes. */
export interface Promotion {
  /** `totp`, `recovery_code`, `passkey` or `totp_enrolment`, as the `user.login` entry records it. */
  method: string;
  /** Changes to the user made in the same transaction (an enrolment's secret and recovery codes). */
  patch?: ConsoleUserPatch;
  /** An entry written before `user.login` (the enrolment, the recovery code or passkey used). */
  audit?: AuditDraft;
  /** What the sign-in spends (a TOTP step, a recovery code), claimed first: false when another request took it. */
  claim?: (tx: Repos) => Promise<boolean>;
}

/**
 * Console sessions: a random token in the browser's cookie, its hash in the store. A session is
 * half-open (`password`: the second factor is still owed) or `full`, and ends after `idleMs`
 * without a request or `absoluteMs` after sign-in, whichever comes first.
 */
export class ConsoleSessions {
  constructor(
    private readonly deps: { store: Store; clock: Clock },
    private readonly policy: ConsolePolicy,
  ) {}

  /** How long a half-open session (real or decoy) lives. */
  get halfSessionMs(): number {
    return Math.min(HALF_SESSION_MS, this.policy.absoluteMs);
  }

  /** Opens a session and returns its token. */
  async open(
    user: ConsoleUserRecord,
    stage: SessionStage,
    ip: string,
    userAgent: string | undefined,
    now: number,
    tx: Repos = this.deps.store,
  ): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await tx.console.insertSession({
      idHash: sessionHash(token),
      userId: user.id,
      stage,
      createdAt: now,
      lastSeenAt: now,
      // The password step gets a few minutes to finish the second factor; a full session its policy.
      expiresAt: now + (stage === 'password' ? this.halfSessionMs : this.policy.absoluteMs),
      ip,
      userAgent: userAgent?.slice(0, 256) ?? null,
    });
    return token;
  }

  /**
   * Replaces a half-open session with a full one under a new token (the old token stops working),
   * in one transaction with what the second factor spends and the audit of the sign-in. Returns
   * the new token, or undefined when the claim was lost to another request.
   */
  async promote(half: Signed, ip: string, now: number, p: Promotion): Promise<string | undefined> {
    const { user, session } = half;
    const actor = userActor(user, ip);
    return this.deps.store.transaction(async (tx) => {
      if (p.claim !== undefined && !(await p.claim(tx))) return undefined;
      await tx.console.deleteSession(session.idHash);
      await tx.console.updateUser(user.id, { ...p.patch, failedLogins: 0, lockedUntil: null, lastLoginAt: now, updatedAt: now });
      const token = await this.open(user, 'full', ip, session.userAgent ?? undefined, now, tx);
      if (p.audit !== undefined) await appendAudit(tx, this.deps.clock, actor, p.audit);
      await appendAudit(tx, this.deps.clock, actor, { action: 'user.login', target: user.id, details: { method: p.method } });
      return token;
    });
  }

  /**
   * The session and user behind a token, or why not. `stage` is the stage required: a half-open
   * session (password only) never passes for a full one.
   */
  async authenticate(
    token: string,
    stage: SessionStage = 'full',
  ): Promise<({ ok: true } & Signed) | { ok: false; reason: 'none' | 'expired' }> {
    if (token.length < MIN_TOKEN_LENGTH || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'none' };
    const idHash = sessionHash(token);
    const session = await this.deps.store.console.getSession(idHash);
    if (session === undefined) return { ok: false, reason: 'none' };
    // The stage first: a half-open session that ended must look, to a full-session route, like a decoy (none).
    if (session.stage !== stage) return { ok: false, reason: 'none' };
    const now = this.deps.clock.now();
    if (now - session.lastSeenAt >= this.policy.idleMs || now >= session.expiresAt) {
      await this.deps.store.console.deleteSession(idHash);
      return { ok: false, reason: 'expired' };
    }
    const user = await this.deps.store.console.getUser(session.userId);
    if (user === undefined || user.disabledAt !== null) return { ok: false, reason: 'none' };
    if (now - session.lastSeenAt >= TOUCH_EVERY_MS) {
      await this.deps.store.console.touchSession(idHash, now);
      session.lastSeenAt = now;
    }
    return { ok: true, user, session };
  }

  /** Signs out: the session behind the token ends, and a signed-in user's sign-out is audited. */
  async end(token: string, ip: string): Promise<void> {
    const found = await this.authenticate(token);
    await this.deps.store.console.deleteSession(sessionHash(token));
    if (found.ok)
      await this.deps.store.transaction((tx) =>
        appendAudit(tx, this.deps.clock, userActor(found.user, ip), { action: 'user.logout', target: found.user.id }),
      );
  }

  /** Drops the sessions that ended by `now`; returns how many. */
  purge(now: number): Promise<number> {
    return this.deps.store.console.purgeSessions(now - this.policy.idleMs, now);
  }
}
