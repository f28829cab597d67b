import { readFileSync } from 'node:fs';
import { LogController, type FastifyServerOptions } from 'fastify';
import type { pino } from 'pino';
import { trustProxyOption, type Config } from '../config.js';
import { answerClientError } from './client-error.js';
import { problem, sendProblem } from './problem.js';
import { requestIdOf } from './request-id.js';
import { cachedSerializerFactory } from './serializer-cache.js';

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

/** Fastify's options: the log, limits, proxies, request ids, TLS, and problem+json for what Fastify refuses itself. */
export function serverOptions(
  config: Config,
  logDestination: NodeJS.WritableStream | pino.DestinationStream,
): FastifyServerOptions & { https?: { cert: Buffer; key: Buffer } } {
  return {
    logger: { level: config.logLevel, redact: { paths: LOG_REDACT, censor: '[redacted]' }, stream: logDestination },
    logController: new LogController({ disableRequestLogging: true }),
    // The verify path logs nothing per request (metrics count it), so it skips the per-request child logger.
    childLoggerFactory: (logger, bindings, opts, rawReq) => (rawReq.url === '/v1/keys/verify' ? logger : logger.child(bindings, opts)),
    bodyLimit: config.bodyLimit,
    trustProxy: trustProxyOption(config.trustProxy),
    genReqId: requestIdOf,
    schemaController: { compilersFactory: { buildSerializer: cachedSerializerFactory } },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    // Requests Node's HTTP parser refuses before Fastify sees them answer problem+json too.
    clientErrorHandler: answerClientError,
    // A URL with broken percent-encoding or an overlong path parameter is bad input like any other.
    frameworkErrors: (error, _request, reply) =>
      sendProblem(
        reply,
        problem('VALIDATION_FAILED', error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path parameter is too long.' : 'The URL is not valid.'),
      ),
    ...(config.tlsCert !== undefined &&
      config.tlsKey !== undefined && { https: { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } }),
  };
}
