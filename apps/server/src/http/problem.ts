import { ERROR_STATUS, ERROR_TITLES, type ErrorCode } from '@tessera/core';
import type { FastifyReply } from 'fastify';

/** RFC 9457 problem details, with Tessera's stable `code` as an extension member. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
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

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  if (p.status === 401) reply.header('www-authenticate', 'Bearer realm="tessera"');
  return reply.code(p.status).type('application/problem+json').send(p);
}
