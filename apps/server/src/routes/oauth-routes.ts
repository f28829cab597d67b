import type { AddressInfo } from 'node:net';
import { OAUTH_PATHS, OAuthError, TesseraError, type EndpointAnswer, type TokenRequest } from '@tessera/core';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Services } from '../services.js';

/** Parameters RFC 8693 and RFC 8707 allow more than once; every other one appears at most once (RFC 6749 §3.1). */
const REPEATABLE = new Set(['audience', 'resource']);
/** Longest value of any one parameter; assertions and ML-DSA-signed tokens are the longest legitimate ones. */
const MAX_PARAM_LENGTH = 16_384;
const MAX_PARAMS = 32;
const FORM = 'application/x-www-form-urlencoded';

/**
 * The OAuth 2.0 endpoints: token, introspection, revocation, metadata and JWKS. They take
 * form-encoded bodies and answer errors as RFC 6749 §5.2 JSON, not as problem+json.
 */
export function oauthRoutes(services: Services, config: Config): FastifyPluginAsync {
  const { oauth } = services;
  return async (app) => {
    let issuer = config.issuer?.replace(/\/+$/, '');
    const issuerOf = (): string => {
      if (issuer === undefined) {
        const a = app.server.address() as AddressInfo | null;
        const host =
          a === null || a.address === '0.0.0.0' || a.address === '::' ? 'localhost' : a.family === 'IPv6' ? `[${a.address}]` : a.address;
        issuer = `${config.tlsCert !== undefined ? 'https' : 'http'}://${host}:${a?.port ?? config.port}`;
      }
      return issuer;
    };

    app.addContentTypeParser(FORM, { parseAs: 'string' }, (_request, body, done) => {
      const params = new Map<string, string[]>();
      for (const [name, value] of new URLSearchParams(body as string)) {
        const values = params.get(name);
        if (values === undefined) params.set(name, [value]);
        else values.push(value);
      }
      done(null, params);
    });

    app.setErrorHandler((error: FastifyError | TesseraError | OAuthError, request, reply) => {
      if (error instanceof OAuthError) return sendOAuthError(reply, error);
      if (error instanceof TesseraError) {
        if (error.code === 'STORE_UNAVAILABLE')
          return sendOAuthError(reply, new OAuthError('temporarily_unavailable', 'The store is unavailable; try again shortly.'));
        if (error.status < 500) return sendOAuthError(reply, new OAuthError('invalid_request', error.detail));
      }
      const status = (error as FastifyError).statusCode ?? 500;
      if (status < 500) {
        const why =
          status === 413
            ? 'The request body is too large.'
            : status === 415
              ? `Send the parameters as ${FORM}.`
              : 'The request is not valid.';
        return sendOAuthError(reply, new OAuthError('invalid_request', why));
      }
      request.log.error({ err: { type: error.name, message: error.message, stack: error.stack } }, 'unhandled error at an OAuth endpoint');
      return sendOAuthError(
        reply,
        new OAuthError('server_error', 'Something went wrong on our side; the error is logged with this request id.'),
      );
    });

    const endpoint =
      (run: (req: TokenRequest, issuer: string) => Promise<EndpointAnswer<object>>) =>
      async (request: FastifyRequest, reply: FastifyReply) => {
        const answer = await run(tokenRequest(request), issuerOf());
        reply.header('pragma', 'no-cache');
        for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value);
        return reply.code(200).type('application/json').send(answer.body);
      };
    const post = { tags: ['oauth'], security: [], consumes: [FORM] };

    app.post(
      OAUTH_PATHS.token,
      { schema: { ...post, summary: 'Token endpoint (RFC 6749 §3.2, RFC 8693, RFC 9449)' } },
      endpoint((r, i) => oauth.server.token(r, i)),
    );
    app.post(
      OAUTH_PATHS.introspection,
      { schema: { ...post, summary: 'Token introspection (RFC 7662)' } },
      endpoint((r, i) => oauth.server.introspect(r, i)),
    );
    app.post(
      OAUTH_PATHS.revocation,
      { schema: { ...post, summary: 'Token revocation (RFC 7009)' } },
      endpoint((r, i) => oauth.server.revoke(r, i)),
    );

    app.get(
      OAUTH_PATHS.metadata,
      { schema: { tags: ['oauth'], summary: 'Authorization server metadata (RFC 8414)', security: [] } },
      async (_request, reply) => {
        reply.header('cache-control', 'public, max-age=300');
        return oauth.server.metadata(issuerOf());
      },
    );
    app.get(
      OAUTH_PATHS.jwks,
      { schema: { tags: ['oauth'], summary: 'Signing keys: next, current and previous (RFC 7517)', security: [] } },
      async (_request, reply) => {
        // The next key is published a whole rotation period before it signs, so caching is safe.
        reply.header('cache-control', 'public, max-age=300');
        reply.type('application/jwk-set+json');
        return oauth.keys.jwks();
      },
    );

    let timer: NodeJS.Timeout | undefined;
    app.addHook('onReady', async () => {
      await oauth.keys.ensure('EdDSA');
      timer = setInterval(() => {
        oauth.maintain().catch((err: unknown) => app.log.error({ err: { message: (err as Error).message } }, 'OAuth maintenance failed'));
      }, 3_600_000);
      timer.unref();
    });
    app.addHook('onClose', async () => {
      if (timer !== undefined) clearInterval(timer);
      await oauth.close();
    });
  };
}

function tokenRequest(request: FastifyRequest): TokenRequest {
  const body = request.body;
  if (!(body instanceof Map)) throw new OAuthError('invalid_request', `Send the parameters as ${FORM}.`);
  const params = body as Map<string, string[]>;
  if (params.size > MAX_PARAMS) throw new OAuthError('invalid_request', 'Too many parameters.');
  for (const [name, values] of params) {
    if (values.length > 1 && !REPEATABLE.has(name))
      throw new OAuthError('invalid_request', `The parameter ${name.slice(0, 64)} appears more than once.`);
    if (name.length > 64 || values.some((v) => v.length > MAX_PARAM_LENGTH))
      throw new OAuthError('invalid_request', 'A parameter is too long.');
    if (values.some((v) => v === '')) params.delete(name); // RFC 6749 §3.1: empty parameters are treated as omitted
  }
  // Every DPoP header, to refuse more than one (RFC 9449 §4.3); Node builds the distinct view of
  // all headers on first use, so only when there is one.
  const dpop = request.headers.dpop === undefined ? [] : (request.raw.headersDistinct.dpop ?? []);
  return { params, authorization: request.headers.authorization, dpop, method: request.method, ip: request.ip };
}

function sendOAuthError(reply: FastifyReply, error: OAuthError): FastifyReply {
  if (error.status === 401) reply.header('www-authenticate', `Basic realm="tessera", charset="UTF-8"`);
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  reply.header('cache-control', 'no-store');
  reply.header('pragma', 'no-cache');
  return reply.code(error.status).type('application/json').send(error.toJSON());
}
