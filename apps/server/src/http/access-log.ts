import { KEY_SEARCH_PATTERN, maskKey } from '@tessera/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pino } from 'pino';
import type { Config } from '../config.js';
import { decoded } from './request-guard.js';

export interface AccessLog {
  /** Writes the request's line (the route hooks call it once the answer is sent). */
  logRequest(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** For a request that reaches no route: its line is written once its answer is. */
  logUnrouted(request: FastifyRequest, reply: FastifyReply): void;
}

/**
 * The path for a log line: no query, anything shaped like a key cut to its display hint, and a
 * portal link's token left out (it is single-use and short-lived, and still no log keeps it).
 */
function loggedPath(url: string): string {
  return decoded(url.split('?')[0]!)
    .replace(KEY_SEARCH_PATTERN, maskKey)
    .replace(/^\/portal\/open\/.*/, '/portal/open/…');
}

/**
 * One line per request. The line is made of fields Tessera sets itself (the path with credentials
 * already cut out), so it goes through a logger without the redaction paths, whose wildcards cost
 * more than the rest of the line on the token endpoint's hot path. Same destination, same line shape.
 */
export function accessLog(config: Config, destination: NodeJS.WritableStream | pino.DestinationStream): AccessLog {
  const log = pino({ level: config.logLevel }, destination as pino.DestinationStream);
  const logRequest = async (request: FastifyRequest, reply: FastifyReply) => {
    log.info(
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
  return {
    logRequest,
    // A request that reaches no route (an unknown path, or one refused before routing) runs no
    // route hook; its line is written once its answer is, so a probe of unknown paths is logged too.
    logUnrouted: (request, reply) => {
      if (config.logRequests && request.routeOptions.url === undefined) reply.raw.once('finish', () => void logRequest(request, reply));
    },
  };
}
