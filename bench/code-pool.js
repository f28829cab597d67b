// Authorization codes for bench/code-exchange.js: a browser without a browser (HTTP with a cookie
// jar, redirects followed by hand) signs in once at each server and allows the client, then mints
// pools of fresh codes by sending authorization requests with that session: each answered by a
// redirect straight back to the client with a code, as for a user already signed in who allowed the
// app before. Every code has its own PKCE verifier (S256), state and nonce.
import { createHash, randomBytes } from 'node:crypto';

/** Cookies by name, kept from every answer (paths and domains ignored: one loopback server each). */
export class Jar {
  cookies = new Map();

  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(url, init = {}) {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, cookie: this.header() } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      if (/max-age=0/i.test(c) || pair.slice(eq + 1) === '') this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return { status: res.status, location: res.headers.get('location'), html: await res.text() };
  }
}

/** A fresh authorization request: its URL and what the exchange of its code needs. */
export function authorizationRequest(endpoint, clientId, redirectUri) {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const nonce = randomBytes(16).toString('base64url');
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: 'openid',
    code_challenge: createHash('sha256').update(verifier, 'ascii').digest('base64url'),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { url: `${endpoint}?${params}`, verifier, state, nonce };
}

/** The code of an answer that redirected to the client, checked for its state and issuer; throws otherwise. */
function codeOf(name, answer, request, redirectUri, issuer) {
  if (answer.status !== 303 && answer.status !== 302) throw new Error(`${name}: the authorization endpoint answered ${answer.status}`);
  if (!answer.location.startsWith(`${redirectUri}?`)) throw new Error(`${name}: redirected elsewhere: ${answer.location}`);
  const q = new URL(answer.location).searchParams;
  if (q.get('error') !== null) throw new Error(`${name}: ${q.get('error')}: ${q.get('error_description')}`);
  if (q.get('state') !== request.state || q.get('iss') !== issuer) throw new Error(`${name}: state or iss not as sent: ${answer.location}`);
  return q.get('code');
}

const unescape = (s) => s.replace(/&(amp|lt|gt|quot|#39);/g, (_m, e) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]);

/** Posts a hosted page's first form back with its hidden fields and `fields`. */
async function submit(jar, base, page, fields) {
  const form = /<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(page.html);
  if (form === null) throw new Error(`tessera: no form in the page (${page.status}): ${page.html.slice(0, 300)}`);
  const hidden = Object.fromEntries(
    [...form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], unescape(m[2])]),
  );
  return jar.request(new URL(unescape(form[1]), base).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...hidden, ...fields }).toString(),
  });
}

/** Tessera: its hosted sign-in page (email and password), then its consent page ("Allow"). */
export async function signInTessera(s) {
  const jar = new Jar();
  const request = authorizationRequest(s.authorizationEndpoint, s.clientId, s.redirectUri);
  const signIn = await jar.request(request.url);
  if (signIn.status !== 200 || !signIn.html.includes('Sign in')) throw new Error(`tessera: no sign-in page (${signIn.status})`);
  const consent = await submit(jar, s.issuer, signIn, { email: s.email, password: s.password });
  if (consent.status !== 200 || !consent.html.includes('Allow')) throw new Error(`tessera: no consent page (${consent.status})`);
  codeOf('tessera', await submit(jar, s.issuer, consent, { decision: 'allow' }), request, s.redirectUri, s.issuer);
  return jar;
}

/** oidc-provider: its login and consent interactions, which bench/oidc-provider-server.js finishes without pages. */
export async function signInOidcProvider(s) {
  const jar = new Jar();
  const request = authorizationRequest(s.authorizationEndpoint, s.clientId, s.redirectUri);
  let url = request.url;
  for (let hops = 0; hops < 8; hops++) {
    const answer = await jar.request(url);
    if (answer.location === null) throw new Error(`oidc-provider: answered ${answer.status} during sign-in: ${answer.html.slice(0, 300)}`);
    if (answer.location.startsWith(s.redirectUri)) {
      codeOf('oidc-provider', answer, request, s.redirectUri, s.issuer);
      return jar;
    }
    url = new URL(answer.location, url).toString();
  }
  throw new Error('oidc-provider: no code after 8 redirects');
}

/**
 * `count` fresh codes from a signed-in jar, `concurrency` authorization requests at a time; each
 * request must be answered at once with a redirect to the client carrying a code.
 */
export async function mintCodes(name, s, jar, count, concurrency = 8) {
  const codes = [];
  const cookie = jar.header();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const request = authorizationRequest(s.authorizationEndpoint, s.clientId, s.redirectUri);
      const res = await fetch(request.url, { redirect: 'manual', headers: { cookie } });
      await res.arrayBuffer();
      const code = codeOf(name, { status: res.status, location: res.headers.get('location') ?? '' }, request, s.redirectUri, s.issuer);
      codes.push({ code, verifier: request.verifier, nonce: request.nonce });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return codes;
}
