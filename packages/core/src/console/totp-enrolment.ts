import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import { TesseraError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { ConsoleSessions, Signed } from './console-sessions.js';
import type { SignInLockout } from './sign-in-lockout.js';
import { base32Encode, newTotpSecret, otpauthUri, verifyTotp } from '../totp/totp.js';

const RECOVERY_CODES = 10;

/** What a TOTP secret is sealed to: its user, and whether it is the enrolled one or one still offered. */
export const totpAad = (userId: string, kind: 'active' | 'pending'): string => `console_user_totp:${kind}:${userId}`;

/** The keyed hash a recovery code is kept as; case, spaces and dashes do not matter. */
export const hashRecoveryCode = (keyring: Keyring, code: string, pepperVersion: number): string =>
  keyring.hash('recovery_code', code.replace(/[\s-]/g, '').toLowerCase(), pepperVersion);

/** Ten codes of 16 base32 characters (80 bits), in groups of four. */
function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODES }, () => {
    const raw = base32Encode(randomBytes(10)).toLowerCase();
    return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8, 12)}-${raw.slice(12, 16)}`;
  });
}

export interface TotpEnrolmentDeps {
  store: Store;
  keyring: Keyring;
  clock: Clock;
  sessions: ConsoleSessions;
  lockout: SignInLockout;
}

/**
 * Enrolling the TOTP second factor, which every console account has: at its first sign-in, after
 * the password, a new secret is offered (as a QR code and as text) and kept, sealed, until a code
 * from the app proves the app holds it. The confirmation hands out the recovery codes, once.
 */
export class TotpEnrolment {
  constructor(private readonly deps: TotpEnrolmentDeps) {}

  /** Step one: a new secret to show, kept until confirmed. */
  async begin(signed: Signed): Promise<{ secret: string; uri: string }> {
    if (signed.user.totpSecret !== null) throw new TesseraError('CONFLICT', 'A second factor is enrolled already.');
    const secret = newTotpSecret();
    const sealed = await this.deps.keyring.encrypt(secret, totpAad(signed.user.id, 'pending'), { workspaceId: signed.user.workspaceId });
    await this.deps.store.console.updateUser(signed.user.id, { totpPending: sealed, updatedAt: this.deps.clock.now() });
    return { secret: base32Encode(secret), uri: otpauthUri(secret, signed.user.email) };
  }

  /**
   * Step two: a code from the app proves it holds the secret. Returns the recovery codes (shown
   * once) and the full session's new token; undefined when the session or the code is not right.
   */
  async confirm(token: string, code: string, ip: string): Promise<{ token: string; recoveryCodes: string[] } | undefined> {
    const { keyring, clock, sessions } = this.deps;
    const now = clock.now();
    const found = await sessions.authenticate(token, 'password');
    if (!found.ok) return undefined;
    const { user } = found;
    if (user.totpSecret !== null || user.totpPending === null) throw new TesseraError('CONFLICT', 'Start the enrolment first.');
    const secret = await keyring.decrypt(user.totpPending, totpAad(user.id, 'pending'));
    const step = verifyTotp(secret, code.trim(), now, null);
    if (step === undefined) {
      await this.deps.lockout.failed(user, ip, now, 'totp', { counts: true });
      return undefined;
    }
    const recoveryCodes = newRecoveryCodes();
    const version = keyring.currentPepperVersion;
    const totpSecret = await keyring.encrypt(secret, totpAad(user.id, 'active'), { workspaceId: user.workspaceId });
    const newToken = await sessions.promote(found, ip, now, {
      method: 'totp_enrolment',
      patch: {
        totpSecret,
        totpPending: null,
        totpLastStep: step,
        recoveryCodes: recoveryCodes.map((c) => hashRecoveryCode(keyring, c, version)),
        recoveryPepperVersion: version,
      },
      audit: { action: 'user.totp_enrolled', target: user.id },
    });
    return { token: newToken!, recoveryCodes };
  }
}
