import { createHash } from 'node:crypto';
import type { SecondFactorOffer } from '@tessera/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { passkeyControls, passkeyOptionsBlock } from './passkey-script.js';

/**
 * The pages the authorization endpoint shows people: sign-in, consent and errors. Rendered on the
 * server, under a CSP that allows only their style sheets (by hash), form posts to this server (and,
 * after a form, the redirect to the client), and no script but the passkey ceremony's on the pages
 * that offer one (by hash too); never framed.
 */

export const PAGE_STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d1f23}
main{max-width:24rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 3px #0002}
h1{font-size:1.3rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .2rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.5rem;font:inherit;border:1px solid #888;border-radius:4px}
button{margin-top:1.2rem;padding:.5rem 1.2rem;font:inherit;border-radius:4px;border:1px solid #1d4ed8;background:#1d4ed8;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#1d4ed8;margin-left:.5rem}p.error{color:#a40000;font-weight:600}ul{padding-left:1.2rem}
a.upstream{display:block;margin-top:.8rem;padding:.5rem 1.2rem;border:1px solid #1d4ed8;border-radius:4px;color:#1d4ed8;text-align:center;text-decoration:none}`;
/** A style sheet's CSP source: its hash, so no other style applies. */
export const styleHash = (css: string) => `'sha256-${createHash('sha256').update(css).digest('base64')}'`;
const hashes = new Map<string, string>();

/**
 * The CSP sources of a page's inline style sheets or scripts (`<style>`, `<script>` without a type:
 * a JSON data block is not run): each one's hash, computed once per text.
 */
function inlineSources(html: string, tag: 'style' | 'script'): string {
  const sources: string[] = [];
  for (const [, text] of html.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))) {
    let hash = hashes.get(text!);
    if (hash === undefined) {
      hash = styleHash(text!);
      if (hashes.size < 1000) hashes.set(text!, hash);
    }
    sources.push(hash);
  }
  return sources.join(' ');
}

/** Text as HTML text or attribute value. */
export const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A hosted page: the style sheet of every page, and those a page adds (`styles`). */
export function layout(title: string, body: string, styles: string[] = []): string {
  const sheets = [PAGE_STYLE, ...styles].map((css) => `<style>${css}</style>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${escape(title)}</title>${sheets}</head><body><main>${body}</main></body></html>`;
}

/**
 * The hidden fields every form carries: what it continues (the original request's query, or the
 * device flow's user code) and the CSRF token.
 */
export function hidden(query: string, csrf: string, carry = 'request'): string {
  return `<input type="hidden" name="${carry}" value="${escape(query)}"><input type="hidden" name="csrf" value="${escape(csrf)}">`;
}

/** Where a sign-in or consent form posts, and the field that carries its request. */
interface FormTarget {
  action?: string | undefined;
  carry?: string | undefined;
}

/**
 * The workspace's upstream providers on a sign-in page: each a link that starts a sign-in there,
 * naming what to go on with after it (the authorization request, the device's code, the account page's workspace).
 */
function upstreamLinks(resume: Record<string, string>, providers: readonly { id: string; name: string }[]): string {
  if (providers.length === 0) return '';
  const links = providers
    .map((p) => {
      const href = `/oauth/federation/start?${new URLSearchParams({ provider: p.id, ...resume })}`;
      return `<a class="upstream" href="${escape(href)}">Sign in with ${escape(p.name)}</a>`;
    })
    .join('');
  return `<p>Or</p>${links}`;
}

/** The start's parameter for what a sign-in page carries. */
const RESUMES: Record<string, string> = { user_code: 'device', workspace: 'account' };

export function signInPage(
  o: {
    app: string;
    query: string;
    csrf: string;
    email?: string | undefined;
    failed?: boolean;
    providers?: readonly { id: string; name: string }[];
  } & FormTarget,
): string {
  return layout(
    'Sign in',
    `<h1>Sign in to continue to ${escape(o.app)}</h1>${o.failed ? '<p class="error" role="alert">The email or password is not right.</p>' : ''}
<form method="post" action="${o.action ?? '/oauth/authorize/sign-in'}">${hidden(o.query, o.csrf, o.carry)}
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${escape(o.email ?? '')}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form>${upstreamLinks({ [RESUMES[o.carry ?? ''] ?? 'request']: o.query }, o.providers ?? [])}`,
  );
}

/**
 * The second factor, after the password: a passkey, when the user has one (`passkey`: the options of
 * the ceremony, held for them), and a code from their authenticator app, when they enrolled one.
 */
export function secondFactorPage(
  o: { app: string; query: string; csrf: string; failed?: boolean | 'passkey'; offer: SecondFactorOffer } & FormTarget,
): string {
  const action = o.action ?? '/oauth/authorize/second-factor';
  const { totp, passkey } = o.offer;
  const heading =
    passkey === null ? 'Enter the code from your authenticator app' : totp ? 'Use your passkey or a code' : 'Use your passkey';
  const failed =
    o.failed === 'passkey'
      ? '<p class="error" role="alert">That passkey was not accepted.</p>'
      : o.failed
        ? '<p class="error" role="alert">That code is not right, or it was used already.</p>'
        : '';
  const withPasskey =
    passkey === null
      ? ''
      : `<p>To continue to ${escape(o.app)}, use a passkey you registered.</p>
<form method="post" action="${action}">${hidden(o.query, o.csrf, o.carry)}${passkeyControls('Use a passkey')}</form>${passkeyOptionsBlock({ ceremony: 'get', options: passkey })}`;
  const withCode = !totp
    ? ''
    : `<p>${passkey === null ? `To continue to ${escape(o.app)}, enter` : 'Or enter'} the six-digit code your authenticator app shows now.</p>
<form method="post" action="${action}">${hidden(o.query, o.csrf, o.carry)}
<label for="code">Code</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
<button type="submit">Verify</button></form>`;
  return layout('Second factor', `<h1>${heading}</h1>${failed}${withPasskey}${withCode}`);
}

const SCOPE_TEXT: Record<string, string> = {
  openid: 'Know who you are',
  profile: 'See your name',
  email: 'See your email address',
  offline_access: 'Stay signed in and act for you while you are away',
};

export function consentPage(o: { app: string; email: string; scope: string[]; query: string; csrf: string }): string {
  const items = o.scope.map((s) => `<li>${escape(SCOPE_TEXT[s] ?? s)}</li>`).join('');
  return layout(
    'Allow access',
    `<h1>${escape(o.app)} would like to</h1><ul>${items || '<li>Act for you</li>'}</ul><p>Signed in as ${escape(o.email)}.</p>
<form method="post" action="/oauth/authorize/consent">${hidden(o.query, o.csrf)}
<button type="submit" name="decision" value="allow">Allow</button><button type="submit" name="decision" value="deny" class="secondary">Deny</button></form>`,
  );
}

/** The device flow's verification page: the code the device shows (RFC 8628 §3.3). */
export function deviceCodePage(o: { csrf: string; userCode?: string | undefined; failed?: 'unknown' | 'throttled' | undefined }): string {
  const error =
    o.failed === 'throttled'
      ? '<p class="error" role="alert">Too many wrong codes from your network. Try again in a few minutes.</p>'
      : o.failed === 'unknown'
        ? '<p class="error" role="alert">That code is not right, or it expired. Check the code your device shows.</p>'
        : '';
  return layout(
    'Connect a device',
    `<h1>Connect a device</h1>${error}<p>Enter the code your device shows.</p>
<form method="post" action="/oauth/device"><input type="hidden" name="csrf" value="${escape(o.csrf)}">
<label for="user_code">Code</label><input id="user_code" name="user_code" autocomplete="off" autocapitalize="characters" spellcheck="false" required value="${escape(o.userCode ?? '')}">
<button type="submit">Continue</button></form>`,
  );
}

/** The device flow's confirmation: always asked, with the code to compare (RFC 8628 §5.4). */
export function deviceConfirmPage(o: { app: string; email: string; scope: string[]; userCode: string; csrf: string }): string {
  const items = o.scope.map((s) => `<li>${escape(SCOPE_TEXT[s] ?? s)}</li>`).join('');
  return layout(
    'Connect a device',
    `<h1>Connect a device to ${escape(o.app)}?</h1><p>Allow only if you started this on your own device and it shows the code <strong>${escape(o.userCode)}</strong>.</p>
<p>${escape(o.app)} would like to</p><ul>${items || '<li>Act for you</li>'}</ul><p>Signed in as ${escape(o.email)}.</p>
<form method="post" action="/oauth/device/decision">${hidden(o.userCode, o.csrf, 'user_code')}
<button type="submit" name="decision" value="allow">Allow</button><button type="submit" name="decision" value="deny" class="secondary">Deny</button></form>`,
  );
}

/** The end of the device flow on the user's side. */
export function deviceDonePage(o: { app: string; approved: boolean }): string {
  return o.approved
    ? layout(
        'Device connected',
        `<h1>Device connected</h1><p>${escape(o.app)} on your device can continue now. You may close this page.</p>`,
      )
    : layout(
        'Device not connected',
        `<h1>Device not connected</h1><p>You denied ${escape(o.app)} on that device. You may close this page.</p>`,
      );
}

/** RP-initiated logout: the user confirms, so that no other site can sign them out. */
export function signOutPage(o: { app: string | undefined; query: string; csrf: string }): string {
  return layout(
    'Sign out',
    `<h1>Sign out?</h1><p>${o.app === undefined ? 'You will be signed out.' : `${escape(o.app)} asks to sign you out.`} You will need to sign in again to any application that uses this sign-in.</p>
<form method="post" action="/oauth/logout/confirm">${hidden(o.query, o.csrf)}
<button type="submit">Sign out</button></form>`,
  );
}

export function signedOutPage(): string {
  return layout('Signed out', '<h1>You are signed out</h1><p>You may close this page.</p>');
}

export function errorPage(message: string): string {
  return layout('Cannot continue', `<h1>This sign-in cannot continue</h1><p class="error">${escape(message)}</p>`);
}

/**
 * Sends a page: `no-store`, never framed (`frame-ancestors 'none'` and `X-Frame-Options: DENY`),
 * no referrer, and forms that may post only here — and go on to `redirectUri`'s origin, where the
 * answer to the client is sent after a form.
 */
export function sendPage(reply: FastifyReply, status: number, html: string, redirectUri?: string, imgSrc?: string): FastifyReply {
  const target = redirectUri === undefined ? '' : ` ${formTarget(redirectUri)}`;
  const img = imgSrc === undefined ? '' : ` img-src ${imgSrc};`;
  const scripts = inlineSources(html, 'script');
  const script = scripts === '' ? '' : ` script-src ${scripts};`;
  return sendHtml(
    reply,
    status,
    html,
    `default-src 'none'; style-src ${inlineSources(html, 'style')};${script}${img} form-action 'self'${target}; frame-ancestors 'none'; base-uri 'none'`,
  );
}

/** Sends a hosted page under its CSP: never framed, never cached, no referrer. */
export function sendHtml(reply: FastifyReply, status: number, html: string, csp: string): FastifyReply {
  reply.header('content-security-policy', csp);
  reply.header('x-frame-options', 'DENY');
  reply.header('cache-control', 'no-store');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-content-type-options', 'nosniff');
  return reply.code(status).type('text/html; charset=utf-8').send(html);
}

/** A redirect of the browser to the client (or back to the authorization endpoint), never cached. */
export function sendRedirect(reply: FastifyReply, location: string): FastifyReply {
  reply.header('cache-control', 'no-store');
  reply.header('referrer-policy', 'no-referrer');
  return reply.code(303).header('location', location).send();
}

/** The CSP source of a redirect URI: its origin, or its scheme for a native app's private-use scheme. */
function formTarget(uri: string): string {
  const u = new URL(uri);
  return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : u.protocol;
}

/**
 * The cookies of the hosted pages: the end user's sign-in, the CSRF cookie of the forms, a key
 * owner's portal session, and the binding of a sign-in sent to an upstream provider.
 */
const COOKIES = {
  session: 'tessera_end_user',
  csrf: 'tessera_end_user_csrf',
  portal: 'tessera_portal',
  federation: 'tessera_federation',
} as const;
export type PageCookie = keyof typeof COOKIES;

/** Over TLS cookies take the `__Host-` prefix (Secure, whole-site, no Domain). */
const secure = (request: FastifyRequest, issuer: string) => request.protocol === 'https' || issuer.startsWith('https:');
const cookieName = (request: FastifyRequest, issuer: string, name: string) => (secure(request, issuer) ? `__Host-${name}` : name);

export function readCookie(request: FastifyRequest, issuer: string, which: PageCookie): string | undefined {
  const wanted = cookieName(request, issuer, COOKIES[which]);
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === wanted) {
      const value = part.slice(eq + 1).trim();
      if (value !== '') return value;
    }
  }
  return undefined;
}

/**
 * Sets a cookie: HttpOnly, Secure over TLS. The sessions are SameSite=Lax, so that the client's
 * top-level navigation to the authorization endpoint (or to a portal link) carries them, and so is
 * the federation binding, which the upstream's redirect back must carry; the CSRF cookie is Strict.
 */
export function setCookie(request: FastifyRequest, reply: FastifyReply, issuer: string, which: PageCookie, value: string, maxAgeS: number) {
  const name = cookieName(request, issuer, COOKIES[which]);
  const attrs = `Path=/; HttpOnly; SameSite=${which === 'csrf' ? 'Strict' : 'Lax'}; Max-Age=${maxAgeS}${secure(request, issuer) ? '; Secure' : ''}`;
  const before = reply.getHeader('set-cookie');
  const list = before === undefined ? [] : Array.isArray(before) ? before : [String(before)];
  reply.header('set-cookie', [...list, `${name}=${value}; ${attrs}`]);
}
