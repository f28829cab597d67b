import { ERROR_STATUS, ERROR_TITLES, type ErrorCode } from '@tessera/api';
import type { FastifyReply } from 'fastify';

/** RFC 9457 problem details, with Tessera's stable `code` as an extension member. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  /** The request's id (also its `X-Request-Id` header), to quote to the operator. */
  requestId?: string;
}

export function problem(code: ErrorCode, detail?: string): Problem {
  return {
    type: `urn:tessera:error:${code.toLowerCase().replaceAll('_', '-')}`,
    title: ERROR_TITLES[code],
    status: ERROR_STATUS[code],
    detail: detail ?? ERROR_TITLES[code],
    code,
  };
}

/** Sends a problem with the request's id in the body and the header (set here too for answers made before routing). */
export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  if (p.status === 401) reply.header('www-authenticate', 'Bearer realm="tessera"');
  const requestId = reply.request.id;
  return reply
    .code(p.status)
    .header('x-request-id', requestId)
    .type('application/problem+json')
    .send({ ...p, requestId });
}
