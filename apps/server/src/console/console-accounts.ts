import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  appendAudit,
  CONSOLE_ROLES,
  DEFAULT_WORKSPACE_ID,
  newId,
  TesseraError,
  type Actor,
  type AuditDraft,
  type Clock,
  type ConsoleRole,
  type ConsoleSessionRecord,
  type ConsoleUserRecord,
  type Keyring,
  type Repos,
  type Store,
} from '@tessera/core';
import { DecoyTokens } from './decoy-tokens.js';
import { FailedSignIns, type FailureSummary } from './failed-sign-ins.js';
import { PasswordHasher } from './password-hasher.js';
import { base32Encode, newTotpSecret, otpauthUri, verifyTotp } from './totp.js';

/** Repeated failed sign-ins: one account locked, or one address throttled. */
export interface SignInFailures {
  workspaceId: string;
  /** The locked account; null when an address was throttled across accounts. */
  userId: string | null;
  ip: string;
  failures: number;
  since: number;
  at: number;
}

export interface ConsolePolicy {
  /** A session ends after this long without a request. */
  idleMs: number;
  /** …and this long after sign-in, whatever the activity. */
  absoluteMs: number;
  /**
   * Consecutive failed second factors after a right password (or wrong passwords, for an account
   * that has no second factor yet) that lock an account…
   */
  maxFailures: number;
  /** …for this long. */
  lockoutMs: number;
  /** Failed sign-ins one address may make in `lockoutMs` before it is throttled. */
  maxFailuresPerIp: number;
  /** Failed sign-ins audited one by one per `lockoutMs`; past it they are summed into one entry. */
  maxFailureEntries: number;
}

export const DEFAULT_CONSOLE_POLICY: ConsolePolicy = {
  idleMs: 30 * 60_000,
  absoluteMs: 12 * 3_600_000,
  maxFailures: 5,
  lockoutMs: 15 * 60_000,
  maxFailuresPerIp: 30,
  maxFailureEntries: 25,
};

export const MIN_PASSWORD_LENGTH = 12;
const RECOVERY_CODES = 10;
/** The idle clock is kept to within this much, so not every request writes to the store. */
const TOUCH_EVERY_MS = 30_000;

/** A password step is refused only for its address (throttled); anything else gets a token, maybe a decoy's. */
export type LoginOutcome = { ok: true; token: string; next: 'totp' | 'enroll' } | { ok: false; reason: 'throttled' };

/** A half-open session: a real one (the password was right), or a decoy (it cannot succeed). */
export type HalfSession = Signed | 'decoy';

const DECOY_AAD = 'console_decoy';
/** How long the password step gives the second factor. */
const HALF_SESSION_MS = 10 * 60_000;

export interface Signed {
  user: ConsoleUserRecord;
  session: ConsoleSessionRecord;
}

/** The user as the console API shows it: never a hash, a secret or a recovery code. */
export function userView(u: ConsoleUserRecord) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    totpEnrolled: u.totpSecret !== null,
    recoveryCodesLeft: u.recoveryCodes.length,
    locked: u.lockedUntil !== null,
    disabled: u.disabledAt !== null,
    createdAt: new Date(u.createdAt).toISOString(),
    lastLoginAt: u.lastLoginAt === null ? null : new Date(u.lastLoginAt).toISOString(),
  };
}

export const sessionHash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The CSRF token of a session: derived from its token, so nothing more is stored. */
export const csrfTokenFor = (token: string): string => createHmac('sha256', token).update('tessera console csrf').digest('base64url');

export function csrfMatches(token: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const expected = Buffer.from(csrfTokenFor(token));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

const totpAad = (userId: string, kind: 'active' | 'pending') => `console_user_totp:${kind}:${userId}`;
const normaliseEmail = (email: string) => email.trim().toLowerCase();
const normaliseRecovery = (code: string) => code.replace(/[\s-]/g, '').toLowerCase();

/**
 * People who sign in to the console: argon2id passwords, a mandatory TOTP second factor with
 * recovery codes (a registered passkey may stand in for the TOTP code), sessions with idle and
 * absolute ends, and lockout after repeated failures.
 *
 * The password step is no oracle: an unknown email, a wrong password, a locked or a disabled
 * account all get the answer a right password gets (a decoy half-open session), after the same
 * argon2id work; only the second factor says no. So a lock can sit on the second factor, and only
 * someone who knows the password can cause one: a guesser without it can no longer lock the owner
 * out (see docs/security.md).
 */
export class ConsoleAccounts {
  readonly policy: ConsolePolicy;
  /** Failed sign-ins per source network (a throttle, in memory) and their audit budget. */
  private readonly failures: FailedSignIns;
  private readonly decoys: DecoyTokens;
  /** argon2id off libuv's thread pool, which signs access tokens. */
  private readonly passwords = new PasswordHasher();
  /** A sealed stand-in for a TOTP secret, decrypted when a decoy tries a code. */
  private decoySecret: Promise<string> | undefined;

  constructor(
    private readonly deps: {
      store: Store;
      keyring: Keyring;
      clock: Clock;
      /** Told of repeated sign-in failures (an account locked, or an address throttled), to raise an anomaly. */
      onRepeatedFailures?: (event: SignInFailures) => void;
    },
    policy: Partial<ConsolePolicy> = {},
  ) {
    this.policy = { ...DEFAULT_CONSOLE_POLICY, ...policy };
    this.failures = new FailedSignIns(deps.clock, {
      perNetwork: this.policy.maxFailuresPerIp,
      windowMs: this.policy.lockoutMs,
      auditBudget: this.policy.maxFailureEntries,
    });
    this.decoys = new DecoyTokens((input) => deps.keyring.hash('console_decoy', input), deps.clock, this.halfSessionMs);
  }

  /** How long a half-open session (real or decoy) lives. */
  get halfSessionMs(): number {
    return Math.min(HALF_SESSION_MS, this.policy.absoluteMs);
  }

  // — Users —

  async createUser(
    actor: Actor,
    input: { email: string; password: string; role: ConsoleRole; name?: string | null | undefined },
  ): Promise<ConsoleUserRecord> {
    const email = normaliseEmail(input.email);
    if (!/^[^\s@]{1,64}@[^\s@]{1,189}$/.test(email)) throw new TesseraError('VALIDATION_FAILED', 'email must be an email address');
    if (!CONSOLE_ROLES.includes(input.role)) throw new TesseraError('VALIDATION_FAILED', `role must be one of ${CONSOLE_ROLES.join(', ')}`);
    checkPassword(input.password);
    const passwordHash = await this.passwords.hash(input.password);
    const now = this.deps.clock.now();
    const user: ConsoleUserRecord = {
      id: newId('consoleUser', now),
      workspaceId: actor.workspaceId ?? DEFAULT_WORKSPACE_ID,
      email,
      name: input.name ?? null,
      role: input.role,
      passwordHash,
      totpSecret: null,
      totpPending: null,
      totpLastStep: null,
      recoveryCodes: [],
      recoveryPepperVersion: this.deps.keyring.currentPepperVersion,
      failedLogins: 0,
      lockedUntil: null,
      disabledAt: null,
      createdAt: now,
      updatedAt: now,
      lastLoginAt: null,
    };
    return this.deps.store.transaction(async (tx) => {
      if ((await tx.console.findUserByEmail(email)) !== undefined)
        throw new TesseraError('CONFLICT', 'A console user with this email exists already.');
      await tx.console.insertUser(user);
      await appendAudit(tx, this.deps.clock, actor, { action: 'user.created', target: user.id, details: { email, role: user.role } });
      return user;
    });
  }

  /** Lifts a lockout (`tessera users unlock`); undefined when there is no such user. */
  async unlock(actor: Actor, email: string): Promise<ConsoleUserRecord | undefined> {
    const user = await this.deps.store.console.findUserByEmail(normaliseEmail(email));
    if (user === undefined || user.workspaceId !== (actor.workspaceId ?? DEFAULT_WORKSPACE_ID)) return undefined;
    return this.updateUser(actor, user.id, { unlock: true });
  }

  async listUsers(workspaceId: string): Promise<ConsoleUserRecord[]> {
    return this.deps.store.console.listUsers(workspaceId);
  }

  /** Changes a user's role or disables/enables them; disabling ends their sessions. */
  async updateUser(
    actor: Actor,
    id: string,
    patch: { role?: ConsoleRole | undefined; disabled?: boolean | undefined; unlock?: boolean | undefined },
  ): Promise<ConsoleUserRecord> {
    return this.deps.store.transaction(async (tx) => {
      const user = await tx.console.getUser(id);
      if (user === undefined || user.workspaceId !== actor.workspaceId) throw new TesseraError('NOT_FOUND', 'No such console user.');
      if (actor.id === `user:${id}` && (patch.disabled === true || (patch.role !== undefined && patch.role !== 'owner'))) {
        throw new TesseraError('CONFLICT', 'You cannot disable yourself or give up your own owner role; ask another owner.');
      }
      const now = this.deps.clock.now();
      const next: Partial<ConsoleUserRecord> = { updatedAt: now };
      if (patch.role !== undefined) next.role = patch.role;
      if (patch.disabled !== undefined) next.disabledAt = patch.disabled ? (user.disabledAt ?? now) : null;
      if (patch.unlock === true) Object.assign(next, { lockedUntil: null, failedLogins: 0 });
      await tx.console.updateUser(id, next);
      if (patch.disabled === true || patch.role !== undefined) await tx.console.deleteUserSessions(id);
      const changed = Object.keys(patch).filter((k) => patch[k as keyof typeof patch] !== undefined);
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'user.updated',
        target: id,
        details: { changed, ...(patch.role !== undefined && { role: patch.role }) },
      });
      return { ...user, ...next };
    });
  }

  /**
   * A new password for the signed-in user. A wrong current password counts towards the lockout
   * like a failed sign-in; a change ends every other session of the user (a thief's among them).
   */
  async changePassword(actor: Actor, signed: Signed, current: string, next: string): Promise<void> {
    if (!(await this.passwords.verify(signed.user.passwordHash, current))) {
      await this.failed(signed.user, actor.ip ?? '', this.deps.clock.now(), 'current_password', { counts: true });
      throw new TesseraError('UNAUTHORIZED', 'The current password is not right.');
    }
    checkPassword(next);
    const passwordHash = await this.passwords.hash(next);
    await this.deps.store.transaction(async (tx) => {
      await tx.console.updateUser(signed.user.id, { passwordHash, updatedAt: this.deps.clock.now() });
      await tx.console.deleteUserSessions(signed.user.id, signed.session.idHash);
      await appendAudit(tx, this.deps.clock, actor, { action: 'user.updated', target: signed.user.id, details: { changed: ['password'] } });
    });
  }

  // — Signing in —

  /**
   * Step one: the password. A right one opens a session that still owes the second factor (or its
   * enrolment); anything else opens a decoy that looks the same and cannot succeed. Either way one
   * argon2id verification runs. Only an account without a second factor counts wrong passwords
   * towards its lock: its password step is all it has, and "enrol now" would say the password was right.
   */
  async login(email: string, password: string, ip: string, userAgent: string | undefined): Promise<LoginOutcome> {
    const now = this.deps.clock.now();
    if (this.failures.throttled(ip)) return { ok: false, reason: 'throttled' };
    const address = normaliseEmail(email);
    const user = await this.deps.store.console.findUserByEmail(address);
    let good = false;
    if (user === undefined) await this.passwords.verifyDecoy(password);
    else good = await this.passwords.verify(user.passwordHash, password);
    if (user === undefined) {
      await this.failed(null, ip, now, 'unknown_user', { counts: false, email: address.slice(0, 254) });
    } else if (!good || user.disabledAt !== null || isLocked(user, now)) {
      const reason = !good ? 'password' : user.disabledAt !== null ? 'disabled' : 'locked';
      await this.failed(user, ip, now, reason, { counts: reason === 'password' && user.totpSecret === null });
    } else {
      const token = await this.openSession(user, 'password', ip, userAgent, now);
      return { ok: true, token, next: user.totpSecret === null ? 'enroll' : 'totp' };
    }
    return { ok: true, token: this.decoys.issue(), next: 'totp' };
  }

  /**
   * Step two: a TOTP code or a recovery code. Success replaces the half-open session with a full
   * one under a new token (the old token stops working), and returns the new token.
   */
  async secondFactor(
    token: string,
    input: { code?: string | undefined; recoveryCode?: string | undefined },
    ip: string,
  ): Promise<string | undefined> {
    const now = this.deps.clock.now();
    const found = await this.secondFactorSession(token, ip);
    if (found === undefined) return undefined;
    if (found === 'decoy') {
      await this.decoyFailed(ip, now);
      return undefined;
    }
    const { user, session } = found;
    const actor: Actor = { id: `user:${user.id}`, workspaceId: user.workspaceId, ip };
    if (input.code !== undefined) {
      const secret = await this.deps.keyring.decrypt(user.totpSecret!, totpAad(user.id, 'active'));
      const step = verifyTotp(secret, input.code.trim(), now, user.totpLastStep);
      if (step === undefined) {
        await this.failed(user, ip, now, 'totp', { counts: true });
        return undefined;
      }
      // The step is spent in SQL, in the transaction that signs in: a second request with the same code loses.
      const token = await this.promote(session, user, actor, now, {}, { method: 'totp' }, undefined, (tx) =>
        tx.console.spendTotpStep(user.id, step, now),
      );
      if (token === undefined) await this.failed(user, ip, now, 'totp_reused', { counts: true });
      return token;
    }
    if (input.recoveryCode !== undefined) {
      const hashed = this.deps.keyring.hash('recovery_code', normaliseRecovery(input.recoveryCode), user.recoveryPepperVersion);
      const left = user.recoveryCodes.filter((h) => !safeEqualText(h, hashed));
      if (left.length === user.recoveryCodes.length) {
        await this.failed(user, ip, now, 'recovery_code', { counts: true });
        return undefined;
      }
      const token = await this.promote(
        session,
        user,
        actor,
        now,
        {},
        { method: 'recovery_code', recoveryCodesLeft: left.length },
        undefined,
        (tx) => tx.console.replaceRecoveryCodes(user.id, user.recoveryCodes, left, now),
      );
      if (token === undefined) await this.failed(user, ip, now, 'recovery_code_reused', { counts: true });
      return token;
    }
    return undefined;
  }

  /** The half-open session behind a token: a real one, a decoy, or none (undefined). */
  async halfSession(token: string): Promise<HalfSession | undefined> {
    const found = await this.authenticate(token, 'password');
    if (found.ok) return { user: found.user, session: found.session };
    return this.decoys.isDecoy(token) ? 'decoy' : undefined;
  }

  /**
   * A half-open session that may try a second factor now: its user has TOTP enrolled, is not
   * locked, and its address is not throttled. One that may not is answered as a decoy is.
   */
  async secondFactorSession(token: string, ip: string): Promise<HalfSession | undefined> {
    const half = await this.halfSession(token);
    if (half === undefined || half === 'decoy') return half;
    const { user } = half;
    if (user.totpSecret === null || this.failures.throttled(ip) || isLocked(user, this.deps.clock.now())) return 'decoy';
    return half;
  }

  /**
   * A second factor sent on a decoy (or a session that cannot succeed): refused, and recorded like
   * any failure, after the reads and the decryption a real one costs, so its time tells little.
   */
  async decoyFailed(ip: string, now = this.deps.clock.now()): Promise<void> {
    // Made once; a keyring failure is not kept, so the next decoy tries again.
    this.decoySecret ??= this.deps.keyring.encrypt(randomBytes(20), DECOY_AAD).catch((err: unknown) => {
      this.decoySecret = undefined;
      throw err;
    });
    await this.deps.store.console.getUser(DECOY_AAD);
    await this.deps.keyring.decrypt(await this.decoySecret, DECOY_AAD);
    await this.failed(null, ip, now, 'second_factor_without_password', { counts: false });
  }

  /** A passkey assertion that did not verify: counted towards lockout like a wrong TOTP code. */
  async passkeyFailed(user: ConsoleUserRecord, ip: string): Promise<void> {
    await this.failed(user, ip, this.deps.clock.now(), 'passkey', { counts: true });
  }

  /** A verified passkey assertion in place of the TOTP code: a full session under a new token. */
  async passkeySignedIn(half: Signed, ip: string, passkey: { passkeyId: string; name: string }): Promise<string> {
    const actor: Actor = { id: `user:${half.user.id}`, workspaceId: half.user.workspaceId, ip };
    return (await this.promote(half.session, half.user, actor, this.deps.clock.now(), {}, { method: 'passkey', passkey }))!;
  }

  /** Enrolment, step one: a new secret to show (as a QR code and as text), kept until confirmed. */
  async beginEnrolment(signed: Signed): Promise<{ secret: string; uri: string }> {
    if (signed.user.totpSecret !== null) throw new TesseraError('CONFLICT', 'A second factor is enrolled already.');
    const secret = newTotpSecret();
    const sealed = await this.deps.keyring.encrypt(secret, totpAad(signed.user.id, 'pending'), { workspaceId: signed.user.workspaceId });
    await this.deps.store.console.updateUser(signed.user.id, { totpPending: sealed, updatedAt: this.deps.clock.now() });
    return { secret: base32Encode(secret), uri: otpauthUri(secret, signed.user.email) };
  }

  /**
   * Enrolment, step two: a code from the app proves it holds the secret. Returns the recovery
   * codes (shown once) and the full session's new token.
   */
  async confirmEnrolment(token: string, code: string, ip: string): Promise<{ token: string; recoveryCodes: string[] } | undefined> {
    const now = this.deps.clock.now();
    const found = await this.authenticate(token, 'password');
    if (!found.ok) return undefined;
    const { user, session } = found;
    if (user.totpSecret !== null || user.totpPending === null) throw new TesseraError('CONFLICT', 'Start the enrolment first.');
    const secret = await this.deps.keyring.decrypt(user.totpPending, totpAad(user.id, 'pending'));
    const step = verifyTotp(secret, code.trim(), now, null);
    if (step === undefined) {
      await this.failed(user, ip, now, 'totp', { counts: true });
      return undefined;
    }
    const recoveryCodes = Array.from({ length: RECOVERY_CODES }, () => {
      const raw = base32Encode(randomBytes(10)).toLowerCase();
      return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8, 12)}-${raw.slice(12, 16)}`;
    });
    const version = this.deps.keyring.currentPepperVersion;
    const totpSecret = await this.deps.keyring.encrypt(secret, totpAad(user.id, 'active'), { workspaceId: user.workspaceId });
    const actor: Actor = { id: `user:${user.id}`, workspaceId: user.workspaceId, ip };
    const newToken = await this.promote(
      session,
      user,
      actor,
      now,
      {
        totpSecret,
        totpPending: null,
        totpLastStep: step,
        recoveryCodes: recoveryCodes.map((c) => this.deps.keyring.hash('recovery_code', normaliseRecovery(c), version)),
        recoveryPepperVersion: version,
      },
      { method: 'totp_enrolment' },
      'user.totp_enrolled',
    );
    return { token: newToken!, recoveryCodes };
  }

  /**
   * The session and user behind a token, or why not. `stage` is the stage required: a half-open
   * session (password only) never passes for a full one.
   */
  async authenticate(
    token: string,
    stage: 'password' | 'full' = 'full',
  ): Promise<({ ok: true } & Signed) | { ok: false; reason: 'none' | 'expired' }> {
    if (token.length < 20 || token.length > 100) return { ok: false, reason: 'none' };
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

  async logout(token: string, ip: string): Promise<void> {
    const found = await this.authenticate(token);
    await this.deps.store.console.deleteSession(sessionHash(token));
    if (found.ok)
      await this.audit(
        { id: `user:${found.user.id}`, workspaceId: found.user.workspaceId, ip },
        { action: 'user.logout', target: found.user.id },
      );
  }

  /** Stops the password hashing thread (a later call starts another). */
  async close(): Promise<void> {
    await this.passwords.close();
  }

  /**
   * Drops ended sessions and writes the summary of failed sign-ins left out of the audit log once
   * their window is over (`flush`: now). The console's routes call it every minute.
   */
  async maintain(flush = false): Promise<number> {
    const now = this.deps.clock.now();
    await this.writeSummary(flush);
    return this.deps.store.console.purgeSessions(now - this.policy.idleMs, now);
  }

  // — internals —

  private async openSession(
    user: ConsoleUserRecord,
    stage: 'password' | 'full',
    ip: string,
    userAgent: string | undefined,
    now: number,
    expiresAt?: number,
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
      expiresAt: expiresAt ?? now + (stage === 'password' ? this.halfSessionMs : this.policy.absoluteMs),
      ip,
      userAgent: userAgent?.slice(0, 256) ?? null,
    });
    return token;
  }

  private async promote(
    half: ConsoleSessionRecord,
    user: ConsoleUserRecord,
    actor: Actor,
    now: number,
    patch: Partial<ConsoleUserRecord>,
    details: Record<string, unknown>,
    extra?: 'user.totp_enrolled',
    claim?: (tx: Repos) => Promise<boolean>,
  ): Promise<string | undefined> {
    return this.deps.store.transaction(async (tx) => {
      // What the sign-in spends (a TOTP step, a recovery code), claimed first: nothing happens if another request took it.
      if (claim !== undefined && !(await claim(tx))) return undefined;
      await tx.console.deleteSession(half.idHash);
      await tx.console.updateUser(user.id, { ...patch, failedLogins: 0, lockedUntil: null, lastLoginAt: now, updatedAt: now });
      const token = await this.openSession(user, 'full', actor.ip ?? '', half.userAgent ?? undefined, now, undefined, tx);
      if (extra !== undefined) await appendAudit(tx, this.deps.clock, actor, { action: extra, target: user.id });
      if (details.method === 'recovery_code')
        await appendAudit(tx, this.deps.clock, actor, {
          action: 'user.recovery_code_used',
          target: user.id,
          details: { recoveryCodesLeft: details.recoveryCodesLeft },
        });
      if (details.method === 'passkey')
        await appendAudit(tx, this.deps.clock, actor, {
          action: 'user.passkey_used',
          target: user.id,
          details: details.passkey as Record<string, unknown>,
        });
      await appendAudit(tx, this.deps.clock, actor, { action: 'user.login', target: user.id, details: { method: details.method } });
      return token;
    });
  }

  /**
   * Records a failed sign-in: counted for its source network (the throttle), audited within the
   * window's budget (past it, summed into one entry later), and, when it `counts`, counted
   * towards the account's lock. Returns true when it locked the account.
   */
  private async failed(
    user: ConsoleUserRecord | null,
    ip: string,
    now: number,
    reason: string,
    o: { counts: boolean; email?: string | undefined },
  ): Promise<boolean> {
    const { failures, audit } = this.failures.count(ip, reason);
    if (failures === this.policy.maxFailuresPerIp) {
      this.deps.onRepeatedFailures?.({
        workspaceId: user?.workspaceId ?? DEFAULT_WORKSPACE_ID,
        userId: null,
        ip,
        failures,
        since: now,
        at: now,
      });
    }
    const summary = this.failures.takeSummary();
    if (!audit && !o.counts && summary === undefined) return false;
    const actor: Actor = {
      id: user === null ? 'anonymous' : `user:${user.id}`,
      workspaceId: user?.workspaceId ?? DEFAULT_WORKSPACE_ID,
      ip,
    };
    const locked = await this.deps.store.transaction(async (tx) => {
      if (summary !== undefined) await appendSummary(tx, this.deps.clock, summary);
      if (audit)
        await appendAudit(tx, this.deps.clock, actor, {
          action: 'user.login_failed',
          target: user?.id ?? null,
          details: { reason, ...(o.email !== undefined && { email: o.email }) },
        });
      if (user === null || !o.counts) return false;
      const count = await tx.console.incrementFailedLogins(user.id, now);
      if (count < this.policy.maxFailures) return false;
      await tx.console.updateUser(user.id, { lockedUntil: now + this.policy.lockoutMs, failedLogins: 0, updatedAt: now });
      // Full sessions end; half-open ones stay, unable to succeed: ending them would tell whoever
      // holds one that its password was right (a decoy never ends).
      await tx.console.deleteUserSessions(user.id, undefined, 'full');
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'user.locked',
        target: user.id,
        details: { failures: count, until: new Date(now + this.policy.lockoutMs).toISOString() },
      });
      return true;
    });
    if (locked && user !== null) {
      this.deps.onRepeatedFailures?.({
        workspaceId: user.workspaceId,
        userId: user.id,
        ip,
        failures: this.policy.maxFailures,
        since: now,
        at: now,
      });
    }
    return locked;
  }

  private async writeSummary(force: boolean): Promise<void> {
    const summary = this.failures.takeSummary(force);
    if (summary !== undefined) await this.deps.store.transaction((tx) => appendSummary(tx, this.deps.clock, summary));
  }

  private async audit(actor: Actor, draft: AuditDraft): Promise<void> {
    await this.deps.store.transaction((tx) => appendAudit(tx, this.deps.clock, actor, draft));
  }
}

const isLocked = (user: ConsoleUserRecord, now: number) => user.lockedUntil !== null && user.lockedUntil > now;

/** Failed sign-ins past the audit budget of their window, as one entry. */
function appendSummary(tx: Repos, clock: Clock, s: FailureSummary): Promise<unknown> {
  return appendAudit(
    tx,
    clock,
    { id: 'system', workspaceId: DEFAULT_WORKSPACE_ID, ip: null },
    {
      action: 'user.login_failures',
      target: null,
      details: {
        failures: s.failures,
        networks: s.networks,
        reasons: s.reasons,
        since: new Date(s.since).toISOString(),
        until: new Date(s.until).toISOString(),
      },
    },
  );
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new TesseraError('VALIDATION_FAILED', `a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > 1024) throw new TesseraError('VALIDATION_FAILED', 'a password may have at most 1024 characters');
}

function safeEqualText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
