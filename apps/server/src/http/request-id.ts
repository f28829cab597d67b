import type { IncomingMessage } from 'node:http';

/** An incoming `X-Request-Id` Tessera keeps: short, and of an alphabet that is safe in a log line and a header. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function freshRequestId(): string {
  return `req_${Math.random().toString(36).slice(2, 12)}`;
}

/** The request's id: the caller's `X-Request-Id` when it is valid, otherwise a fresh one. */
export function requestIdOf(raw: IncomingMessage): string {
  const given = raw.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : freshRequestId();
}
