import { KEY_PATTERN } from '@tessera/api';
import { TesseraError } from '@tessera/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Query parameters that would carry a credential in a URL, which ends up in logs. */
const CREDENTIAL_PARAMS = new Set(['key', 'apikey', 'api_key', 'rootkey', 'root_key', 'token', 'access_token', 'refresh_token', 'secret']);

/** The shortest path segment that can hold a key: a one-letter prefix, `_`, 49 characters. */
const MIN_KEY_LENGTH = 51;
const KEY_IN_URL_DETAIL =
  'Keys and tokens are accepted in headers and bodies only, never in the URL: URLs end up in logs. Revoke a key that was sent this way.';

/** A URL component decoded, or as it is when its percent-encoding is broken. */
export function decoded(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}

/** A KEY_IN_URL error when the URL carries a credential: a key where an id belongs, or a credential parameter. */
function credentialInUrl(url: string): TesseraError | undefined {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (path.length >= MIN_KEY_LENGTH && path.split('/').some((segment) => KEY_PATTERN.test(decoded(segment)))) {
    return new TesseraError('KEY_IN_URL', KEY_IN_URL_DETAIL);
  }
  if (q !== -1) {
    for (const [name, value] of new URLSearchParams(url.slice(q + 1))) {
      if (CREDENTIAL_PARAMS.has(name.toLowerCase()) || KEY_PATTERN.test(value)) return new TesseraError('KEY_IN_URL', KEY_IN_URL_DETAIL);
    }
  }
  return undefined;
}

/**
 * Before routing, every request: one that carries a credential in its URL is refused, and every
 * answer is never cached, never sniffed, names its request id, and has HSTS when Tessera
 * terminates TLS itself.
 */
export function guardRequests(
  app: FastifyInstance,
  o: { tls: boolean; logUnrouted: (request: FastifyRequest, reply: FastifyReply) => void },
): void {
  const securityHeaders = {
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...(o.tls && { 'strict-transport-security': 'max-age=63072000; includeSubDomains' }),
  };
  app.addHook('onRequest', (request, reply, done) => {
    const refused = credentialInUrl(request.url);
    if (refused !== undefined) {
      o.logUnrouted(request, reply); // a route's own hook logs the refusal
      return done(refused);
    }
    reply.headers(securityHeaders);
    reply.header('x-request-id', request.id);
    done();
  });
}
