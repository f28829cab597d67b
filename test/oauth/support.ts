import { ManualClock } from '@tessera/core';
import * as oidc from 'openid-client';
import { startTestServer, type TestServer } from '../support/server.js';
import type { Dialect } from '../support/databases.js';

export interface OAuthTestServer extends TestServer {
  clock: ManualClock;
  /** Creates a client through the management API; returns its id, secret and view. */
  client(body: Record<string, unknown>): Promise<{ clientId: string; clientSecret?: string; view: any }>;
  /** openid-client's view of this server, for one client. */
  discover(clientId: string, auth: oidc.ClientAuth): Promise<oidc.Configuration>;
  /** A form POST to an OAuth endpoint. */
  form(
    path: string,
    params: Record<string, string | string[]>,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>;
  basic(clientId: string, secret: string): string;
}

/** A real server on loopback whose clock starts now and moves only when a test says so. */
export async function startOAuthServer(dialect: Dialect, env?: NodeJS.ProcessEnv, port?: number): Promise<OAuthTestServer> {
  const clock = new ManualClock(Date.now());
  const s = await startTestServer(dialect, { clock, env, port });
  return Object.assign(s, {
    clock,
    async client(body: Record<string, unknown>) {
      const r = await s.api('POST', '/v1/oauth/clients', { name: 'test client', ...body });
      if (r.status !== 201) throw new Error(`client create failed: ${r.status} ${JSON.stringify(r.body)}`);
      return { clientId: r.body.clientId, clientSecret: r.body.clientSecret, view: r.body };
    },
    async discover(clientId: string, auth: oidc.ClientAuth) {
      return oidc.discovery(new URL(s.url), clientId, undefined, auth, { algorithm: 'oauth2', execute: [oidc.allowInsecureRequests] });
    },
    async form(path: string, params: Record<string, string | string[]>, headers: Record<string, string> = {}) {
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
      const res = await fetch(s.url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body,
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // keep the text
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    basic(clientId: string, secret: string) {
      return 'Basic ' + Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64');
    },
  });
}

/**
 * A server with one end user and a public client "Notes" that signs people in at the authorization
 * endpoint and on the device page, redirecting to `redirectUri`: what the second-factor suites start from.
 */
export async function startPeopleServer(
  dialect: Dialect,
  user: { email: string; password: string },
  redirectUri: string,
): Promise<{ s: OAuthTestServer; userId: string; clientId: string }> {
  const s = await startOAuthServer(dialect);
  const userId = (await s.api('POST', '/v1/users', user)).body.userId;
  const { clientId } = await s.client({
    name: 'Notes',
    grantTypes: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'],
    redirectUris: [redirectUri],
    tokenEndpointAuthMethod: 'none',
  });
  return { s, userId, clientId };
}

/** An authorization request with PKCE (S256) for `openid`: its query, and the verifier that redeems its code. */
export async function pkceRequest(clientId: string, redirectUri: string, extra: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const query = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  });
  return { verifier, query };
}
