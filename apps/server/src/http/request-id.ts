import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** An incoming `X-Request-Id` Tessera keeps: short, and of an alphabet that is safe in a log line and a header. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const ID_LENGTH = 10;
/** Random bytes drawn in blocks: one call to the CSPRNG per 1,024 request ids, not one per request. */
let pool = Buffer.alloc(0);
let taken = 0;

/** Bytes at or above this (7 × 36) are skipped, so that every character is equally likely. */
const UNBIASED_BELOW = 252;

/** A fresh request id: `req_` and ten random characters of `[0-9a-z]`, each equally likely. */
export function freshRequestId(): string {
  let id = 'req_';
  for (let n = 0; n < ID_LENGTH;) {
    if (taken === pool.length) {
      pool = randomBytes(ID_LENGTH * 1024);
      taken = 0;
    }
    const byte = pool[taken++]!;
    if (byte < UNBIASED_BELOW) {
      id += ALPHABET[byte % ALPHABET.length];
      n++;
    }
  }
  return id;
}

/** The request's id: the caller's `X-Request-Id` when it is valid, otherwise a fresh one. */
export function requestIdOf(raw: IncomingMessage): string {
  const given = raw.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : freshRequestId();
}
