import { keyspaceAllowed, matchRoute, satisfies, TesseraError, type ActiveRoutes, type VerifyResult } from '@tessera/core';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { problems } from '../http/contract.js';
import { issuerOf } from '../http/issuer.js';
import { problem } from '../http/problem.js';
import { IdParams, Type } from '../http/schemas.js';
import type { Services } from '../wiring/services.js';
import {
  accessToken,
  clientAddress,
  clientKey,
  gatewayAnswer,
  NO_KEY,
  NO_RULE,
  originalRequest,
  originalUrl,
  tokenAnswer,
  type GatewayAnswer,
} from './forward-auth-answer.js';
import { ForwardAuthAnswer } from './gateway-schemas.js';

/** Methods Envoy's ext_authz may forward as they were (HEAD comes with GET). */
const ENVOY_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * Forward authentication for API gateways (NGINX `auth_request`, Caddy `forward_auth`, Traefik
 * `forwardAuth`, Envoy `ext_authz`): the gateway, authenticated by its own root key in
 * `Tessera-Gateway-Key`, asks whether a client's request may pass. The keyspace's route rules (in
 * memory) give the scopes; the key is checked by the verifier `POST /v1/keys/verify` uses.
 * Like verify, a plugin of its own that logs nothing per request and answers a cached key without
 * a promise.
 */
export function forwardAuthRoutes(
  services: Services,
  metrics: { observeVerify(code: string, seconds: number): void },
  config: Config,
): FastifyPluginAsync {
  return async (app0) => {
    const issuer = issuerOf(app0, config);
    // Gateways send no body worth reading (Envoy may name a JSON type with none): none is parsed.
    app0.removeAllContentTypeParsers();
    app0.addContentTypeParser('*', { bodyLimit: 1024 }, (_request, _payload, done) => done(null, undefined));
    const app = app0.withTypeProvider<TypeBoxTypeProvider>();

    const send = (request: FastifyRequest, reply: FastifyReply, a: GatewayAnswer): void => {
      reply.code(a.status).headers(a.headers);
      if (a.status === 429 && request.headers['tessera-gateway-mode'] === 'auth-request') {
        // NGINX's auth_request passes on only 401 and 403: a 403 that says what it stands for.
        reply.code(403).header('tessera-status', '429');
      }
      if (a.code === undefined) reply.send('');
      else
        reply
          .header('x-request-id', request.id)
          .type('application/problem+json')
          .send({ ...problem(a.code, a.detail), requestId: request.id });
    };

    const decide = (
      request: FastifyRequest,
      reply: FastifyReply,
      routes: ActiveRoutes | undefined,
      original: { method: string; uri: string; envoy: boolean },
    ): void | Promise<void> => {
      const started = process.hrtime.bigint();
      const rootKey = request.rootKey!;
      if (routes === undefined || routes.workspaceId !== rootKey.workspaceId) throw new TesseraError('NOT_FOUND', 'No such keyspace.');
      const key = clientKey(request, routes.keyHeader);
      const token = routes.audience === undefined ? undefined : accessToken(request);
      if (key === undefined && token === undefined) return send(request, reply, NO_KEY);
      const rule = matchRoute(routes.rules, original.method, original.uri);
      if (rule === undefined) return send(request, reply, NO_RULE);
      const scopes = rule.rule.scopes;
      if (token !== undefined) return checkToken(request, reply, token, routes.audience!, scopes, original);
      if (key === undefined) return send(request, reply, NO_KEY);
      const ip = clientAddress(request);
      const input = {
        key,
        workspaceId: rootKey.workspaceId,
        keyspaceIds: rootKey.keyspaceIds,
        keyspaceId: routes.keyspaceId,
        scopes,
        ip,
        resource: original.uri.split('?')[0]!.slice(0, 256),
        method: original.method,
        userAgent: request.headers['user-agent'],
      };
      const answer = (result: VerifyResult) => {
        metrics.observeVerify(result.code, Number(process.hrtime.bigint() - started) / 1e9);
        return send(request, reply, gatewayAnswer(result, scopes, services.clock.now()));
      };
      const pending = services.verifier.verify(input);
      return pending instanceof Promise ? pending.then(answer) : answer(pending);
    };

    /**
     * Tessera's own access token (JWT), for a keyspace whose routes name its audience: verified as
     * a resource server would, and a DPoP-bound one only with a good proof for this request.
     */
    const checkToken = async (
      request: FastifyRequest,
      reply: FastifyReply,
      t: { scheme: 'bearer' | 'dpop'; token: string },
      audience: string,
      required: string | undefined,
      original: { method: string; uri: string; envoy: boolean },
    ): Promise<void> => {
      const c = await services.oauth.server.verifyAccessToken(t.token, issuer(), audience);
      const bound = c?.cnf?.jkt;
      // A bound token only as DPoP, an unbound one only as Bearer (RFC 9449 §7.1, §7.2).
      const valid = c !== undefined && c.workspace_id === request.rootKey!.workspaceId && (bound === undefined) === (t.scheme === 'bearer');
      let proof: 'none' | 'good' | 'bad' = 'none';
      if (valid && bound !== undefined) {
        const dpop = request.headers.dpop;
        const url = originalUrl(request, original.uri, original.envoy);
        const good =
          typeof dpop === 'string' &&
          url !== undefined &&
          (await services.oauth.server.provesPossession([dpop], { method: original.method, url, accessToken: t.token }, bound));
        proof = good ? 'good' : 'bad';
      }
      const grant = valid ? { sub: c.sub, clientId: c.client_id, scopes: c.scope.split(' ').filter(Boolean) } : undefined;
      const allowed = grant !== undefined && (required === undefined || satisfies(services.verifier.expression(required), grant.scopes));
      send(request, reply, tokenAnswer(grant, proof, allowed, required));
    };

    // Not async: with the routes and the key in memory, the answer is sent without a promise.
    const handle = (
      request: FastifyRequest<{ Params: { keyspaceId: string; '*'?: string } }>,
      reply: FastifyReply,
    ): void | Promise<void> => {
      const { keyspaceId } = request.params;
      if (!keyspaceAllowed(request.rootKey!, keyspaceId)) throw new TesseraError('NOT_FOUND', 'No such keyspace.');
      // Envoy sends the original request itself, under this path (read as sent, not decoded by the
      // router, so an encoded slash stays one); the others say it in headers.
      const original =
        request.params['*'] === undefined
          ? { ...originalRequest(request), envoy: false }
          : { method: request.method, uri: envoyUri(request.url), envoy: true };
      const routes = services.gateway.routesFor(keyspaceId);
      return routes instanceof Promise ? routes.then((r) => decide(request, reply, r, original)) : decide(request, reply, routes, original);
    };

    const routeConfig = { permission: 'keys:verify', credential: 'gateway', keyspace: 'handler' } as const;
    app.get(
      '/v1/keyspaces/:keyspaceId/forward-auth',
      {
        config: routeConfig,
        schema: {
          operationId: 'forwardAuth',
          tags: ['gateway'],
          summary: "Forward authentication: may a gateway's client request pass?",
          description:
            "Called by a gateway (NGINX `auth_request`, Caddy `forward_auth`, Traefik `forwardAuth`) with its root key in `Tessera-Gateway-Key`, the client's headers, the original method and URI in `X-Forwarded-Method`/`X-Forwarded-Uri` or `X-Original-Method`/`X-Original-URI`, and the client address as the last `X-Forwarded-For` entry. `200` with identity headers, or `401`/`403`/`429` with `WWW-Authenticate`, `Retry-After` and `RateLimit` headers. Envoy's `ext_authz` calls `…/forward-auth/<original path>` with the original method instead. docs/gateways.md has the configurations.",
          params: IdParams('keyspaceId'),
          security: [{ gatewayKey: ['keys:verify'] }],
          response: { 200: ForwardAuthAnswer, ...problems('UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED', 'VALIDATION_FAILED', 'NOT_FOUND') },
        },
      },
      handle,
    );
    app.route({
      method: ENVOY_METHODS,
      url: '/v1/keyspaces/:keyspaceId/forward-auth/*',
      config: routeConfig,
      schema: { hide: true, params: Type.Object({ keyspaceId: IdParams('keyspaceId').properties.keyspaceId, '*': Type.String() }) },
      handler: handle,
    });
  };
}

/** The original path and query Envoy appended to `/v1/keyspaces/{id}/forward-auth` (an id holds no slash). */
const ENVOY_PREFIX = '/forward-auth/';
const envoyUri = (url: string) => url.slice(url.indexOf(ENVOY_PREFIX) + ENVOY_PREFIX.length - 1);
