import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../console/support/chromium.js';
import { DIALECTS } from '../support/databases.js';
import { startOAuthServer, type OAuthTestServer } from './support.js';

const SPA = 'https://notes.example';
const OTHER = 'https://evil.example';

/** A preflight as a browser sends it. */
async function preflight(url: string, origin: string | undefined, method = 'POST', headers = 'authorization, content-type, dpop') {
  return fetch(url, {
    method: 'OPTIONS',
    headers: {
      ...(origin !== undefined && { origin }),
      ...(method !== '' && { 'access-control-request-method': method }),
      'access-control-request-headers': headers,
    },
  });
}

const cors = (h: Headers) => ({
  origin: h.get('access-control-allow-origin'),
  credentials: h.get('access-control-allow-credentials'),
  vary: h.get('vary'),
});

describe.each(DIALECTS)('CORS at the token, revocation and userinfo endpoints, for registered web origins only (%s)', (dialect) => {
  let s: OAuthTestServer;
  let clientId: string;
  let secret: string;
  let otherId: string;
  let otherSecret: string;
  beforeAll(async () => {
    s = await startOAuthServer(dialect);
    const c = await s.client({ scopes: ['notes:read'], webOrigins: [SPA, 'http://127.0.0.1:3000'] });
    [clientId, secret] = [c.clientId, c.clientSecret!];
    expect(c.view.webOrigins).toEqual([SPA, 'http://127.0.0.1:3000']);
    const o = await s.client({ scopes: ['notes:read'], webOrigins: ['https://other-app.example'] });
    [otherId, otherSecret] = [o.clientId, o.clientSecret!];
  });
  afterAll(() => s.close());

  it('takes only origins in their serialised form: https, or http on a loopback address', async () => {
    for (const bad of ['https://notes.example/', 'https://notes.example/app', 'http://notes.example', 'HTTPS://Notes.example', 'null', '*'])
      expect((await s.api('POST', '/v1/oauth/clients', { name: 'spa', webOrigins: [bad] })).status, bad).toBe(400);
    const ok = await s.api('POST', '/v1/oauth/clients', { name: 'spa', webOrigins: ['http://[::1]:5173', 'https://a.example:8443'] });
    expect(ok.status).toBe(201);
    expect(ok.body.webOrigins).toEqual(['http://[::1]:5173', 'https://a.example:8443']);
  });

  it('answers a preflight from a registered origin with that origin, the methods and the headers, and never credentials', async () => {
    const res = await preflight(`${s.url}/oauth/token`, SPA);
    expect(res.status).toBe(204);
    expect(cors(res.headers)).toEqual({ origin: SPA, credentials: null, vary: 'Origin' });
    expect(res.headers.get('access-control-allow-methods')).toBe('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type, DPoP');
    expect(res.headers.get('access-control-max-age')).toBe('600');
    const userinfo = await preflight(`${s.url}/oauth/userinfo`, 'http://127.0.0.1:3000', 'GET');
    expect(cors(userinfo.headers).origin).toBe('http://127.0.0.1:3000');
    expect(userinfo.headers.get('access-control-allow-methods')).toBe('GET, POST');
    expect(cors((await preflight(`${s.url}/oauth/revoke`, SPA)).headers).origin).toBe(SPA);
  });

  it('answers a preflight from any other origin, or for another method, without CORS headers', async () => {
    for (const [origin, method] of [
      [OTHER, 'POST'],
      ['https://notes.example:444', 'POST'],
      ['http://notes.example', 'POST'],
      ['null', 'POST'],
      [SPA, 'PUT'],
    ] as const) {
      const res = await preflight(`${s.url}/oauth/token`, origin, method);
      expect(res.status, origin).toBe(204);
      expect(cors(res.headers), origin).toEqual({ origin: null, credentials: null, vary: 'Origin' });
      expect(res.headers.get('access-control-allow-methods')).toBeNull();
    }
    const notPreflight = await preflight(`${s.url}/oauth/token`, SPA, '');
    expect(notPreflight.status).toBe(400);
    expect(await notPreflight.json()).toMatchObject({ error: 'invalid_request' });
    expect(cors(notPreflight.headers).origin).toBeNull();
  });

  it('lets a registered origin read the token answer, errors included, and exposes DPoP-Nonce', async () => {
    const ok = await s.form(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: s.basic(clientId, secret), origin: SPA },
    );
    expect(ok.status).toBe(200);
    expect(cors(ok.headers)).toEqual({ origin: SPA, credentials: null, vary: 'Origin' });
    expect(ok.headers.get('access-control-expose-headers')).toBe('DPoP-Nonce, WWW-Authenticate');
    const post = await s.form(
      '/oauth/token',
      { grant_type: 'client_credentials', client_id: clientId, client_secret: secret },
      { origin: SPA },
    );
    expect(cors(post.headers).origin).toBe(SPA);
    const refused = await s.form(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: s.basic(clientId, 'wrong'), origin: SPA },
    );
    expect(refused.status).toBe(401);
    expect(cors(refused.headers).origin).toBe(SPA);
  });

  it('gives no CORS headers to another origin, nor to an origin another client registered', async () => {
    const other = await s.form(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: s.basic(clientId, secret), origin: OTHER },
    );
    expect(other.status).toBe(200);
    expect(cors(other.headers)).toEqual({ origin: null, credentials: null, vary: 'Origin' });
    const crossed = await s.form(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: s.basic(otherId, otherSecret), origin: SPA },
    );
    expect(crossed.status).toBe(200);
    expect(cors(crossed.headers).origin).toBeNull();
    const noClient = await s.form('/oauth/token', { grant_type: 'client_credentials' }, { origin: SPA });
    expect(cors(noClient.headers).origin).toBeNull();
    const noOrigin = await s.form('/oauth/token', { grant_type: 'client_credentials' }, { authorization: s.basic(clientId, secret) });
    expect(cors(noOrigin.headers)).toEqual({ origin: null, credentials: null, vary: 'Origin' });
  });

  it('answers revocation and userinfo the same way', async () => {
    const auth = s.basic(clientId, secret);
    const revoke = await s.form('/oauth/revoke', { token: 'tessera_rt_x' }, { authorization: auth, origin: SPA });
    expect(revoke.status).toBe(200);
    expect(cors(revoke.headers).origin).toBe(SPA);
    const revokeOther = await s.form('/oauth/revoke', { token: 'tessera_rt_x' }, { authorization: auth, origin: OTHER });
    expect(cors(revokeOther.headers).origin).toBeNull();
    const userinfo = await fetch(`${s.url}/oauth/userinfo`, { headers: { authorization: 'Bearer nope', origin: SPA } });
    expect(userinfo.status).toBe(401);
    expect(cors(userinfo.headers)).toEqual({ origin: SPA, credentials: null, vary: 'Origin' });
    expect(userinfo.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate');
    const userinfoOther = await fetch(`${s.url}/oauth/userinfo`, { headers: { authorization: 'Bearer nope', origin: OTHER } });
    expect(cors(userinfoOther.headers).origin).toBeNull();
  });

  it('stops answering an origin once the client drops it', async () => {
    const c = await s.client({ webOrigins: ['https://soon-gone.example'] });
    const call = () =>
      s.form(
        '/oauth/token',
        { grant_type: 'client_credentials' },
        { authorization: s.basic(c.clientId, c.clientSecret!), origin: 'https://soon-gone.example' },
      );
    expect(cors((await call()).headers).origin).toBe('https://soon-gone.example');
    expect((await s.api('PATCH', `/v1/oauth/clients/${c.clientId}`, { webOrigins: [] })).status).toBe(200);
    expect(cors((await call()).headers).origin).toBeNull();
    expect(cors((await preflight(`${s.url}/oauth/token`, 'https://soon-gone.example')).headers).origin).toBeNull();
  });
});

/** A page on one loopback origin calling the token endpoint on another, in Chromium. */
describe('CORS in a real browser', () => {
  let s: OAuthTestServer;
  let pages: Server[];
  let origins: string[];
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  beforeAll(async () => {
    s = await startOAuthServer('sqlite');
    // Two plain pages on two more loopback ports: two origins, one registered.
    pages = [
      createServer((_q, r) => r.end('<!doctype html><title>app</title>')),
      createServer((_q, r) => r.end('<!doctype html><title>app</title>')),
    ];
    await Promise.all(pages.map((p) => new Promise<void>((done) => p.listen(0, '127.0.0.1', done))));
    origins = pages.map((p) => `http://127.0.0.1:${(p.address() as AddressInfo).port}`);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(pages.map((p) => new Promise((done) => p.close(done))));
    await s.close();
  });

  it('lets the page of a registered origin get a token with fetch, and the page of another origin fails', async () => {
    const c = await s.client({ scopes: ['notes:read'], webOrigins: [origins[0]] });
    const basic = s.basic(c.clientId, c.clientSecret!);
    const attempt = async (origin: string) => {
      const page = await browser.context.newPage();
      try {
        await page.goto(origin);
        // Basic authentication is not a safelisted header: the browser sends a preflight first.
        return await page.evaluate(
          async ({ url, basic }) => {
            try {
              const res = await fetch(url, {
                method: 'POST',
                headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
                body: 'grant_type=client_credentials',
              });
              const body = await res.json();
              return { status: res.status, tokenType: body.token_type as string };
            } catch (err) {
              return { failed: String(err) };
            }
          },
          { url: `${s.url}/oauth/token`, basic },
        );
      } finally {
        await page.close();
      }
    };
    expect(await attempt(origins[0]!)).toMatchObject({ status: 200, tokenType: 'Bearer' });
    expect(await attempt(origins[1]!)).toEqual({ failed: expect.stringContaining('Failed to fetch') });
  });
});
