import { errors, jwtVerify, type JWTPayload } from 'jose';
import type { Clock } from '../../clock.js';
import type { Discovered } from './upstream-discovery.js';

/** What the callback sends to the upstream token endpoint, and what the ID token must say. */
export interface UpstreamExchange {
  code: string;
  redirectUri: string;
  codeVerifier: string;
  clientId: string;
  clientSecret: string;
  nonce: string;
  /** Claims the sign-in needs (the email, a role): read from UserInfo when the ID token does not carry one of them. */
  needs: readonly string[];
}

/** The upstream's ID token claims, once checked; or why not (a reason for the audit, never shown). */
export type UpstreamIdToken = { ok: true; claims: JWTPayload & { sub: string } } | { ok: false; reason: string };

const TIMEOUT_MS = 10_000;

/**
 * Redeems the upstream's code at its token endpoint (RFC 6749 §4.1.3, with the PKCE verifier)
 * and validates its ID token as OIDC Core §3.1.3.7 says: signed with the provider's key set in an
 * algorithm it announced, `iss` exactly the issuer, `aud` holding the client id (`azp` the client
 * when there are several audiences), not expired, and the `nonce` this sign-in sent.
 */
export async function redeemUpstreamCode(discovered: Discovered, x: UpstreamExchange, clock: Clock): Promise<UpstreamIdToken> {
  const { metadata } = discovered;
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code: x.code,
    redirect_uri: x.redirectUri,
    code_verifier: x.codeVerifier,
  });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (metadata.tokenEndpointAuth === 'client_secret_basic')
    // RFC 6749 §2.3.1: each part form-encoded before base64.
    headers.authorization = `Basic ${Buffer.from(`${formEncode(x.clientId)}:${formEncode(x.clientSecret)}`).toString('base64')}`;
  else {
    body.set('client_id', x.clientId);
    body.set('client_secret', x.clientSecret);
  }
  let answer: Record<string, unknown>;
  try {
    const res = await fetch(metadata.tokenEndpoint, {
      method: 'POST',
      headers,
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    answer = (await res.json()) as Record<string, unknown>;
    if (!res.ok)
      return { ok: false, reason: `token_endpoint_${typeof answer.error === 'string' ? answer.error.slice(0, 40) : res.status}` };
  } catch {
    return { ok: false, reason: 'token_endpoint_unreachable' };
  }
  if (typeof answer.id_token !== 'string') return { ok: false, reason: 'no_id_token' };
  try {
    const { payload } = await jwtVerify(answer.id_token, discovered.keys, {
      issuer: metadata.issuer,
      audience: x.clientId,
      algorithms: metadata.idTokenAlgs,
      requiredClaims: ['sub', 'exp', 'iat'],
      currentDate: new Date(clock.now()),
    });
    const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if ((aud.length > 1 || payload.azp !== undefined) && payload.azp !== x.clientId) return { ok: false, reason: 'id_token_azp' };
    if (payload.nonce !== x.nonce) return { ok: false, reason: 'id_token_nonce' };
    if (typeof payload.sub !== 'string' || payload.sub === '' || payload.sub.length > 255) return { ok: false, reason: 'id_token_sub' };
    const claims = payload as JWTPayload & { sub: string };
    if (x.needs.every((c) => claims[c] !== undefined) || metadata.userinfoEndpoint === undefined || typeof answer.access_token !== 'string')
      return { ok: true, claims };
    const more = await userinfo(metadata.userinfoEndpoint, answer.access_token);
    // OIDC Core §5.3.2: UserInfo of another subject is not used.
    if (more === undefined || more.sub !== claims.sub) return { ok: false, reason: 'userinfo' };
    return { ok: true, claims: { ...more, ...claims } };
  } catch (err) {
    if (err instanceof errors.JOSEError) return { ok: false, reason: `id_token_${err.code.replace(/^ERR_/, '').toLowerCase()}` };
    throw err;
  }
}

/** The UserInfo of an access token, as JSON; undefined when it could not be read. */
async function userinfo(endpoint: string, accessToken: string): Promise<Record<string, unknown> | undefined> {
  try {
    const res = await fetch(endpoint, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!res.ok || !(res.headers.get('content-type') ?? '').startsWith('application/json')) return undefined;
    const body = (await res.json()) as unknown;
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
