import { appendAudit } from '../../audit/audit-chain.js';
import { TesseraError } from '../../errors.js';
import { base32Encode, newTotpSecret, otpauthUri, verifyTotp } from '../../totp/totp.js';
import { actorOf, endUserTotpAad, type EndUserSecondFactor, type EndUserSecondFactorDeps } from './end-user-second-factor.js';
import type { SignedInUser } from './signed-in-user.js';

/**
 * An end user enrolling and removing their TOTP second factor from the account page, the way the
 * console's users enrol: a new secret is offered (as an `otpauth://` URI and as text) and kept,
 * sealed, until a code from the app proves the app holds it. Removing it takes a current code.
 */
export class EndUserTotpEnrolment {
  constructor(
    private readonly deps: EndUserSecondFactorDeps,
    private readonly secondFactor: EndUserSecondFactor,
  ) {}

  /** Step one: a new secret to show, kept sealed until confirmed. `issuer` names the account in the app. */
  async begin(signed: SignedInUser, issuer: string): Promise<{ secret: string; uri: string }> {
    const { user } = signed;
    if (user.totpSecret !== null) throw new TesseraError('CONFLICT', 'A second factor is enrolled already.');
    const secret = newTotpSecret();
    const sealed = await this.deps.keyring.encrypt(secret, endUserTotpAad(user.id, 'pending'), { workspaceId: user.workspaceId });
    await this.deps.store.updateEndUser(user.id, { totpPending: sealed, updatedAt: this.deps.clock.now() });
    return { secret: base32Encode(secret), uri: otpauthUri(secret, user.email, issuer) };
  }

  /** The secret offered and not yet confirmed, to show again; undefined when none is. */
  async offered(signed: SignedInUser, issuer: string): Promise<{ secret: string; uri: string } | undefined> {
    const { user } = signed;
    if (user.totpSecret !== null || user.totpPending === null) return undefined;
    const secret = await this.deps.keyring.decrypt(user.totpPending, endUserTotpAad(user.id, 'pending'));
    return { secret: base32Encode(secret), uri: otpauthUri(secret, user.email, issuer) };
  }

  /**
   * Step two: a code from the app. Answers the session's new cookie value, which counts the code as
   * the second factor of this sign-in (`amr` gains `otp`), or why not.
   */
  async confirm(signed: SignedInUser, code: string, ip: string): Promise<{ ok: true; cookie: string } | { ok: false; throttled: boolean }> {
    const { keyring, clock, store, signIns, sessions } = this.deps;
    const { user, session } = signed;
    if (signIns.throttled(ip)) return { ok: false, throttled: true };
    if (user.totpSecret !== null || user.totpPending === null) throw new TesseraError('CONFLICT', 'Start the enrolment first.');
    const secret = await keyring.decrypt(user.totpPending, endUserTotpAad(user.id, 'pending'));
    const now = clock.now();
    const step = verifyTotp(secret, code.trim(), now, null);
    if (step === undefined) {
      await signIns.failed(actorOf(user, ip), { target: user.id, clientId: null, reason: 'totp_enrolment' });
      return { ok: false, throttled: false };
    }
    const totpSecret = await keyring.encrypt(secret, endUserTotpAad(user.id, 'active'), { workspaceId: user.workspaceId });
    await store.transaction(async (tx) => {
      await tx.updateEndUser(user.id, { totpSecret, totpPending: null, totpLastStep: step, updatedAt: now });
      await appendAudit(tx, clock, actorOf(user, ip), { action: 'end_user.totp_enrolled', target: user.id });
    });
    const amr = [...new Set([...session.amr, 'otp'])];
    return { ok: true, cookie: sessions.seal({ ...session, amr }) };
  }

  /** Removes the second factor, given a current code (a replay is refused like at sign-in). */
  async remove(signed: SignedInUser, code: string, ip: string): Promise<{ ok: true } | { ok: false; throttled: boolean }> {
    const { user } = signed;
    const checked = await this.secondFactor.check(user, code, ip, null);
    if (!checked.ok) return checked;
    const now = this.deps.clock.now();
    await this.deps.store.transaction(async (tx) => {
      await tx.updateEndUser(user.id, { totpSecret: null, totpPending: null, totpLastStep: null, updatedAt: now });
      await appendAudit(tx, this.deps.clock, actorOf(user, ip), { action: 'end_user.totp_removed', target: user.id });
    });
    return { ok: true };
  }
}
