import { readFileSync } from 'node:fs';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { KEY_PATTERN, KEY_SEARCH_PATTERN, maskKey, type ErrorCode, type Permission } from '@tessera/api';
import { AuthFailureThrottle, every, TesseraError } from '@tessera/core';
import { isStoreUnavailable } from '@tessera/store';
import { pino } from 'pino';
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  type RouteOptions,
} from 'fastify';
import type { Config } from './config.js';
import { trustProxyOption } from './config.js';
import { authorize } from './http/auth.js';
import { IdempotencyKeyHeader, idempotencyHooks } from './http/idempotency.js';
import { checkKeyspaceScope } from './http/keyspace-scope.js';
import { createMetrics } from './http/metrics.js';
import { VERSION } from './version.js';
import { problem, sendProblem } from './http/problem.js';
import { declareCommonProblems, declarePermissions, ProblemSchema } from './http/contract.js';
import { auditRoutes } from './routes/audit.js';
import { oauthClientRoutes } from './routes/oauth-clients.js';
import { oauthEndpoints } from './routes/oauth/endpoints.js';
import { eventRoutes } from './routes/events.js';
import { keyRecoveryRoutes } from './routes/key-recovery.js';
import { keyRoutes } from './routes/keys.js';
import { keyspaceRoutes } from './routes/keyspaces.js';
import { operationsRoutes } from './routes/operations.js';
import { rootKeyRoutes } from './routes/root-keys.js';
import { secretRoutes } from './routes/secrets.js';
import { verifyRoutes } from './routes/verify.js';
import type { Services } from './wiring/services.js';
import { monitoringRoutes } from './routes/monitoring.js';
import { consoleRoutes } from './routes/console/console-routes.js';

export { VERSION } from './version.js';

/** Paths in logs are redacted wherever a secret could sit. */
export const LOG_REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers.dpop',
  '*.key',
  '*.rootKey',
  '*.secret',
  '*.clientSecret',
  '*.value',
  '*.password',
];

/** Query parameters that would carry a credential in a URL, which ends up in logs. */
const CREDENTIAL_PARAMS = new Set(['key', 'apikey', 'api_key', 'rootkey', 'root_key', 'token', 'access_token', 'refresh_token', 'secret']);

function decoded(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}

/** The path for a log line: no query, and anything shaped like a key cut to its display hint. */
function loggedPath(url: string): string {
  return decoded(url.split('?')[0]!).replace(KEY_SEARCH_PATTERN, maskKey);
}

/** The shortest path segment that can hold a key: a one-letter prefix, `_`, 49 characters. */
const MIN_KEY_LENGTH = 51;
const KEY_IN_URL_DETAIL =
  'Keys and tokens are accepted in headers and bodies only, never in the URL: URLs end up in logs. Revoke a key that was sent this way.';

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

/** An incoming `X-Request-Id` Tessera keeps: short, and of an alphabet that is safe in a log line and a header. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function freshRequestId(): string {
  return `req_${Math.random().toString(36).slice(2, 12)}`;
}

/** The request's id: the caller's `X-Request-Id` when it is valid, otherwise a fresh one. */
export function requestIdOf(raw: IncomingMessage): string {
  const given = raw.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : freshRequestId();
}

/** A route's hooks of one kind with `hook` added last (Fastify takes one hook or a list). */
function withHook<H>(existing: H | H[] | undefined, hook: H): H[] {
  return [...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing]), hook];
}

export interface AppOptions {
  config: Config;
  services: Services;
  /** A pino destination stream (tests capture logs with it). */
  logStream?: NodeJS.WritableStream;
}

/** How long a log line may wait for others before it is written. */
const LOG_FLUSH_MS = 100;

/**
 * The server's log on stdout. Lines are written from libuv's thread pool, not by a blocking write
 * per line on the event loop, and in batches: once 4 KiB are waiting or every 100 ms, whichever
 * comes first (a write per line cost the token endpoint ~8% of its throughput in pool handoffs).
 * pino writes what is pending when the process exits. Should stdout stall, lines beyond 16 MiB
 * waiting are dropped rather than held in memory without end.
 *
 * A write to a stalled pipe must not block: it would hold a thread of the pool that also signs
 * access tokens (one thread on two cores). Node's own stdout stream puts a pipe in non-blocking
 * mode when it is first touched, so the write fails with EAGAIN and is tried again a little later.
 */
function batchedStdout(): { stream: pino.DestinationStream; stop(): Promise<void> } {
  void process.stdout; // creates Node's stdout stream, which makes a pipe non-blocking
  const stream = pino.destination({ dest: 1, sync: false, minLength: 4096, maxLength: 16 * 1024 * 1024 });
  const flush = () => {
    try {
      stream.flush();
    } catch {
      // stdout closed: nothing more can be written, and pino's own error handling reports it
    }
  };
  const flusher = every(LOG_FLUSH_MS, flush);
  return {
    stream,
    async stop() {
      await flusher.stop();
      flush();
    },
  };
}

/**
 * A request Node's HTTP parser refused (headers or URL over its limit, a timeout, a malformed
 * request): one problem+json answer on the raw socket, then the connection is closed.
 */
function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const p =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? problem('HEADERS_TOO_LARGE', 'The request line and headers are larger than this server accepts.')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? problem('REQUEST_TIMEOUT')
        : problem('VALIDATION_FAILED', 'The HTTP request is malformed.');
  // No request was parsed, so no id came with it: this answer has a fresh one.
  const requestId = freshRequestId();
  const body = JSON.stringify({ ...p, requestId });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${p.status} ${STATUS_CODES[p.status]}\r\nContent-Type: application/problem+json\r\nX-Request-Id: ${requestId}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

export async function createApp({ config, services, logStream }: AppOptions): Promise<FastifyInstance> {
  const tls = config.tlsCert !== undefined && config.tlsKey !== undefined;
  const stdoutLog = logStream === undefined ? batchedStdout() : undefined;
  const logDestination = logStream ?? stdoutLog!.stream;
  const options: FastifyServerOptions & { https?: { cert: Buffer; key: Buffer } } = {
    logger: { level: config.logLevel, redact: { paths: LOG_REDACT, censor: '[redacted]' }, stream: logDestination },
    logController: new LogController({ disableRequestLogging: true }),
    // The verify path logs nothing per request (metrics count it), so it skips the per-request child logger.
    childLoggerFactory: (logger, bindings, opts, rawReq) => (rawReq.url === '/v1/keys/verify' ? logger : logger.child(bindings, opts)),
    bodyLimit: config.bodyLimit,
    trustProxy: trustProxyOption(config.trustProxy),
    genReqId: requestIdOf,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    // Requests Node's HTTP parser refuses before Fastify sees them answer problem+json too.
    clientErrorHandler: answerClientError,
    // A URL with broken percent-encoding or an overlong path parameter is bad input like any other.
    frameworkErrors: (error, _request, reply) =>
      sendProblem(
        reply,
        problem('VALIDATION_FAILED', error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path parameter is too long.' : 'The URL is not valid.'),
      ),
  };
  if (tls) options.https = { cert: readFileSync(config.tlsCert!), key: readFileSync(config.tlsKey!) };
  const app = Fastify(options);
  app.decorateRequest('rootKey', undefined);
  const metrics = createMetrics(services);
  app.decorateRequest('consoleUser', undefined);
  app.decorateRequest('idempotency', undefined);
  const idempotency = idempotencyHooks(services);
  // Console cookies are `__Host-` and Secure whenever the console is served over TLS, also when a
  // TLS-terminating proxy forwards plain HTTP without saying so (see http/console-session.ts).
  app.decorate('consoleOverTls', config.consoleOrigin?.startsWith('https:') === true);

  app.addSchema(ProblemSchema);
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

  // An empty JSON body counts as `{}` (a bare `POST …/revoke` sent with the JSON content type); the
  // route's schema then decides. Anything else goes to Fastify's parser, which refuses prototype poisoning.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, {});
    return parseJson(request, body as string, done);
  });

  // Every answer: never cached, never sniffed, and HSTS when Tessera terminates TLS itself.
  const securityHeaders = {
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...(tls && { 'strict-transport-security': 'max-age=63072000; includeSubDomains' }),
  };
  app.addHook('onRequest', (request, reply, done) => {
    const refused = credentialInUrl(request.url);
    if (refused !== undefined) {
      logUnrouted(request, reply); // a route's own hook logs the refusal
      return done(refused);
    }
    reply.headers(securityHeaders);
    reply.header('x-request-id', request.id);
    done();
  });

  // Authentication and request logging are attached to the routes that need them, so the verify
  // path and the public routes pay for nothing they do not use.
  // The access line is made of fields Tessera sets itself (the path with credentials already cut
  // out), so it goes through a logger without the redaction paths, whose wildcards cost more than
  // the rest of the line on the token endpoint's hot path. Same destination, same line shape.
  const accessLog = pino({ level: config.logLevel }, logDestination as pino.DestinationStream);
  const logRequest = async (request: FastifyRequest, reply: FastifyReply) => {
    accessLog.info(
      {
        reqId: request.id,
        method: request.method,
        path: loggedPath(request.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
  };
  // A request that reaches no route (an unknown path, or one refused before routing) runs no
  // route hook; its line is written once its answer is, so a probe of unknown paths is logged too.
  const logUnrouted = (request: FastifyRequest, reply: FastifyReply) => {
    if (config.logRequests && request.routeOptions.url === undefined) reply.raw.once('finish', () => void logRequest(request, reply));
  };
  const authThrottle = new AuthFailureThrottle(services.clock, {
    limit: config.adminAuthFailureLimit,
    windowMs: config.adminAuthWindowSeconds * 1000,
  });
  app.addHook('onRoute', (route) => {
    const permission = route.config?.permission;
    if (permission !== undefined) {
      const permissions: readonly Permission[] = typeof permission === 'string' ? [permission] : permission;
      declarePermissions(route, permissions);
      // A callback hook: a cached root key is checked without a promise (see `authorize`).
      route.onRequest = withHook<unknown>(route.onRequest, (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
        let pending: void | Promise<void>;
        try {
          pending = authorize(services, authThrottle, request, reply, permissions);
        } catch (err) {
          return done(err as Error);
        }
        if (pending === undefined) return done();
        pending.then(() => done(), done);
      }) as RouteOptions['onRequest'];
      // After validation, so the body is there: a root key limited to keyspaces reaches only those.
      // A route whose handler narrows to them itself (verify among them) pays for no extra hook.
      const keyspace = route.config?.keyspace;
      if (keyspace !== 'handler')
        route.preHandler = withHook<unknown>(route.preHandler, async (request: FastifyRequest) =>
          checkKeyspaceScope(services, request, keyspace),
        ) as RouteOptions['preHandler'];
    }
    // Only the routes that take an Idempotency-Key run its hooks; the others (verify above all) pay nothing.
    if (route.config?.idempotent === true) {
      const headers = route.schema?.headers;
      route.schema = { ...route.schema, headers: headers === undefined ? IdempotencyKeyHeader : headers };
      route.preHandler = withHook<unknown>(route.preHandler, idempotency.claimIdempotencyKey) as RouteOptions['preHandler'];
      route.onSend = withHook<unknown>(route.onSend, idempotency.keepIdempotentOutcome) as RouteOptions['onSend'];
    }
    declareCommonProblems(route, {
      authenticated: permission !== undefined,
      idempotent: route.config?.idempotent === true,
      store: permission !== undefined,
    });
    if (config.logRequests && route.url !== '/v1/keys/verify' && route.url !== '/metrics') {
      route.onResponse = withHook<unknown>(route.onResponse, logRequest) as RouteOptions['onResponse'];
    }
  });

  app.setErrorHandler((error: FastifyError | TesseraError, request, reply) => {
    if (error instanceof TesseraError) return sendProblem(reply, problem(error.code, error.detail));
    if (isStoreUnavailable(error)) return sendProblem(reply, problem('STORE_UNAVAILABLE', 'The store is unavailable; try again shortly.'));
    if (error.validation !== undefined) {
      const where = error.validationContext ?? 'body';
      return sendProblem(
        reply,
        problem(
          'VALIDATION_FAILED',
          `${where}${error.message.startsWith(where) ? error.message.slice(where.length) : `: ${error.message}`}`.slice(0, 300),
        ),
      );
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      const code: ErrorCode =
        status === 413
          ? 'BODY_TOO_LARGE'
          : status === 415
            ? 'UNSUPPORTED_MEDIA_TYPE'
            : status === 405
              ? 'METHOD_NOT_ALLOWED'
              : 'VALIDATION_FAILED';
      return sendProblem(reply, problem(code, status === 400 ? 'The request body is not valid JSON.' : undefined));
    }
    // The verify path logs through the root logger (no child per request), so its line names the id itself.
    const log = request.log === app.log ? app.log.child({ reqId: request.id }) : request.log;
    log.error({ err: { type: error.name, message: error.message, stack: error.stack } }, 'unhandled error');
    return sendProblem(reply, problem('INTERNAL', 'Something went wrong on our side; the error is logged with this request id.'));
  });
  app.setNotFoundHandler((request, reply) => {
    logUnrouted(request, reply);
    return sendProblem(reply, problem('NOT_FOUND', 'No such route.'));
  });
  // After the handlers, so the docs' routes answer errors (e.g. KEY_IN_URL) in problem+json too.
  await app.register(swaggerUi, { routePrefix: '/docs', logLevel: 'warn' });

  await app.register(keyRoutes(services));
  await app.register(verifyRoutes(services, metrics));
  await app.register(keyRecoveryRoutes(services));
  await app.register(rootKeyRoutes(services));
  await app.register(keyspaceRoutes(services));
  await app.register(auditRoutes(services));
  await app.register(consoleRoutes(services, { origin: config.consoleOrigin }));
  await app.register(oauthClientRoutes(services));
  await app.register(oauthEndpoints(services, config));
  await app.register(secretRoutes(services));
  await app.register(eventRoutes(services));
  await app.register(monitoringRoutes(services));
  await app.register(operationsRoutes(services, config, metrics.registry));

  // Every app keeps its signing keys and console sessions; `tessera serve` starts the rest of the
  // background work. Closing the app stops all of it, last started first.
  app.addHook('onReady', () => services.lifecycle.start(['oauth', 'console']));
  app.addHook('onClose', async () => {
    await services.lifecycle.stop();
    await stdoutLog?.stop();
  });
  return app;
}
