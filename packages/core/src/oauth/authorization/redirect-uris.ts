import { TesseraError } from '../../errors.js';

/** At most this many redirect URIs per client, each at most this long. */
const MAX_URIS = 10;
const MAX_LENGTH = 2048;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]']);

const bad = (m: string) => new TesseraError('VALIDATION_FAILED', m);

/**
 * Checks the redirect URIs a client registers: absolute, no fragment (RFC 6749 §3.1.2); `https`,
 * `http` only on a loopback address (RFC 8252 §7.3 and §8.3, which advises against `localhost`), or
 * a private-use scheme of a native app in reverse-domain form (RFC 8252 §7.1).
 */
export function checkRedirectUris(uris: readonly string[]): string[] {
  if (uris.length > MAX_URIS) throw bad(`at most ${MAX_URIS} redirectUris`);
  for (const uri of uris) {
    if (uri.length === 0 || uri.length > MAX_LENGTH) throw bad(`each redirect URI must be 1 to ${MAX_LENGTH} characters`);
    let u: URL;
    try {
      u = new URL(uri);
    } catch {
      throw bad(`redirect URI "${uri.slice(0, 80)}" is not an absolute URI`);
    }
    if (uri.includes('#')) throw bad('a redirect URI may not have a fragment');
    if (/\s/.test(uri)) throw bad('a redirect URI may not hold white space');
    if (u.username !== '' || u.password !== '') throw bad('a redirect URI may not hold credentials');
    if (u.protocol === 'http:') {
      if (!LOOPBACK_HOSTS.has(u.hostname)) throw bad('http redirect URIs must be on a loopback address (127.0.0.1 or [::1])');
    } else if (u.protocol !== 'https:' && !/^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/.test(u.protocol)) {
      throw bad('a redirect URI must be https, http on a loopback address, or a reverse-domain private-use scheme');
    }
  }
  return [...new Set(uris)];
}

/**
 * Checks the web origins a client registers for CORS: each an origin in its serialised form
 * (`scheme://host[:port]`, lower case, no path, no default port; RFC 6454 §6.2), `https`, or
 * `http` on a loopback address as for redirect URIs.
 */
export function checkWebOrigins(origins: readonly string[]): string[] {
  if (origins.length > MAX_URIS) throw bad(`at most ${MAX_URIS} webOrigins`);
  for (const origin of origins) {
    let u: URL | undefined;
    try {
      u = new URL(origin);
    } catch {
      u = undefined;
    }
    if (u === undefined || origin.length > 512 || u.origin !== origin)
      throw bad(`web origin "${origin.slice(0, 80)}" is not an origin such as https://app.example.com (no path, no trailing slash)`);
    if (u.protocol === 'http:' && !LOOPBACK_HOSTS.has(u.hostname))
      throw bad('http web origins must be on a loopback address (127.0.0.1 or [::1])');
  }
  return [...new Set(origins)];
}

/**
 * Whether a presented redirect URI is one the client registered: exact string comparison (RFC 9700
 * §4.1.3), except that the port of an `http` loopback URI may differ, as a native app's ephemeral
 * port does (RFC 8252 §7.3). Host, path and query must still match exactly.
 */
export function redirectUriMatches(registered: readonly string[], presented: string): boolean {
  if (registered.includes(presented)) return true;
  const p = loopbackWithoutPort(presented);
  return p !== undefined && registered.some((r) => loopbackWithoutPort(r) === p);
}

function loopbackWithoutPort(uri: string): string | undefined {
  const m = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?([/?].*)?$/.exec(uri);
  if (m === null) return undefined;
  return `http://${m[1]}${m[3] ?? ''}`;
}
