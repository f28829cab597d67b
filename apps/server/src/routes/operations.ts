import { finished } from 'node:stream/promises';
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import { problems } from '../http/contract.js';
import { operations } from '../http/route-table.js';
import { serveMetrics } from '../http/metrics-access.js';
import { problem, sendProblem } from '../http/problem.js';
import { Answer, Type } from '../http/schemas.js';
import type { Services } from '../wiring/services.js';

/** How long readiness waits for the store before it answers not ready. */
const READY_TIMEOUT_MS = 2000;

/** What an orchestrator and a scraper read: liveness, readiness, metrics, and the OpenAPI document itself. */
export function operationsRoutes(services: Services, config: Config, registry: Registry): FastifyPluginAsync {
  return operations({ tags: ['operations'] }, (route, app) => {
    route.get(
      '/healthz',
      {
        operationId: 'checkLiveness',
        summary: 'Liveness',
        description: 'The process answers. It asks nothing of the store: see `/readyz` for that.',
        security: [],
        response: {
          200: Answer('Alive.', Type.Object({ status: Type.Literal('ok') }, { examples: [{ status: 'ok' }] })),
          ...problems('KEY_IN_URL'),
        },
      },
      async () => ({ status: 'ok' as const }),
    );

    route.get(
      '/readyz',
      {
        operationId: 'checkReadiness',
        summary: 'Readiness: the store answers',
        description: `Ready when the store answers within ${READY_TIMEOUT_MS / 1000} s; a load balancer sends traffic to ready nodes only.`,
        security: [],
        response: {
          200: Answer('Ready.', Type.Object({ status: Type.Literal('ready') }, { examples: [{ status: 'ready' }] })),
          ...problems('KEY_IN_URL', 'STORE_UNAVAILABLE'),
        },
      },
      async (_request, reply) => {
        try {
          await Promise.race([
            services.store.ping(),
            new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), READY_TIMEOUT_MS).unref()),
          ]);
          return { status: 'ready' as const };
        } catch {
          return sendProblem(reply, problem('STORE_UNAVAILABLE', 'The store does not answer.'));
        }
      },
    );

    serveMetrics(app, config, registry);
    app.get('/openapi.json', { schema: { hide: true } }, async (request) => {
      // A body sent with the GET is read and dropped first: a connection closed with bytes still
      // unread is reset, and the client would lose the end of this long answer.
      if (!request.raw.readableEnded) await finished(request.raw.resume()).catch(() => undefined);
      return app.swagger();
    });
  });
}
