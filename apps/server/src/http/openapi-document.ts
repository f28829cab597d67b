import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { VERSION } from '../version.js';

/** The OpenAPI document, made from the routes' schemas as they are registered (served at /openapi.json). */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    // Shared schemas keep their own names in `components.schemas` (`Problem`, not `def-0`).
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tessera',
        version: VERSION,
        description:
          'API keys, tokens, vault and audit. Errors are RFC 9457 problem+json with a stable `code` and the `requestId`. ' +
          'Every answer carries `X-Request-Id` (a valid one sent is kept). Routes that create or change take an `Idempotency-Key`.',
      },
      components: {
        securitySchemes: {
          rootKey: { type: 'http', scheme: 'bearer', description: 'A root key' },
          gatewayKey: {
            type: 'apiKey',
            in: 'header',
            name: 'Tessera-Gateway-Key',
            description: "A gateway's root key, in a header of its own so that the client's `Authorization` passes through untouched.",
          },
          consoleSession: {
            type: 'apiKey',
            in: 'cookie',
            name: 'tessera_session',
            description: 'The console session cookie (`__Host-tessera_session` over TLS), set by signing in. HttpOnly, SameSite=Strict.',
          },
          csrfToken: {
            type: 'apiKey',
            in: 'header',
            name: 'X-CSRF-Token',
            description: "The session's CSRF token (`csrfToken` in the sign-in answers), required with the cookie on every change.",
          },
        },
      },
      security: [{ rootKey: [] }],
    },
  });
}

/** The rendered reference at /docs; registered after the error handlers, so its routes answer errors (KEY_IN_URL) in problem+json too. */
export async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swaggerUi, { routePrefix: '/docs', logLevel: 'warn' });
}
