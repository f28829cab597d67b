import type { PortalKey, PortalSession, PortalSettings } from '@tessera/core';
import type { FastifyReply } from 'fastify';
import { escape, PAGE_STYLE, sendHtml, styleHash } from '../oauth/hosted-pages.js';

/**
 * The portal's pages, server-rendered without script, on the hosted pages' style sheet: the key
 * owner's keys with their usage, a key shown once, the form that makes one, and the pages that
 * say why the portal cannot open.
 */

/** The portal's own additions to the hosted pages' style sheet: a wider page and tables. */
export const PORTAL_STYLE = `main{max-width:56rem}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}td form{display:inline}
td button{margin:0 .3rem 0 0;padding:.2rem .7rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
fieldset{border:1px solid #ccc;border-radius:4px;margin:.8rem 0 0}fieldset label{display:inline;font-weight:400;margin:0 1rem 0 .3rem}
fieldset input{width:auto}select{padding:.5rem;font:inherit;border:1px solid #888;border-radius:4px}
.once{background:#fff8db;border:1px solid #b38f00;border-radius:4px;padding:1rem;margin:0 0 1rem}
.once input{font-family:ui-monospace,monospace}img.logo{max-height:3rem;max-width:12rem;display:block;margin:0 0 1rem}
code{font-family:ui-monospace,monospace}`;

/**
 * The style sheets of a portal page: the hosted pages', the portal's, and the brand colour's rule
 * when one is set (a validated `#rgb`/`#rrggbb`: nothing else reaches a style sheet).
 */
function portalStyles(settings: Pick<PortalSettings, 'brandColor'> | undefined): string[] {
  const c = settings?.brandColor ?? null;
  const brand = `button{background:${c};border-color:${c}}button.secondary{color:${c};background:#fff}a{color:${c}}`;
  return c === null ? [PAGE_STYLE, PORTAL_STYLE] : [PAGE_STYLE, PORTAL_STYLE, brand];
}

function portalLayout(title: string, body: string, settings: PortalSettings | undefined): string {
  const styles = portalStyles(settings)
    .map((css) => `<style>${css}</style>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${escape(title)}</title>${styles}</head><body><main>${body}</main></body></html>`;
}

export interface PortalView {
  session: PortalSession;
  settings: PortalSettings;
  /** The keyspace's name, the application's when `settings.appName` is not set. */
  keyspaceName: string;
  keys: PortalKey[];
  csrf: string;
  /** A key made just now, shown this once. */
  created?: { name: string; key: string; rolled: boolean } | undefined;
  /** Why the last form was refused. */
  error?: string | undefined;
  /** What the last form did. */
  notice?: string | undefined;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const csrfField = (csrf: string) => `<input type="hidden" name="csrf" value="${escape(csrf)}">`;

function stateOf(k: PortalKey['record'], now: number): string {
  if (k.revokedAt !== null) return 'Revoked';
  if (k.expiresAt !== null && k.expiresAt <= now) return 'Expired';
  if (!k.enabled) return 'Disabled';
  return k.rolledToId === null ? 'Active' : 'Active until it expires (rolled)';
}

function keyRow(k: PortalKey, csrf: string, now: number): string {
  const r = k.record;
  const name = r.name ?? r.id;
  const live = r.revokedAt === null && (r.expiresAt === null || r.expiresAt > now);
  const actions = live
    ? `<form method="post" action="/portal/keys/${escape(r.id)}/roll">${csrfField(csrf)}<button type="submit" aria-label="Roll ${escape(name)}">Roll</button></form>` +
      `<form method="post" action="/portal/keys/${escape(r.id)}/revoke">${csrfField(csrf)}<button type="submit" class="secondary" aria-label="Revoke ${escape(name)}">Revoke</button></form>`
    : '';
  return `<tr><th scope="row">${escape(name)}</th><td><code>${escape(r.start)}</code></td><td>${escape(r.scopes.join(' ') || '—')}</td><td>${r.expiresAt === null ? 'Never' : day(r.expiresAt)}</td><td>${stateOf(r, now)}</td><td>${actions}</td></tr>`;
}

function usageTable(keys: PortalKey[]): string {
  const days = keys[0]?.usage.map((p) => p.time) ?? [];
  if (days.length === 0) return '';
  const head = days.map((t) => `<th scope="col">${day(t)}</th>`).join('');
  const rows = keys
    .map((k) => {
      const byDay = new Map(k.usage.map((p) => [p.time, p.total]));
      return `<tr><th scope="row">${escape(k.record.name ?? k.record.id)}</th>${days.map((t) => `<td>${byDay.get(t) ?? 0}</td>`).join('')}</tr>`;
    })
    .join('');
  return `<h2 id="usage">Verifications per day</h2><table aria-labelledby="usage"><thead><tr><th scope="col">Key</th>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

function lifetimeOptions(maxSeconds: number): string {
  const days = [7, 30, 90, 365].filter((d) => d * 86_400 <= maxSeconds);
  const max = Math.floor(maxSeconds / 86_400);
  if (max >= 1 && !days.includes(max)) days.push(max);
  if (days.length === 0) return `<option value="${maxSeconds}">${Math.round(maxSeconds / 3600)} hours</option>`;
  return days.map((d, i) => `<option value="${d * 86_400}"${i === days.length - 1 ? ' selected' : ''}>${d} days</option>`).join('');
}

function createForm(v: PortalView, full: boolean): string {
  if (full)
    return `<h2>Create a key</h2><p>You have the most keys allowed (${v.settings.maxKeysPerOwner}). Revoke one to create another.</p>`;
  const scopes = v.settings.allowedScopes
    .map((s, i) => `<input type="checkbox" id="scope-${i}" name="scope" value="${escape(s)}"><label for="scope-${i}">${escape(s)}</label>`)
    .join(' ');
  return `<h2>Create a key</h2><form method="post" action="/portal/keys">${csrfField(v.csrf)}
<label for="name">Name</label><input id="name" name="name" required maxlength="200" autocomplete="off">
${scopes === '' ? '' : `<fieldset><legend>Scopes</legend>${scopes}</fieldset>`}
<label for="lifetime">Expires after</label><select id="lifetime" name="lifetime">${lifetimeOptions(v.settings.maxLifetimeSeconds)}</select>
<div><button type="submit">Create key</button></div></form>`;
}

export function portalPage(v: PortalView, now: number): string {
  const app = v.settings.appName ?? v.keyspaceName;
  const logo = v.settings.logoUrl === null ? '' : `<img class="logo" src="${escape(v.settings.logoUrl)}" alt="${escape(app)}">`;
  const created =
    v.created === undefined
      ? ''
      : `<section class="once" aria-labelledby="created"><h2 id="created">${v.created.rolled ? 'Your rolled key' : 'Your new key'}: ${escape(v.created.name)}</h2>
<p>Copy it now: it is shown this once and never again.${v.created.rolled ? ' The old key keeps working for one more day.' : ''}</p>
<label for="new-key">Key</label><input id="new-key" readonly value="${escape(v.created.key)}"></section>`;
  const error = v.error === undefined ? '' : `<p class="error" role="alert">${escape(v.error)}</p>`;
  const notice = v.notice === undefined ? '' : `<p role="status">${escape(v.notice)}</p>`;
  const live = v.keys.filter((k) => k.record.revokedAt === null && (k.record.expiresAt === null || k.record.expiresAt > now));
  const table =
    v.keys.length === 0
      ? '<p>You have no keys yet.</p>'
      : `<table aria-labelledby="keys"><thead><tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">Scopes</th><th scope="col">Expires</th><th scope="col">State</th><th scope="col">Actions</th></tr></thead><tbody>${v.keys.map((k) => keyRow(k, v.csrf, now)).join('')}</tbody></table>`;
  return portalLayout(
    `API keys · ${app}`,
    `${logo}<h1>Your API keys for ${escape(app)}</h1>${error}${notice}${created}
<h2 id="keys">Keys</h2>${table}${usageTable(v.keys)}${createForm(v, live.length >= v.settings.maxKeysPerOwner)}
<p><a href="${escape(v.session.returnUrl)}">Back to ${escape(app)}</a></p>`,
    v.settings,
  );
}

/** Why the portal cannot open: a link used already or expired, or a session that ended. */
export function portalEndedPage(message: string): string {
  return portalLayout('Portal unavailable', `<h1>This portal link cannot be used</h1><p class="error">${escape(message)}</p>`, undefined);
}

/**
 * Sends a portal page under its CSP: the hosted pages' one, with the portal's style sheets by hash
 * and images from the logo's origin only.
 */
export function sendPortalPage(reply: FastifyReply, status: number, html: string, settings?: PortalSettings): FastifyReply {
  const styles = portalStyles(settings).map(styleHash).join(' ');
  const img = settings?.logoUrl == null ? "'none'" : new URL(settings.logoUrl).origin;
  return sendHtml(
    reply,
    status,
    html,
    `default-src 'none'; style-src ${styles}; img-src ${img}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  );
}
