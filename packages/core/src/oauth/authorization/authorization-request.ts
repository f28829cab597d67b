import { OAuthError, type OAuthErrorCode } from '../oauth-error.js';
import type { OAuthClientRecord } from '../oauth-records.js';
import { grantScopes } from '../grants/grant-scopes.js';
import { redirectUriMatches } from './redirect-uris.js';

/** The scopes of OpenID Connect Core §5.4 and §11, which any client of people may ask for. */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/** Errors the authorization endpoint sends back to the client (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6). */
export type AuthorizationErrorCode =
  | Extract<OAuthErrorCode, 'invalid_request' | 'unauthorized_client' | 'invalid_scope' | 'server_error' | 'temporarily_unavailable'>
  | 'unsupported_response_type'
  | 'access_denied'
  | 'login_required'
  | 'consent_required'
  | 'request_not_supported'
  | 'request_uri_not_supported';

/** A valid authorization request, as the endpoint goes on with it. */
export interface AuthorizationRequest {
  client: OAuthClientRecord;
  redirectUri: string;
  state: string | undefined;
  scope: string[];
  nonce: string | undefined;
  codeChallenge: string;
  prompt: ReadonlySet<'none' | 'login' | 'consent'>;
  /** Seconds (OIDC Core §3.1.2.1). */
  maxAge: number | undefined;
  loginHint: string | undefined;
  /** The keyed hash of the pushed request it came from (RFC 9126), spent when it yields a code. */
  pushed: string | undefined;
}

/** A pushed request, found by the `request_uri` the authorization request names. */
export interface PushedParams {
  hash: string;
  params: Record<string, string>;
}

export interface CheckOptions {
  /** The pushed request a `request_uri` names, if it is this client's, unexpired and unused (RFC 9126 §4). */
  pushed?: ((client: OAuthClientRecord, requestUri: string) => Promise<PushedParams | undefined>) | undefined;
  /** The request is being pushed (RFC 9126 §2): "PAR required" does not apply to it. */
  pushing?: boolean | undefined;
}

/**
 * What an authorization request is: one to go on with; one to refuse on a page of our own, because
 * its client or redirect URI cannot be trusted with the answer (RFC 6749 §4.1.2.1, RFC 9700 §4.1);
 * or one refused by redirecting an error to the client's registered redirect URI.
 */
export type AuthorizationCheck =
  { ok: true; request: AuthorizationRequest } | { ok: false; page: string } | { ok: false; redirect: ErrorRedirect };

export interface ErrorRedirect {
  redirectUri: string;
  error: AuthorizationErrorCode;
  description: string;
  state: string | undefined;
}

const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const MAX_VALUE = 2048;

/**
 * Checks an authorization request (RFC 6749 §4.1.1, RFC 7636, OIDC Core §3.1.2.1) for the client
 * `getClient` finds. PKCE is required with S256 only: a missing challenge and `plain` are refused
 * (RFC 9700 §2.1.1); the redirect URI must be one the client registered, matched exactly.
 */
export async function checkAuthorizationRequest(
  query: ReadonlyMap<string, readonly string[]>,
  getClient: (id: string) => Promise<OAuthClientRecord | undefined>,
  options: CheckOptions = {},
): Promise<AuthorizationCheck> {
  let params = query;
  const one = (name: string): string | undefined => {
    const v = params.get(name)?.[0];
    return v === '' ? undefined : v;
  };
  for (const [name, values] of params)
    if (values.length > 1) return { ok: false, page: `The parameter ${name.slice(0, 64)} appears more than once.` };
  if ([...params.values()].some((v) => v[0]!.length > MAX_VALUE)) return { ok: false, page: 'A parameter is too long.' };
  const clientId = one('client_id');
  const client = clientId === undefined || !/^cli_[0-9A-Za-z]{22}$/.test(clientId) ? undefined : await getClient(clientId);
  if (client === undefined || client.deletedAt !== null) return { ok: false, page: 'The application that sent you here is not known.' };
  // RFC 9126 §4: the request is the one pushed; of the query only client_id (which must be the
  // pushing client's) and request_uri count. Not found: no redirect URI to trust, so a page.
  let pushed: string | undefined;
  const requestUri = one('request_uri');
  if (requestUri !== undefined && options.pushed !== undefined) {
    const found = await options.pushed(client, requestUri);
    if (found === undefined)
      return {
        ok: false,
        page: 'This sign-in request is not known, has expired or was used already. Go back to the application and try again.',
      };
    params = new Map(Object.entries(found.params).map(([k, v]) => [k, [v]]));
    pushed = found.hash;
  }
  const redirectUri = one('redirect_uri');
  if (redirectUri === undefined) return { ok: false, page: 'The request names no redirect URI.' };
  if (!redirectUriMatches(client.redirectUris, redirectUri))
    return { ok: false, page: 'The redirect URI is not one this application registered.' };

  const state = one('state');
  const refuse = (error: AuthorizationErrorCode, description: string): AuthorizationCheck => ({
    ok: false,
    redirect: { redirectUri, error, description, state },
  });
  if (client.requirePar && pushed === undefined && options.pushing !== true)
    return refuse('invalid_request', 'This client must push its authorization requests first (RFC 9126).');
  if (one('request') !== undefined) return refuse('request_not_supported', 'Request objects are not supported.');
  if (one('request_uri') !== undefined) return refuse('request_uri_not_supported', 'request_uri is not supported.');
  const responseType = one('response_type');
  if (responseType === undefined) return refuse('invalid_request', 'response_type is missing.');
  if (responseType !== 'code') return refuse('unsupported_response_type', 'Only response_type=code is supported.');
  if (!client.grantTypes.includes('authorization_code'))
    return refuse('unauthorized_client', 'This client may not use the authorization code grant.');
  const responseMode = one('response_mode');
  if (responseMode !== undefined && responseMode !== 'query') return refuse('invalid_request', 'Only response_mode=query is supported.');

  const challenge = one('code_challenge');
  const method = one('code_challenge_method');
  if (challenge === undefined) return refuse('invalid_request', 'PKCE is required: send code_challenge with code_challenge_method=S256.');
  // RFC 7636 §4.3: without a method the challenge is `plain`, which RFC 9700 §2.1.1 rules out.
  if (method !== 'S256') return refuse('invalid_request', 'code_challenge_method must be S256.');
  if (!CHALLENGE.test(challenge)) return refuse('invalid_request', 'code_challenge must be 43 base64url characters.');

  let scope: string[];
  try {
    scope = requestedScopes(one('scope'), client);
  } catch (err) {
    if (err instanceof OAuthError) return refuse('invalid_scope', err.description);
    throw err;
  }
  const prompt = new Set((one('prompt') ?? '').split(' ').filter((p) => p !== ''));
  for (const p of prompt)
    if (p !== 'none' && p !== 'login' && p !== 'consent' && p !== 'select_account')
      return refuse('invalid_request', 'prompt may hold none, login, consent or select_account.');
  if (prompt.has('none') && prompt.size > 1) return refuse('invalid_request', 'prompt=none may not be combined with another value.');
  prompt.delete('select_account'); // one account per browser here: nothing to select
  const maxAgeText = one('max_age');
  if (maxAgeText !== undefined && !/^\d{1,9}$/.test(maxAgeText)) return refuse('invalid_request', 'max_age must be a number of seconds.');
  const nonce = one('nonce');
  if (nonce !== undefined && nonce.length > 512) return refuse('invalid_request', 'nonce is too long.');
  const loginHint = one('login_hint');
  return {
    ok: true,
    request: {
      client,
      redirectUri,
      state,
      scope,
      nonce,
      codeChallenge: challenge,
      prompt: prompt as Set<'none' | 'login' | 'consent'>,
      maxAge: maxAgeText === undefined ? undefined : Number(maxAgeText),
      loginHint: loginHint === undefined || loginHint.length > 254 ? undefined : loginHint,
      pushed,
    },
  };
}

/**
 * The scopes asked: each must be an OpenID Connect scope or one of the client's (RFC 6749 §3.3,
 * refused, never narrowed). `offline_access` is dropped for a client that may not refresh, as
 * OIDC Core §11 allows.
 */
export function requestedScopes(asked: string | undefined, client: OAuthClientRecord): string[] {
  if (asked === undefined) return [];
  const scope = grantScopes(asked, [[...OIDC_SCOPES, ...client.scopes]]);
  return client.grantTypes.includes('refresh_token') ? scope : scope.filter((s) => s !== 'offline_access');
}

/** The URL an answer of the authorization endpoint goes to: the client's, with `iss` (RFC 9207) and `state`. */
export function authorizationResponseUrl(redirectUri: string, issuer: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries({ ...params, iss: issuer })) if (value !== undefined) url.searchParams.append(name, value);
  return url.toString();
}
