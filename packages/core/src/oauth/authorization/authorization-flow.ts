import { generateKey } from '../../api-keys/key-format.js';
import { appendAudit } from '../../audit/audit-chain.js';
import type { Clock } from '../../clock.js';
import type { PasswordHasher } from '../../console/password-hasher.js';
import type { Keyring } from '../../custody/envelope-keyring.js';
import { findPushedRequest } from '../endpoints/pushed-authorization.js';
import type { OAuthStore } from '../oauth-store.js';
import { relyingPartyOf } from '../../webauthn/passkey-ceremony.js';
import type { EndUserRecord } from '../people/end-user-records.js';
import type { EndUserSession, EndUserSessions } from '../people/end-user-sessions.js';
import type { SecondFactorOffer } from '../people/end-user-passkeys.js';
import { EndUserSecondFactor, type SecondFactorAnswer } from '../people/end-user-second-factor.js';
import { EndUserSignIn, type SignInLimits } from '../people/end-user-sign-in.js';
import { signedInUser, type SignedInUser } from '../people/signed-in-user.js';
import {
  authorizationResponseUrl,
  checkAuthorizationRequest,
  type AuthorizationCheck,
  type AuthorizationRequest,
  type ErrorRedirect,
} from './authorization-request.js';

export const AUTHORIZATION_CODE_PREFIX = 'tessera_ac';
/** An authorization code lives a minute at most (RFC 6749 §4.1.2 advises ten minutes at most). */
export const AUTHORIZATION_CODE_TTL_MS = 60_000;

export interface AuthorizationFlowDeps {
  store: OAuthStore;
  keyring: Keyring;
  clock: Clock;
  passwords: PasswordHasher;
  sessions: EndUserSessions;
  /** Throttle and audit budget of failed sign-ins (default: the console's). */
  signInLimits?: SignInLimits | undefined;
  /** The sign-in shared with the other hosted pages, so that they share one throttle. */
  signIns?: EndUserSignIn | undefined;
}

/** What the authorization endpoint does next: show the sign-in page, the consent page, or send the browser back. */
export type AuthorizationStep =
  | { kind: 'sign-in'; request: AuthorizationRequest }
  | { kind: 'second-factor'; request: AuthorizationRequest; offer: SecondFactorOffer }
  | { kind: 'consent'; request: AuthorizationRequest; user: EndUserRecord }
  | { kind: 'redirect'; location: string };

/**
 * The authorization code flow at the authorization endpoint (RFC 6749 §4.1, OIDC Core §3.1.2):
 * who the user is (their session, or the sign-in page), whether they allowed this client these
 * scopes (remembered per user, client and scopes, or the consent page), and then a code. The
 * HTTP layer renders the pages and carries the cookies; each step checks the request afresh.
 */
export class AuthorizationFlow {
  private readonly signIns: EndUserSignIn;
  private readonly secondFactor: EndUserSecondFactor;

  constructor(private readonly deps: AuthorizationFlowDeps) {
    this.signIns = deps.signIns ?? new EndUserSignIn(deps);
    this.secondFactor = new EndUserSecondFactor({ ...deps, signIns: this.signIns });
  }

  check(params: ReadonlyMap<string, readonly string[]>): Promise<AuthorizationCheck> {
    return checkAuthorizationRequest(params, (id) => this.deps.store.getClient(id), {
      pushed: (client, uri) => findPushedRequest(this.deps, client, uri),
    });
  }

  /** The URL an error is redirected to (RFC 6749 §4.1.2.1, with `iss` per RFC 9207). */
  errorLocation(e: ErrorRedirect, issuer: string): string {
    return authorizationResponseUrl(e.redirectUri, issuer, { error: e.error, error_description: e.description, state: e.state });
  }

  /** The next step for a checked request and the session cookie sent with it; `fresh`: the user signed in just now. */
  async next(request: AuthorizationRequest, issuer: string, cookie: string | undefined, fresh = false): Promise<AuthorizationStep> {
    const signed = await this.signedIn(request, cookie);
    const now = this.deps.clock.now();
    const stale = signed !== undefined && request.maxAge !== undefined && now - signed.session.authTime > request.maxAge * 1000;
    if (signed === undefined || stale || (request.prompt.has('login') && !fresh)) {
      if (request.prompt.has('none')) return this.refuse(request, issuer, 'login_required', 'The user must sign in.');
      return { kind: 'sign-in', request };
    }
    if (signed.secondFactorDue) {
      if (request.prompt.has('none')) return this.refuse(request, issuer, 'login_required', 'The user must sign in.');
      return this.secondFactorStep(request, issuer, signed.user);
    }
    const consent = await this.deps.store.getConsent(signed.user.id, request.client.id);
    const covered = consent !== undefined && request.scope.every((s) => consent.scope.includes(s));
    if (!covered || request.prompt.has('consent')) {
      if (request.prompt.has('none')) return this.refuse(request, issuer, 'consent_required', 'The user must allow this application.');
      return { kind: 'consent', request, user: signed.user };
    }
    return { kind: 'redirect', location: await this.issueCode(request, signed.session, issuer) };
  }

  /**
   * The sign-in form: a session cookie value and the next step; `failed` when the email and
   * password do not fit, `throttled` when the address failed too often to be checked now.
   */
  async signIn(
    request: AuthorizationRequest,
    issuer: string,
    form: { email: string; password: string; ip: string },
  ): Promise<{ ok: true; cookie: string; step: AuthorizationStep } | { ok: false; throttled: boolean }> {
    const outcome = await this.signIns.signIn(request.client.workspaceId, { ...form, clientId: request.client.id });
    if (!outcome.ok) return outcome;
    const { user } = outcome;
    const cookie = this.deps.sessions.seal({
      userId: user.id,
      workspaceId: user.workspaceId,
      authTime: this.deps.clock.now(),
      amr: ['pwd'],
    });
    if (outcome.secondFactor) return { ok: true, cookie, step: await this.secondFactorStep(request, issuer, user) };
    return { ok: true, cookie, step: await this.next(request, issuer, cookie, true) };
  }

  /**
   * The second-factor form, for a session that gave its password: a new session cookie value (the
   * code counted in `amr`) and the next step; `throttled` when the address failed too often.
   */
  async verifySecondFactor(
    request: AuthorizationRequest,
    issuer: string,
    cookie: string | undefined,
    form: { answer: SecondFactorAnswer; ip: string },
  ): Promise<{ ok: true; cookie: string; step: AuthorizationStep } | { ok: false; throttled: boolean; step: AuthorizationStep }> {
    const signed = await this.signedIn(request, cookie);
    if (signed === undefined || !signed.secondFactorDue)
      return { ok: false, throttled: false, step: await this.next(request, issuer, cookie) };
    const verified = await this.secondFactor.verify(signed, form.answer, form.ip, request.client.id);
    if (!verified.ok) return { ...verified, step: await this.secondFactorStep(request, issuer, signed.user) };
    return { ok: true, cookie: verified.cookie, step: await this.next(request, issuer, verified.cookie, true) };
  }

  /** The second-factor page's step: what it offers the user (a passkey challenge is held for them). */
  private async secondFactorStep(request: AuthorizationRequest, issuer: string, user: EndUserRecord): Promise<AuthorizationStep> {
    return { kind: 'second-factor', request, offer: await this.secondFactor.offer(user, relyingPartyOf(issuer)) };
  }

  /** The consent form: "Allow" remembers the scopes and issues a code; "Deny" answers `access_denied`. */
  async decide(
    request: AuthorizationRequest,
    issuer: string,
    cookie: string | undefined,
    allow: boolean,
    ip: string,
  ): Promise<AuthorizationStep> {
    const signed = await this.signedIn(request, cookie);
    if (signed === undefined) return { kind: 'sign-in', request };
    if (signed.secondFactorDue) return this.secondFactorStep(request, issuer, signed.user);
    if (!allow) return this.refuse(request, issuer, 'access_denied', 'The user did not allow this application.');
    const { user } = signed;
    const now = this.deps.clock.now();
    await this.deps.store.transaction(async (tx) => {
      const before = await tx.getConsent(user.id, request.client.id);
      const scope = [...new Set([...(before?.scope ?? []), ...request.scope])];
      await tx.saveConsent({
        userId: user.id,
        clientId: request.client.id,
        workspaceId: user.workspaceId,
        scope,
        createdAt: before?.createdAt ?? now,
        updatedAt: now,
      });
      await appendAudit(
        tx,
        this.deps.clock,
        { id: `end_user:${user.id}`, workspaceId: user.workspaceId, ip },
        { action: 'oauth_consent.granted', target: request.client.id, details: { userId: user.id, scope: request.scope } },
      );
    });
    return { kind: 'redirect', location: await this.issueCode(request, signed.session, issuer) };
  }

  /** The session behind a cookie, if it is good for this request's workspace and its user may sign in. */
  private signedIn(request: AuthorizationRequest, cookie: string | undefined): Promise<SignedInUser | undefined> {
    return signedInUser(this.deps.store, this.deps.sessions, cookie, request.client.workspaceId);
  }

  private refuse(request: AuthorizationRequest, issuer: string, error: ErrorRedirect['error'], description: string): AuthorizationStep {
    return {
      kind: 'redirect',
      location: this.errorLocation({ redirectUri: request.redirectUri, error, description, state: request.state }, issuer),
    };
  }

  /** A single-use code, stored as its keyed hash, bound to the client, redirect URI and PKCE challenge. */
  private async issueCode(request: AuthorizationRequest, session: EndUserSession, issuer: string): Promise<string> {
    const now = this.deps.clock.now();
    // A pushed request yields one code (RFC 9126 §4: request_uri values are one-time use).
    if (request.pushed !== undefined && !(await this.deps.store.spendPushedRequest(request.pushed, now)))
      return this.errorLocation(
        {
          redirectUri: request.redirectUri,
          error: 'invalid_request',
          description: 'The pushed request was used already.',
          state: request.state,
        },
        issuer,
      );
    const code = generateKey(AUTHORIZATION_CODE_PREFIX);
    await this.deps.store.insertAuthorizationCode({
      hash: this.deps.keyring.hash('authorization_code', code),
      workspaceId: request.client.workspaceId,
      clientId: request.client.id,
      userId: session.userId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      scope: request.scope,
      nonce: request.nonce ?? null,
      authTime: session.authTime,
      amr: session.amr,
      createdAt: now,
      expiresAt: now + AUTHORIZATION_CODE_TTL_MS,
      usedAt: null,
      familyId: null,
      accessTokenJti: null,
      accessTokenExpiresAt: null,
    });
    return authorizationResponseUrl(request.redirectUri, issuer, { code, state: request.state });
  }
}
