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
export async function startOAuthServer(dialect: Dialect, env?: NodeJS.ProcessEnv): Promise<OAuthTestServer> {
  const clock = new ManualClock(Date.now());
  const s = await startTestServer(dialect, { clock, env });
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
