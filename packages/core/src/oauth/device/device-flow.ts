import { appendAudit } from '../../audit/audit-chain.js';
import type { Clock } from '../../clock.js';
import type { Keyring } from '../../custody/envelope-keyring.js';
import { AuthFailureThrottle } from '../../root-keys/auth-failure-throttle.js';
import type { OAuthClientRecord } from '../oauth-records.js';
import type { OAuthStore } from '../oauth-store.js';
import type { DeviceAuthorizationRecord, EndUserRecord } from '../people/end-user-records.js';
import type { EndUserSessions } from '../people/end-user-sessions.js';
import type { SecondFactorOffer } from '../people/end-user-passkeys.js';
import { EndUserSecondFactor, type SecondFactorAnswer } from '../people/end-user-second-factor.js';
import { relyingPartyOf } from '../../webauthn/passkey-ceremony.js';
import type { EndUserSignIn } from '../people/end-user-sign-in.js';
import { signedInUser, type SignedInUser } from '../people/signed-in-user.js';
import { displayUserCode, findByUserCode, normaliseUserCode } from './user-code.js';

/** Wrong user codes one source network may enter in a window before it must wait (RFC 8628 §5.1). */
export const USER_CODE_LIMITS = { perNetwork: 10, windowMs: 15 * 60_000 } as const;

export interface DeviceFlowDeps {
  store: OAuthStore;
  keyring: Keyring;
  clock: Clock;
  sessions: EndUserSessions;
  signIns: EndUserSignIn;
}

/** What the verification page shows next. `userCode` is the code as shown (`WDJB-MJHT`). */
export type DeviceStep =
  | { kind: 'enter-code'; userCode?: string | undefined; failed?: 'unknown' | 'throttled' | undefined }
  | { kind: 'sign-in'; userCode: string; client: OAuthClientRecord }
  | { kind: 'second-factor'; userCode: string; client: OAuthClientRecord; offer: SecondFactorOffer }
  | { kind: 'confirm'; userCode: string; client: OAuthClientRecord; user: EndUserRecord; scope: string[] }
  | { kind: 'done'; approved: boolean; client: OAuthClientRecord };

type Found = { request: DeviceAuthorizationRecord; client: OAuthClientRecord; userCode: string };

/**
 * The device flow's verification page (RFC 8628 §3.3): the user enters the code the device shows,
 * signs in (the same sign-in, throttle and audit as the authorization endpoint) and approves or
 * denies the device. The user always confirms, even for a client they allowed before: the code
 * may have been sent to them by someone else (RFC 8628 §5.4). Wrong codes are counted per source
 * network, and past the limit no code is looked up until the window ends (RFC 8628 §5.1).
 */
export class DeviceFlow {
  private readonly wrongCodes: AuthFailureThrottle;
  private readonly secondFactor: EndUserSecondFactor;

  constructor(private readonly deps: DeviceFlowDeps) {
    this.secondFactor = new EndUserSecondFactor(deps);
    this.wrongCodes = new AuthFailureThrottle(deps.clock, { limit: USER_CODE_LIMITS.perNetwork, windowMs: USER_CODE_LIMITS.windowMs });
  }

  /** The code entered: the sign-in page, or the confirmation page for a user signed in to the client's workspace. */
  async enter(typed: string, cookie: string | undefined, ip: string, issuer: string): Promise<DeviceStep> {
    const found = await this.find(typed, ip);
    if (!('request' in found)) return found;
    const signed = await this.signedIn(found.client, cookie);
    if (signed === undefined) return { kind: 'sign-in', userCode: found.userCode, client: found.client };
    if (signed.secondFactorDue) return this.secondFactorStep(found, signed.user, issuer);
    return { kind: 'confirm', userCode: found.userCode, client: found.client, user: signed.user, scope: found.request.scope };
  }

  /** The second-factor form of the verification page: a new session cookie value and the confirmation page. */
  async verifySecondFactor(
    typed: string,
    cookie: string | undefined,
    form: { answer: SecondFactorAnswer; ip: string; issuer: string },
  ): Promise<{ ok: true; cookie: string; step: DeviceStep } | { ok: false; throttled: boolean; step: DeviceStep }> {
    const found = await this.find(typed, form.ip);
    if (!('request' in found)) return { ok: false, throttled: false, step: found };
    const signed = await this.signedIn(found.client, cookie);
    if (signed === undefined || !signed.secondFactorDue)
      return { ok: false, throttled: false, step: await this.enter(typed, cookie, form.ip, form.issuer) };
    const verified = await this.secondFactor.verify(signed, form.answer, form.ip, found.client.id);
    if (!verified.ok) return { ...verified, step: await this.secondFactorStep(found, signed.user, form.issuer) };
    const { user } = signed;
    return {
      ok: true,
      cookie: verified.cookie,
      step: { kind: 'confirm', userCode: found.userCode, client: found.client, user, scope: found.request.scope },
    };
  }

  /** The sign-in form of the verification page: a session cookie value and the confirmation page. */
  async signIn(
    typed: string,
    form: { email: string; password: string; ip: string; issuer: string },
  ): Promise<{ ok: true; cookie: string; step: DeviceStep } | { ok: false; throttled: boolean; step: DeviceStep }> {
    const found = await this.find(typed, form.ip);
    if (!('request' in found)) return { ok: false, throttled: false, step: found };
    const outcome = await this.deps.signIns.signIn(found.client.workspaceId, { ...form, clientId: found.client.id });
    if (!outcome.ok) return { ...outcome, step: { kind: 'sign-in', userCode: found.userCode, client: found.client } };
    const cookie = this.deps.sessions.seal({
      userId: outcome.user.id,
      workspaceId: outcome.user.workspaceId,
      authTime: this.deps.clock.now(),
      amr: ['pwd'],
    });
    if (outcome.secondFactor) return { ok: true, cookie, step: await this.secondFactorStep(found, outcome.user, form.issuer) };
    return {
      ok: true,
      cookie,
      step: { kind: 'confirm', userCode: found.userCode, client: found.client, user: outcome.user, scope: found.request.scope },
    };
  }

  /** The second-factor page's step: what it offers the user (a passkey challenge is held for them). */
  private async secondFactorStep(found: Found, user: EndUserRecord, issuer: string): Promise<DeviceStep> {
    const offer = await this.secondFactor.offer(user, relyingPartyOf(issuer));
    return { kind: 'second-factor', userCode: found.userCode, client: found.client, offer };
  }

  /** The confirmation form: approve (remembering the consent) or deny, once, audited. */
  async decide(typed: string, cookie: string | undefined, allow: boolean, ip: string, issuer: string): Promise<DeviceStep> {
    const found = await this.find(typed, ip);
    if (!('request' in found)) return found;
    const signed = await this.signedIn(found.client, cookie);
    if (signed === undefined) return { kind: 'sign-in', userCode: found.userCode, client: found.client };
    if (signed.secondFactorDue) return this.secondFactorStep(found, signed.user, issuer);
    const { user, session } = signed;
    const { request, client } = found;
    const now = this.deps.clock.now();
    const decided = await this.deps.store.transaction(async (tx) => {
      const status = allow ? 'approved' : 'denied';
      if (
        !(await tx.decideDeviceAuthorization(request.deviceCodeHash, {
          status,
          userId: user.id,
          authTime: session.authTime,
          amr: session.amr,
          at: now,
        }))
      )
        return false;
      const actor = { id: `end_user:${user.id}`, workspaceId: user.workspaceId, ip };
      if (allow) {
        const before = await tx.getConsent(user.id, client.id);
        await tx.saveConsent({
          userId: user.id,
          clientId: client.id,
          workspaceId: user.workspaceId,
          scope: [...new Set([...(before?.scope ?? []), ...request.scope])],
          createdAt: before?.createdAt ?? now,
          updatedAt: now,
        });
        await appendAudit(tx, this.deps.clock, actor, {
          action: 'oauth_consent.granted',
          target: client.id,
          details: { userId: user.id, scope: request.scope, grant: 'device_code' },
        });
      } else
        await appendAudit(tx, this.deps.clock, actor, {
          action: 'oauth_device_authorization.denied',
          target: client.id,
          details: { userId: user.id, scope: request.scope },
        });
      return true;
    });
    // Decided meanwhile (in another tab) or expired in between: the code is no longer good.
    if (!decided) return { kind: 'enter-code', failed: 'unknown' };
    return { kind: 'done', approved: allow, client };
  }

  /** The pending request a typed code names, or the page that says why not (a wrong code is counted). */
  private async find(typed: string, ip: string): Promise<Found | DeviceStep> {
    if (this.wrongCodes.retryAfter(ip) !== undefined) return { kind: 'enter-code', failed: 'throttled' };
    const code = normaliseUserCode(typed);
    const now = this.deps.clock.now();
    const request = code === undefined ? undefined : await findByUserCode(this.deps, code);
    const client = request === undefined ? undefined : await this.deps.store.getClient(request.clientId);
    if (
      code === undefined ||
      request === undefined ||
      request.status !== 'pending' ||
      request.expiresAt <= now ||
      client === undefined ||
      client.deletedAt !== null
    ) {
      this.wrongCodes.failed(ip);
      return { kind: 'enter-code', userCode: typed.slice(0, 16), failed: 'unknown' };
    }
    return { request, client, userCode: displayUserCode(code) };
  }

  /** The session behind a cookie, if it is good for the client's workspace and its user may sign in. */
  private signedIn(client: OAuthClientRecord, cookie: string | undefined): Promise<SignedInUser | undefined> {
    return signedInUser(this.deps.store, this.deps.sessions, cookie, client.workspaceId);
  }
}
