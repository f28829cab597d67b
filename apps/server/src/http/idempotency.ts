import { IDEMPOTENCY_KEY_PATTERN, TesseraError, type IdempotencyClaim } from '@tessera/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../wiring/services.js';
import { actorOf } from './auth.js';
import { Type } from './schemas.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The idempotency key this request holds while it runs. */
    idempotency: IdempotencyClaim | undefined;
  }
  interface FastifyContextConfig {
    /** The route takes an `Idempotency-Key`: a retry under the same key gets the first outcome. */
    idempotent?: boolean;
  }
}

/** The request header of the routes that take one, for their OpenAPI description and validation. */
export const IdempotencyKeyHeader = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: IDEMPOTENCY_KEY_PATTERN.source,
      description:
        'A unique key for this request (a UUID, say). A retry with the same key within 24 hours gets the first outcome, status and body, instead of a second effect; see docs/requests.md.',
    }),
  ),
});

/**
 * The hooks of a route that takes an `Idempotency-Key`, attached to those routes only. Before the
 * handler: claim the key, or answer with the first outcome, or refuse a reused or busy key. After
 * it: keep the outcome (encrypted) for retries; a 5xx or 429 lets the key go so a retry runs again.
 */
export function idempotencyHooks(services: Services) {
  async function claimIdempotencyKey(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const key = request.headers['idempotency-key'];
    if (key === undefined) return undefined;
    if (typeof key !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(key)) {
      throw new TesseraError('VALIDATION_FAILED', 'Idempotency-Key must be 1 to 255 visible ASCII characters.');
    }
    const actor = actorOf(request);
    const start = await services.idempotency.begin({
      principal: actor.id,
      workspaceId: actor.workspaceId ?? null,
      key,
      method: request.method,
      path: request.url.split('?')[0]!,
      body: request.body,
    });
    switch (start.kind) {
      case 'claimed':
        request.idempotency = start.claim;
        return undefined;
      case 'mismatch':
        throw new TesseraError(
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was used for a different request in the last 24 hours; use a fresh key for a new request.',
        );
      case 'in_progress':
        reply.header('retry-after', '1');
        throw new TesseraError(
          'IDEMPOTENCY_KEY_IN_PROGRESS',
          'The first request with this Idempotency-Key is still running; retry shortly.',
        );
      case 'replay':
        reply.header('idempotent-replayed', 'true');
        if (start.contentType !== undefined) reply.type(start.contentType);
        return reply.code(start.status).send(start.body === '' ? null : start.body);
    }
  }

  async function keepIdempotentOutcome(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
    const claim = request.idempotency;
    if (claim === undefined) return payload;
    request.idempotency = undefined;
    const status = reply.statusCode;
    try {
      if (status >= 500 || status === 429 || (payload !== null && payload !== undefined && typeof payload !== 'string')) {
        await services.idempotency.release(claim);
      } else {
        const type = reply.getHeader('content-type');
        await services.idempotency.complete(claim, {
          status,
          contentType: typeof type === 'string' ? type : undefined,
          body: typeof payload === 'string' ? payload : '',
        });
      }
    } catch (err) {
      // The answer goes out all the same: the change is made. A retry finds the key busy until it is taken as abandoned.
      request.log.error({ err: { type: (err as Error).name, message: (err as Error).message } }, 'idempotency record not written');
    }
    return payload;
  }

  return { claimIdempotencyKey, keepIdempotentOutcome };
}
