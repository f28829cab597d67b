import { discoverUpstream, redeemUpstreamAnswer } from '../oauth/federation/upstream-answer.js';
import type { UpstreamDiscovery } from '../oauth/federation/upstream-discovery.js';
import type { UpstreamProviderRepos } from '../oauth/federation/upstream-provider-repos.js';
import { beginUpstreamSignIn, CONSOLE_FEDERATION, takeUpstreamState } from '../oauth/federation/upstream-redirect.js';
import { refusedActor, ssoSignIn, type ConsoleSsoAccountDeps, type SsoRefusal } from './console-sso-account.js';
import type { ConsoleSsoSettings } from './console-sso-settings.js';
import type { SignInLockout } from './sign-in-lockout.js';

export interface ConsoleSsoDeps extends ConsoleSsoAccountDeps {
  /** Where the sign-ins sent upstream wait for the browser (shared with the end users' ones, under other hash domains). */
  pending: Pick<UpstreamProviderRepos, 'insertFederatedSignIn' | 'findFederatedSignIn' | 'spendFederatedSignIn'>;
  discovery: UpstreamDiscovery;
  /** Where a refused sign-in is counted and audited, with the console's other failed sign-ins. */
  lockout: Pick<SignInLockout, 'refused'>;
}

/** The console's sign-ins in `oauth_federated_sign_ins` name this as their provider. */
const PROVIDER = 'console';

/** The start: where to send the browser, with the binding cookie it must keep; or a page saying why not. */
export type ConsoleSsoStart = { ok: true; location: string; binding: string } | { ok: false; page: string };

/** The callback: a full console session's token; or a page and its status (400 not this browser's or not valid, 403 refused, 502 upstream failed). */
export type ConsoleSsoFinish = { ok: true; token: string } | { ok: false; status: 400 | 403 | 502; page: string };

/**
 * Console sign-in with the deployment's upstream OpenID Provider, as its relying party: the code
 * flow with PKCE (S256), `state` and `nonce`, the `state` bound to the browser by a cookie and
 * taken back once, the ID token validated exactly — the machinery of the end users' sign-in with
 * an upstream provider. The upstream is responsible for how the person signed in: the console's
 * own second factor is not asked.
 */
export class ConsoleSso {
  constructor(
    private readonly deps: ConsoleSsoDeps,
    readonly settings: ConsoleSsoSettings,
  ) {}

  async start(redirectUri: string, binding: string | undefined): Promise<ConsoleSsoStart> {
    const { settings } = this;
    const found = await discoverUpstream(this.deps.discovery, { issuer: settings.issuer, name: settings.label });
    if (!found.ok) return found;
    const { authorizationEndpoint } = found.discovered.metadata;
    const started = await beginUpstreamSignIn(
      { store: this.deps.pending, keyring: this.deps.keyring, domains: CONSOLE_FEDERATION, now: this.deps.clock.now() },
      { workspaceId: settings.workspaceId, providerId: PROVIDER, request: '' },
      { authorizationEndpoint, clientId: settings.clientId, redirectUri, scopes: settings.scopes },
      binding,
    );
    return { ok: true, ...started };
  }

  async finish(
    answer: ReadonlyMap<string, string>,
    binding: string | undefined,
    redirectUri: string,
    ip: string,
    userAgent: string | undefined,
  ): Promise<ConsoleSsoFinish> {
    const { settings, deps } = this;
    const { keyring, clock } = deps;
    const refused = (status: 400 | 403 | 502, page: string) => ({ ok: false, status, page }) as const;
    const state = answer.get('state');
    // Every refusal is counted for the address and audited within the budget, as a wrong password is.
    const fail = (reason: string, userId: string | null = null) =>
      deps.lockout.refused(refusedActor(settings.workspaceId, userId, ip), userId, {
        reason: `upstream_${reason}`.slice(0, 80),
        issuer: settings.issuer,
      });
    const taken = await takeUpstreamState({ store: deps.pending, keyring, domains: CONSOLE_FEDERATION, now: clock.now() }, state, binding);
    if (!taken.ok || taken.pending.providerId !== PROVIDER) {
      const reason = taken.ok ? 'unknown' : taken.reason;
      await fail(`state_${reason}`);
      return refused(400, STATE_REFUSALS[reason]);
    }
    const token = await redeemUpstreamAnswer(
      answer,
      { issuer: settings.issuer, name: settings.label, errorReason: (error) => `error_${error}` },
      deps,
      { domains: CONSOLE_FEDERATION, state: state! },
      { redirectUri, clientId: settings.clientId, clientSecret: () => settings.clientSecret, needs: ['email', settings.roleClaim] },
      fail,
      'Go back to the console and try again.',
    );
    if (!token.ok) return token;
    const signed = await ssoSignIn(deps, settings, token.claims, ip, userAgent);
    if (!signed.ok) {
      await fail(signed.reason, signed.userId);
      return refused(403, REFUSALS[signed.reason](settings.label));
    }
    return { ok: true, token: signed.token };
  }
}

const STATE_REFUSALS = {
  unknown: 'This sign-in is not known. Go back to the console and try again.',
  expired: 'This sign-in expired. Go back to the console and try again.',
  other_browser: 'This sign-in was started in another browser. Go back to the console and try again.',
  used: 'This sign-in was completed already. Go back to the console and try again.',
} as const;

const REFUSALS: Record<SsoRefusal, (label: string) => string> = {
  no_role: (p) => `${p} signed you in, but gives you no role in this console. Ask your administrator to add you to a group that has one.`,
  no_email: (p) => `${p} did not share an email address, which a console account needs.`,
  email_not_verified: (p) => `${p} has not verified your email address, so no console account can be made or linked for it.`,
  other_workspace: () => 'The console account with this email belongs to another workspace.',
  disabled: () => 'This console account is disabled.',
};
