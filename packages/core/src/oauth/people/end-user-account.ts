import type { Clock } from '../../clock.js';
import type { Keyring } from '../../custody/envelope-keyring.js';
import type { OAuthStore } from '../oauth-store.js';
import type { RelyingParty } from '../../webauthn/passkey-ceremony.js';
import type { EndUserPasskeys, SecondFactorOffer } from './end-user-passkeys.js';
import { actorOf, EndUserSecondFactor, type SecondFactorAnswer } from './end-user-second-factor.js';
import type { EndUserSessions } from './end-user-sessions.js';
import type { EndUserSignIn } from './end-user-sign-in.js';
import { EndUserTotpEnrolment } from './end-user-totp-enrolment.js';
import { signedInUser, type SignedInUser } from './signed-in-user.js';
import type { GrantedApp, UserGrants } from './user-grants.js';

export interface EndUserAccountDeps {
  store: OAuthStore;
  keyring: Keyring;
  clock: Clock;
  sessions: EndUserSessions;
  signIns: EndUserSignIn;
  grants: UserGrants;
}

/** Where the account page's sign-in stands: signed in, a second factor due, or neither. */
export type AccountSignIn = { ok: true; cookie: string; secondFactorDue: boolean } | { ok: false; throttled: boolean };

/**
 * The account page of an end user, signed in through the same hosted sign-in (password, then the
 * second factor when they enrolled one): the apps they allowed, each revocable, their TOTP
 * second factor to enrol or remove, and their passkeys to register or remove. What an administrator does through the API, for oneself.
 */
export class EndUserAccount {
  private readonly secondFactor: EndUserSecondFactor;
  /** Enrolling and removing the TOTP second factor. */
  readonly totp: EndUserTotpEnrolment;
  /** Registering, listing and removing passkeys. */
  readonly passkeys: EndUserPasskeys;

  constructor(private readonly deps: EndUserAccountDeps) {
    this.secondFactor = new EndUserSecondFactor(deps);
    this.totp = new EndUserTotpEnrolment(deps, this.secondFactor);
    this.passkeys = this.secondFactor.passkeys;
  }

  /** The user a session cookie signs in, in `workspaceId` when given. */
  current(cookie: string | undefined, workspaceId?: string): Promise<SignedInUser | undefined> {
    return signedInUser(this.deps.store, this.deps.sessions, cookie, workspaceId);
  }

  /** The account page's sign-in form: a session cookie value, and whether the second factor is due. */
  async signIn(workspaceId: string, form: { email: string; password: string; ip: string }): Promise<AccountSignIn> {
    const outcome = await this.deps.signIns.signIn(workspaceId, { ...form, clientId: null });
    if (!outcome.ok) return outcome;
    const { user } = outcome;
    const cookie = this.deps.sessions.seal({ userId: user.id, workspaceId, authTime: this.deps.clock.now(), amr: ['pwd'] });
    return { ok: true, cookie, secondFactorDue: outcome.secondFactor };
  }

  /** What the second-factor page offers a user whose second factor is due. */
  secondFactorOffer(signed: SignedInUser, rp: RelyingParty): Promise<SecondFactorOffer> {
    return this.secondFactor.offer(signed.user, rp);
  }

  /** The second-factor form: a new session cookie value, or why not. */
  async verifySecondFactor(signed: SignedInUser, answer: SecondFactorAnswer, ip: string): Promise<AccountSignIn> {
    const verified = await this.secondFactor.verify(signed, answer, ip, null);
    return verified.ok ? { ok: true, cookie: verified.cookie, secondFactorDue: false } : verified;
  }

  /** The apps the user allowed. */
  apps(signed: SignedInUser, ip: string): Promise<GrantedApp[]> {
    return this.deps.grants.list(actorOf(signed.user, ip), signed.user.id);
  }

  /** Revokes one app's access, as an administrator would (audited with the user as the actor). */
  async revoke(signed: SignedInUser, clientId: string, ip: string): Promise<void> {
    await this.deps.grants.revoke(actorOf(signed.user, ip), signed.user.id, clientId);
  }
}
