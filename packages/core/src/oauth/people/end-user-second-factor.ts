import { appendAudit, type Actor } from '../../audit/audit-chain.js';
import type { Clock } from '../../clock.js';
import type { Keyring } from '../../custody/envelope-keyring.js';
import { verifyTotp } from '../../totp/totp.js';
import type { PasskeyCredential, RelyingParty } from '../../webauthn/passkey-ceremony.js';
import type { OAuthStore } from '../oauth-store.js';
import { EndUserPasskeys, PASSKEY_AMR, type SecondFactorOffer } from './end-user-passkeys.js';
import type { EndUserRecord } from './end-user-records.js';
import type { EndUserSessions } from './end-user-sessions.js';
import type { EndUserSignIn } from './end-user-sign-in.js';
import type { SignedInUser } from './signed-in-user.js';

/** What an end user's TOTP secret is sealed to: its user, and whether it is enrolled or only offered. */
export const endUserTotpAad = (userId: string, kind: 'active' | 'pending'): string => `end_user_totp:${kind}:${userId}`;

export interface EndUserSecondFactorDeps {
  store: OAuthStore;
  keyring: Keyring;
  clock: Clock;
  sessions: EndUserSessions;
  signIns: EndUserSignIn;
}

/** The second factor given: a TOTP code, or a passkey's assertion for the relying party. */
export type SecondFactorAnswer = { code: string } | { passkey: PasskeyCredential; rp: RelyingParty };

/** The code checked: the step it matched (already spent in the store), or why not. */
export type TotpCheck = { ok: true; step: number } | { ok: false; throttled: boolean };

/**
 * The second factor of an end user's sign-in: after the password, a passkey ({@link EndUserPasskeys})
 * or a TOTP code (RFC 6238) from the app they enrolled. Each time step is accepted once — spent in the store by a conditional update,
 * so a replayed code, or two requests racing with one code, lose. Wrong and replayed codes count
 * against the address in the same throttle as wrong passwords, and are audited the same way; they
 * also count against the user, from any address and node ({@link CodeGuesses}).
 */
export class EndUserSecondFactor {
  /** The user's passkeys: registered on the account page, offered and checked here. */
  readonly passkeys: EndUserPasskeys;

  constructor(private readonly deps: EndUserSecondFactorDeps) {
    this.passkeys = new EndUserPasskeys(deps);
  }

  /** What the second-factor page offers the user. */
  offer(user: EndUserRecord, rp: RelyingParty): Promise<SecondFactorOffer> {
    return this.passkeys.offer(user, rp);
  }

  /**
   * The second factor for a session that waits for it: a new cookie value (`amr` gains `otp`, or
   * `swk` and `user` for a passkey), or why not.
   */
  async verify(
    signed: SignedInUser,
    answer: SecondFactorAnswer,
    ip: string,
    clientId: string | null,
  ): Promise<{ ok: true; cookie: string } | { ok: false; throttled: boolean }> {
    const { user, session } = signed;
    const checked =
      'code' in answer
        ? await this.check(user, answer.code, ip, clientId)
        : await this.passkeys.verify(signed, answer.rp, answer.passkey, ip, clientId);
    if (!checked.ok) return checked;
    const used = 'passkey' in checked ? checked.passkey : undefined;
    const amr = [...new Set([...session.amr, ...(used === undefined ? ['otp'] : PASSKEY_AMR)])];
    const now = this.deps.clock.now();
    await this.deps.store.transaction(async (tx) => {
      await tx.updateEndUser(user.id, { lastSignInAt: now });
      const actor = actorOf(user, ip);
      await appendAudit(tx, this.deps.clock, actor, { action: 'end_user.signed_in', target: user.id, details: { clientId, amr } });
      if (used !== undefined)
        await appendAudit(tx, this.deps.clock, actor, {
          action: 'end_user.passkey_used',
          target: user.id,
          details: { passkeyId: used.id, name: used.name, clientId },
        });
    });
    const cookie = this.deps.sessions.seal({ userId: user.id, workspaceId: user.workspaceId, authTime: now, amr });
    return { ok: true, cookie };
  }

  /** Checks a code against the user's enrolled secret and spends its step; failures are counted and audited. */
  async check(user: EndUserRecord, code: string, ip: string, clientId: string | null): Promise<TotpCheck> {
    const { keyring, clock, signIns, store } = this.deps;
    // The code counts against the user before it is checked, so parallel guesses cannot pass the limit together.
    if (signIns.throttled(ip) || !(await signIns.codeGuesses.admit(user.id))) return { ok: false, throttled: true };
    const now = clock.now();
    const step =
      user.totpSecret === null
        ? undefined
        : verifyTotp(await keyring.decrypt(user.totpSecret, endUserTotpAad(user.id, 'active')), code.trim(), now, user.totpLastStep);
    const spent = step !== undefined && (await store.spendEndUserTotpStep(user.id, step, now));
    if (step === undefined || !spent) {
      await signIns.failed(actorOf(user, ip), { target: user.id, clientId, reason: step === undefined ? 'totp' : 'totp_reused' });
      return { ok: false, throttled: false };
    }
    await signIns.codeGuesses.succeeded(user.id);
    return { ok: true, step };
  }
}

export const actorOf = (user: EndUserRecord, ip: string): Actor => ({ id: `end_user:${user.id}`, workspaceId: user.workspaceId, ip });
