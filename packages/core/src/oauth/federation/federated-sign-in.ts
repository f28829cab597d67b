import type { Actor } from '../../audit/audit-chain.js';
import type { Clock } from '../../clock.js';
import type { Keyring } from '../../custody/envelope-keyring.js';
import type { AuthorizationRequest } from '../authorization/authorization-request.js';
import type { OAuthStore } from '../oauth-store.js';
import type { EndUserSessions } from '../people/end-user-sessions.js';
import type { EndUserSignIn } from '../people/end-user-sign-in.js';
import { DEFAULT_WORKSPACE_ID } from '../../root-keys/root-key-service.js';
import { findByUserCode, normaliseUserCode } from '../device/user-code.js';
import { federatedAccount } from './federated-account.js';
import { decodeResume, encodeResume, type FederationResume } from './federation-resume.js';
import { discoverUpstream, redeemUpstreamAnswer } from './upstream-answer.js';
import type { UpstreamDiscovery } from './upstream-discovery.js';
import { beginUpstreamSignIn, END_USER_FEDERATION, takeUpstreamState, type StateRefusal } from './upstream-redirect.js';
import { upstreamSecretAad } from './upstream-providers.js';

/** Where upstream providers send the browser back: register `<issuer>/oauth/federation/callback` with them. */
export const FEDERATION_CALLBACK_PATH = '/oauth/federation/callback';

export interface FederatedSignInDeps {
  store: OAuthStore;
  keyring: Keyring;
  clock: Clock;
  sessions: EndUserSessions;
  discovery: UpstreamDiscovery;
  /** Where a refused sign-in is counted and audited, with the failed passwords of every hosted page. */
  signIns: Pick<EndUserSignIn, 'failed'>;
}

/** The start of a federated sign-in: where to send the browser, and the binding cookie it must keep. */
export type FederationStart = { ok: true; location: string; binding: string } | { ok: false; page: string };

/**
 * The way back from the upstream: the session cookie and what to go on with (an authorization
 * request, the device verification page, the account page);
 * or a page saying why not (`status` 400 for a callback that is not this browser's or not valid,
 * 403 for an account that may not sign in this way, 502 for an upstream that failed).
 */
export type FederationFinish =
  { ok: true; resume: FederationResume; cookie: string } | { ok: false; status: 400 | 403 | 502; page: string };

/**
 * Sign-in with an upstream OpenID Provider (OIDC Core §3.1, as its relying party): the
 * authorization code flow with PKCE (S256), `state` and `nonce`. The `state` is random, kept as a
 * keyed hash bound to a cookie of the browser that started, and spent on the way back, so a
 * forged, another browser's or a replayed callback is refused. The upstream's ID token is
 * validated exactly; then the account is found, linked or made (`federatedAccount`) and the user
 * holds a Tessera session with `amr: ["fed"]`, its `auth_time` the time of this sign-in.
 */
export class FederatedSignIn {
  constructor(private readonly deps: FederatedSignInDeps) {}

  /** The providers a client's sign-in page offers: the workspace's, by name. */
  async providers(workspaceId: string): Promise<{ id: string; name: string }[]> {
    const all = await this.deps.store.listUpstreamProviders(workspaceId);
    return all.map((p) => ({ id: p.id, name: p.name })).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Sends the browser to the upstream, for a checked authorization request (its `query`). */
  start(request: AuthorizationRequest, query: string, providerId: string, issuer: string, binding?: string): Promise<FederationStart> {
    // A fresh sign-in asked of Tessera is asked of the upstream too.
    return this.startFor(
      request.client.workspaceId,
      { kind: 'authorization', query },
      providerId,
      issuer,
      binding,
      request.prompt.has('login'),
    );
  }

  /**
   * Sends the browser to the upstream, to go on with `resume` afterwards: the provider must be one
   * of `workspaceId` (the workspace of the client, the device's client, or the account page).
   */
  async startFor(
    workspaceId: string,
    resume: FederationResume,
    providerId: string,
    issuer: string,
    binding?: string,
    promptLogin = false,
  ): Promise<FederationStart> {
    const { store, keyring, clock } = this.deps;
    const request = encodeResume(resume);
    const provider = await store.getUpstreamProvider(providerId);
    if (request === undefined || provider === undefined || provider.workspaceId !== workspaceId)
      return { ok: false, page: 'This sign-in option is not offered here.' };
    const found = await discoverUpstream(this.deps.discovery, provider);
    if (!found.ok) return found;
    const { authorizationEndpoint } = found.discovered.metadata;
    const started = await beginUpstreamSignIn(
      { store, keyring, domains: END_USER_FEDERATION, now: clock.now() },
      { workspaceId: provider.workspaceId, providerId, request },
      {
        authorizationEndpoint,
        clientId: provider.clientId,
        redirectUri: issuer + FEDERATION_CALLBACK_PATH,
        scopes: provider.scopes,
        ...(promptLogin && { extra: { prompt: 'login' } }),
      },
      binding,
    );
    return { ok: true, ...started };
  }

  /** The callback: the upstream's answer (`code`, `state`, `iss`, or `error`), with this browser's binding cookie. */
  async finish(answer: ReadonlyMap<string, string>, binding: string | undefined, issuer: string, ip: string): Promise<FederationFinish> {
    const { store, keyring, clock } = this.deps;
    const refused = (status: 400 | 403 | 502, page: string) => ({ ok: false, status, page }) as const;
    const state = answer.get('state');
    const now = clock.now();
    // Every refusal is counted for the address and audited within the budget, as a wrong password is.
    const refusal = async (workspaceId: string, clientId: string | null, reason: string, providerId?: string) => {
      const actor: Actor = { id: 'end_user:unknown', workspaceId, ip };
      await this.deps.signIns.failed(actor, { target: null, clientId, reason, ...(providerId !== undefined && { providerId }) });
    };
    const taken = await takeUpstreamState({ store, keyring, domains: END_USER_FEDERATION, now }, state, binding);
    if (!taken.ok) {
      // Not this browser's, or not known: whose sign-in it was is not known either.
      await refusal(DEFAULT_WORKSPACE_ID, null, `state_${taken.reason}`);
      return refused(400, STATE_REFUSALS[taken.reason]);
    }
    const pending = taken.pending;
    const provider = await store.getUpstreamProvider(pending.providerId);
    if (provider === undefined) {
      await refusal(pending.workspaceId, null, 'provider_removed', pending.providerId);
      return refused(400, 'This sign-in option was removed. Go back to the application and try again.');
    }
    const resume = decodeResume(pending.request);
    const clientId = await this.clientOf(resume);
    // An account page is only ever of the provider's own workspace (as checked at the start).
    if (resume.kind === 'account' && resume.workspace !== provider.workspaceId) {
      await refusal(provider.workspaceId, null, 'other_workspace', provider.id);
      return refused(400, 'This sign-in option is not offered here.');
    }
    const fail = (reason: string) => refusal(provider.workspaceId, clientId, reason, provider.id);
    const token = await redeemUpstreamAnswer(
      answer,
      { issuer: provider.issuer, name: provider.name, errorReason: (error) => `upstream_${error}` },
      this.deps,
      { domains: END_USER_FEDERATION, state: state! },
      {
        redirectUri: issuer + FEDERATION_CALLBACK_PATH,
        clientId: provider.clientId,
        clientSecret: async () => (await keyring.decrypt(provider.clientSecretCiphertext, upstreamSecretAad(provider.id))).toString('utf8'),
        needs: [provider.claimMapping.email ?? 'email'],
      },
      fail,
      'Go back to the application and try again.',
    );
    if (!token.ok) return token;
    const account = await federatedAccount({ store, clock }, provider, token.claims, { ip, clientId });
    if (!account.ok) {
      await fail(account.reason);
      return refused(403, REFUSALS[account.reason](provider.name));
    }
    const cookie = this.deps.sessions.seal({ userId: account.user.id, workspaceId: account.user.workspaceId, authTime: now, amr: ['fed'] });
    return { ok: true, resume, cookie };
  }

  /** The client a sign-in is for: the authorization request's, the device's; none for the account page. */
  private async clientOf(resume: FederationResume): Promise<string | null> {
    if (resume.kind === 'authorization') return new URLSearchParams(resume.query).get('client_id');
    if (resume.kind === 'account') return null;
    const code = normaliseUserCode(resume.userCode);
    return code === undefined ? null : ((await findByUserCode(this.deps, code))?.clientId ?? null);
  }
}

const STATE_REFUSALS: Record<StateRefusal, string> = {
  unknown: 'This sign-in is not known. Go back to the application and try again.',
  expired: 'This sign-in is not known, or it expired. Go back to the application and try again.',
  other_browser: 'This sign-in was started in another browser. Go back to the application and try again.',
  used: 'This sign-in was completed already. Go back to the application and try again.',
};

const REFUSALS: Record<'no_email' | 'email_not_verified' | 'disabled', (provider: string) => string> = {
  no_email: (p) => `${p} did not share an email address, which an account here needs.`,
  email_not_verified: (p) =>
    `An account with this email exists here, and ${p} has not verified that the email is yours, so the two cannot be linked. Sign in with your password, or verify your email at ${p} first.`,
  disabled: () => 'This account is disabled.',
};
