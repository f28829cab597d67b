import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import type { Store } from '../store/store.js';
import { normaliseEmail } from './console-policy.js';
import type { ConsoleUserRecord } from './console-records.js';
import type { ConsoleSessions, Signed } from './console-sessions.js';
import type { DecoyTokens } from './decoy-tokens.js';
import type { PasswordHasher } from './password-hasher.js';
import { isLocked, type SignInLockout } from './sign-in-lockout.js';
import { hashRecoveryCode, totpAad } from './totp-enrolment.js';
import { verifyTotp } from '../totp/totp.js';

/** A password step is refused only for its address (throttled); anything else gets a token, maybe a decoy's. */
export type LoginOutcome = { ok: true; token: string; next: 'totp' | 'enroll' } | { ok: false; reason: 'throttled' };

/** A half-open session: a real one (the password was right), or a decoy (it cannot succeed). */
export type HalfSession = Signed | 'decoy';

const DECOY_AAD = 'console_decoy';

export interface ConsoleSignInDeps {
  store: Store;
  keyring: Keyring;
  clock: Clock;
  sessions: ConsoleSessions;
  lockout: SignInLockout;
  passwords: PasswordHasher;
  decoys: DecoyTokens;
}

/**
 * Signing in to the console: a password, then a second factor (a TOTP code, a recovery code, or
 * a passkey in console-passkeys.ts).
 *
 * The password step is no oracle: an unknown email, a wrong password, a locked or a disabled
 * account all get the answer a right password gets (a decoy half-open session), after the same
 * argon2id work; only the second factor says no. So a lock can sit on the second factor, and only
 * someone who knows the password can cause one: a guesser without it can no longer lock the owner
 * out (see docs/security.md).
 */
export class ConsoleSignIn {
  /** A sealed stand-in for a TOTP secret, decrypted when a decoy tries a code. */
  private decoySecret: Promise<string> | undefined;

  constructor(private readonly deps: ConsoleSignInDeps) {}

  /**
   * Step one: the password. A right one opens a session that still owes the second factor (or its
   * enrolment); anything else opens a decoy that looks the same and cannot succeed. Either way one
   * argon2id verification runs. Only an account without a second factor counts wrong passwords
   * towards its lock: its password step is all it has, and "enrol now" would say the password was right.
   */
  async login(email: string, password: string, ip: string, userAgent: string | undefined): Promise<LoginOutcome> {
    const { store, clock, lockout, passwords } = this.deps;
    const now = clock.now();
    if (lockout.throttled(ip)) return { ok: false, reason: 'throttled' };
    const address = normaliseEmail(email);
    const user = await store.console.findUserByEmail(address);
    let good = false;
    if (user === undefined) await passwords.verifyDecoy(password);
    else good = await passwords.verify(user.passwordHash, password);
    if (user === undefined) {
      await lockout.failed(null, ip, now, 'unknown_user', { counts: false, email: address.slice(0, 254) });
    } else if (!good || user.disabledAt !== null || isLocked(user, now)) {
      const reason = !good ? 'password' : user.disabledAt !== null ? 'disabled' : 'locked';
      await lockout.failed(user, ip, now, reason, { counts: reason === 'password' && user.totpSecret === null });
    } else {
      const token = await this.deps.sessions.open(user, 'password', ip, userAgent, now);
      return { ok: true, token, next: user.totpSecret === null ? 'enroll' : 'totp' };
    }
    return { ok: true, token: this.deps.decoys.issue(), next: 'totp' };
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
    if (input.code !== undefined) return this.withCode(found, input.code, ip, now);
    if (input.recoveryCode !== undefined) return this.withRecoveryCode(found, input.recoveryCode, ip, now);
    return undefined;
  }

  /** The half-open session behind a token: a real one, a decoy, or none (undefined). */
  async halfSession(token: string): Promise<HalfSession | undefined> {
    const found = await this.deps.sessions.authenticate(token, 'password');
    if (found.ok) return { user: found.user, session: found.session };
    return this.deps.decoys.isDecoy(token) ? 'decoy' : undefined;
  }

  /**
   * A half-open session that may try a second factor now: its user has TOTP enrolled, is not
   * locked, and its address is not throttled. One that may not is answered as a decoy is.
   */
  async secondFactorSession(token: string, ip: string): Promise<HalfSession | undefined> {
    const half = await this.halfSession(token);
    if (half === undefined || half === 'decoy') return half;
    const { user } = half;
    if (user.totpSecret === null || this.deps.lockout.throttled(ip) || isLocked(user, this.deps.clock.now())) return 'decoy';
    return half;
  }

  /**
   * A second factor sent on a decoy (or a session that cannot succeed): refused, and recorded like
   * any failure, after the reads and the decryption a real one costs, so its time tells little.
   */
  async decoyFailed(ip: string, now = this.deps.clock.now()): Promise<void> {
    const { keyring } = this.deps;
    // Made once; a keyring failure is not kept, so the next decoy tries again.
    this.decoySecret ??= keyring.encrypt(randomBytes(20), DECOY_AAD).catch((err: unknown) => {
      this.decoySecret = undefined;
      throw err;
    });
    await this.deps.store.console.getUser(DECOY_AAD);
    await keyring.decrypt(await this.decoySecret, DECOY_AAD);
    await this.deps.lockout.failed(null, ip, now, 'second_factor_without_password', { counts: false });
  }

  /** A passkey assertion that did not verify: counted towards lockout like a wrong TOTP code. */
  async passkeyFailed(user: ConsoleUserRecord, ip: string): Promise<void> {
    await this.deps.lockout.failed(user, ip, this.deps.clock.now(), 'passkey', { counts: true });
  }

  /** A verified passkey assertion in place of the TOTP code: a full session under a new token. */
  async passkeySignedIn(half: Signed, ip: string, passkey: { passkeyId: string; name: string }): Promise<string> {
    const token = await this.deps.sessions.promote(half, ip, this.deps.clock.now(), {
      method: 'passkey',
      audit: { action: 'user.passkey_used', target: half.user.id, details: passkey },
    });
    return token!;
  }

  private async withCode(half: Signed, code: string, ip: string, now: number): Promise<string | undefined> {
    const { user } = half;
    const secret = await this.deps.keyring.decrypt(user.totpSecret!, totpAad(user.id, 'active'));
    const step = verifyTotp(secret, code.trim(), now, user.totpLastStep);
    if (step === undefined) {
      await this.deps.lockout.failed(user, ip, now, 'totp', { counts: true });
      return undefined;
    }
    // The step is spent in SQL, in the transaction that signs in: a second request with the same code loses.
    const token = await this.deps.sessions.promote(half, ip, now, {
      method: 'totp',
      claim: (tx) => tx.console.spendTotpStep(user.id, step, now),
    });
    if (token === undefined) await this.deps.lockout.failed(user, ip, now, 'totp_reused', { counts: true });
    return token;
  }

  private async withRecoveryCode(half: Signed, code: string, ip: string, now: number): Promise<string | undefined> {
    const { user } = half;
    const hashed = hashRecoveryCode(this.deps.keyring, code, user.recoveryPepperVersion);
    const left = user.recoveryCodes.filter((h) => !safeEqualText(h, hashed));
    if (left.length === user.recoveryCodes.length) {
      await this.deps.lockout.failed(user, ip, now, 'recovery_code', { counts: true });
      return undefined;
    }
    const token = await this.deps.sessions.promote(half, ip, now, {
      method: 'recovery_code',
      audit: { action: 'user.recovery_code_used', target: user.id, details: { recoveryCodesLeft: left.length } },
      claim: (tx) => tx.console.replaceRecoveryCodes(user.id, user.recoveryCodes, left, now),
    });
    if (token === undefined) await this.deps.lockout.failed(user, ip, now, 'recovery_code_reused', { counts: true });
    return token;
  }
}

function safeEqualText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
