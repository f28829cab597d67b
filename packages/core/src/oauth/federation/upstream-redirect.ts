import { createHash, randomBytes } from 'node:crypto';
import type { Keyring } from '../../custody/envelope-keyring.js';
import type { HashDomain } from '../../custody/hash-domain.js';
import { safeEqual } from '../../custody/safe-equal.js';
import type { FederatedSignInRecord } from './upstream-provider-records.js';
import type { UpstreamProviderRepos } from './upstream-provider-repos.js';

/**
 * The relying-party half of a sign-in with an upstream OpenID Provider that does not depend on who
 * signs in (an end user at a hosted page, a person at the console): the `state`, the cookie that
 * binds it to the browser, the PKCE verifier and the `nonce` derived from it, the authorization
 * URL, and taking the `state` back once. Each kind of sign-in hashes under its own domains, so a
 * `state` sent for one is never found by the other.
 */
export interface UpstreamHashDomains {
  state: HashDomain;
  binding: HashDomain;
  pkce: HashDomain;
  nonce: HashDomain;
}

export const END_USER_FEDERATION: UpstreamHashDomains = {
  state: 'federation_state',
  binding: 'federation_binding',
  pkce: 'federation_pkce',
  nonce: 'federation_nonce',
};

export const CONSOLE_FEDERATION: UpstreamHashDomains = {
  state: 'console_sso_state',
  binding: 'console_sso_binding',
  pkce: 'console_sso_pkce',
  nonce: 'console_sso_nonce',
};

/** How long a browser has at the upstream before its sign-in there is no longer taken. */
export const UPSTREAM_SIGN_IN_TTL_MS = 10 * 60_000;

type PendingStore = Pick<UpstreamProviderRepos, 'insertFederatedSignIn' | 'findFederatedSignIn' | 'spendFederatedSignIn'>;

/** What the authorization request to the upstream carries besides what `beginUpstreamSignIn` makes. */
export interface UpstreamAuthorization {
  authorizationEndpoint: string;
  clientId: string;
  redirectUri: string;
  scopes: readonly string[];
  /** Extra parameters (`prompt`). */
  extra?: Record<string, string>;
}

/**
 * Records a sign-in about to be sent upstream and returns where to send the browser, with the
 * binding cookie to set (the browser's own one when it has a well-formed one, else a new one).
 */
export async function beginUpstreamSignIn(
  deps: { store: PendingStore; keyring: Keyring; domains: UpstreamHashDomains; now: number },
  pending: { workspaceId: string; providerId: string; request: string },
  to: UpstreamAuthorization,
  binding: string | undefined,
): Promise<{ location: string; binding: string }> {
  const { store, keyring, domains, now } = deps;
  const cookie = binding !== undefined && /^[A-Za-z0-9_-]{32}$/.test(binding) ? binding : randomBytes(24).toString('base64url');
  const state = randomBytes(32).toString('base64url');
  await store.insertFederatedSignIn({
    ...pending,
    stateHash: keyring.hash(domains.state, state),
    bindingHash: keyring.hash(domains.binding, cookie),
    createdAt: now,
    expiresAt: now + UPSTREAM_SIGN_IN_TTL_MS,
    usedAt: null,
  });
  const secrets = upstreamSecrets(keyring, domains, state);
  const url = new URL(to.authorizationEndpoint);
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: to.clientId,
    redirect_uri: to.redirectUri,
    scope: to.scopes.join(' '),
    state,
    nonce: secrets.nonce,
    code_challenge: createHash('sha256').update(secrets.verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...to.extra,
  }))
    url.searchParams.set(k, v);
  return { location: url.href, binding: cookie };
}

/** Why a `state` brought back is not taken: unknown (or malformed), expired, another browser's, or used already. */
export type StateRefusal = 'unknown' | 'expired' | 'other_browser' | 'used';

/**
 * Takes a `state` back, once, in the browser that started: it must be one this kind of sign-in
 * sent, not expired, bound to this browser's cookie (compared in constant time), and not spent;
 * spending it is one conditional write, so of two racing callbacks one wins.
 */
export async function takeUpstreamState(
  deps: { store: PendingStore; keyring: Keyring; domains: UpstreamHashDomains; now: number },
  state: string | undefined,
  binding: string | undefined,
): Promise<{ ok: true; pending: FederatedSignInRecord } | { ok: false; reason: StateRefusal }> {
  const { store, keyring, domains, now } = deps;
  if (state === undefined || !/^[A-Za-z0-9_-]{43}$/.test(state)) return { ok: false, reason: 'unknown' };
  const pending = await store.findFederatedSignIn(keyring.hash(domains.state, state));
  if (pending === undefined) return { ok: false, reason: 'unknown' };
  if (pending.expiresAt <= now) return { ok: false, reason: 'expired' };
  const mine = binding !== undefined && binding.length <= 64 && safeEqual(keyring.hash(domains.binding, binding), pending.bindingHash);
  if (!mine) return { ok: false, reason: 'other_browser' };
  if (!(await store.spendFederatedSignIn(pending.stateHash, now))) return { ok: false, reason: 'used' };
  return { ok: true, pending };
}

/** The PKCE verifier and the nonce of a sign-in, derived from its state under the pepper: neither is stored. */
export function upstreamSecrets(keyring: Keyring, domains: UpstreamHashDomains, state: string): { verifier: string; nonce: string } {
  return { verifier: keyring.hash(domains.pkce, state), nonce: keyring.hash(domains.nonce, state) };
}
