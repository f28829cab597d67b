import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { TesseraError } from '@tessera/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { isLoopback, listenAddress, type Config } from '../config.js';
import { problems } from './contract.js';
import { problem, type Problem } from './problem.js';
import { Type } from './schemas.js';

/**
 * Who may read `/metrics` on the main listener: anyone when Tessera listens on loopback only;
 * otherwise the holder of `metricsToken`; nobody when a separate `metricsListen` serves it, or
 * when neither is configured on a reachable address (metrics name keys, clients and traffic).
 */
export type MetricsAccess = 'open' | 'token' | 'elsewhere' | 'refused';

export function metricsAccess(config: Config): MetricsAccess {
  if (config.metricsListen !== undefined) return 'elsewhere';
  if (config.metricsToken !== undefined) return 'token';
  return isLoopback(config.host) ? 'open' : 'refused';
}

/** `Authorization: Bearer <token>` holds the token; compared in constant time. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer +(\S+) *$/i.exec(header ?? '')?.[1];
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given ?? ''), digest(token)) && given !== undefined;
}

const NO_TOKEN = 'A bearer token is required for /metrics (TESSERA_METRICS_TOKEN).';

/** The `onRequest` hook of `/metrics` on the main listener. */
function metricsGuard(config: Config): (request: FastifyRequest) => Promise<void> {
  const access = metricsAccess(config);
  return async function metricsGuard(request) {
    if (access === 'refused') {
      throw new TesseraError(
        'FORBIDDEN',
        '/metrics is served on a loopback address only, unless TESSERA_METRICS_TOKEN or TESSERA_METRICS_LISTEN is set.',
      );
    }
    if (access === 'token' && !bearerMatches(request.headers.authorization, config.metricsToken!)) {
      throw new TesseraError('UNAUTHORIZED', NO_TOKEN);
    }
  };
}

function answer(res: ServerResponse, p: Problem): void {
  const headers: Record<string, string> = { 'content-type': 'application/problem+json', 'cache-control': 'no-store' };
  if (p.status === 401) headers['www-authenticate'] = 'Bearer realm="tessera"';
  res.writeHead(p.status, headers).end(JSON.stringify(p));
}

/** How `/metrics` on the main listener is documented; only its answer's media type is JSON Schema's business. */
const METRICS_SCHEMA = {
  operationId: 'getMetrics',
  tags: ['operations'],
  summary: 'Prometheus metrics',
  description:
    'Every metric is named `tessera_…`. Open when Tessera listens on loopback only; otherwise it takes `Authorization: Bearer <TESSERA_METRICS_TOKEN>`, and is refused (`FORBIDDEN`) when no token is set. With `TESSERA_METRICS_LISTEN`, it is served on that listener instead, and not here.',
  security: [],
  response: {
    200: {
      description: 'The Prometheus text exposition format, version 0.0.4 (`text/plain; version=0.0.4`).',
      content: {
        'text/plain': {
          schema: Type.String({
            examples: [
              '# HELP tessera_verifications_total Key verifications over HTTP, by code.\n# TYPE tessera_verifications_total counter\ntessera_verifications_total{code="VALID"} 1840\ntessera_verifications_total{code="NOT_FOUND"} 12\n',
            ],
          }),
        },
      },
    },
    ...problems('UNAUTHORIZED', 'FORBIDDEN'),
  },
};

/** Serves `/metrics` as the configuration says: on the main listener (guarded) or on a listener of its own. */
export function serveMetrics(app: FastifyInstance, config: Config, registry: Registry): void {
  if (metricsAccess(config) !== 'elsewhere') {
    app.get('/metrics', { schema: METRICS_SCHEMA, onRequest: metricsGuard(config) }, async (_request, reply) => {
      reply.type(registry.contentType);
      return registry.metrics();
    });
    return;
  }
  let listener: Server | undefined;
  app.addHook('onReady', async () => {
    listener = await startMetricsListener(config, registry);
  });
  app.addHook('onClose', async () => {
    await new Promise((resolve) => (listener === undefined ? resolve(undefined) : listener.close(resolve)));
  });
}

/** The separate listener of `metricsListen`: plain HTTP, `GET /metrics` only, the token required if one is set. */
async function startMetricsListener(config: Config, registry: Registry): Promise<Server> {
  const { host, port } = listenAddress(config.metricsListen!);
  const server = createServer((req, res) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.url?.split('?')[0] !== '/metrics') {
      return answer(res, problem('NOT_FOUND', 'This listener serves only GET /metrics.'));
    }
    if (config.metricsToken !== undefined && !bearerMatches(req.headers.authorization, config.metricsToken)) {
      return answer(res, problem('UNAUTHORIZED', NO_TOKEN));
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(text),
      () => answer(res, problem('INTERNAL')),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
