import { isIP } from 'node:net';
import { TesseraError, type VerifyResult } from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import { verifyView } from '../http/views.js';
import type { Services } from '../wiring/services.js';
import { VerifyAnswer, VerifyBody } from './verify-schemas.js';
import { operations } from '../http/route-table.js';

/**
 * `POST /v1/keys/verify`, the hot path: a plugin of its own, with nothing but what it needs. It runs
 * no hook beyond authentication, logs nothing per request (metrics count it), and answers a cached
 * key without a promise.
 */
export function verifyRoutes(services: Services, metrics: { observeVerify(code: string, seconds: number): void }): FastifyPluginAsync {
  return operations({ tags: ['keys'] }, (route) => {
    const answer = (result: VerifyResult, started: number) => {
      metrics.observeVerify(result.code, (performance.now() - started) / 1000);
      return verifyView(result);
    };
    route.post(
      '/v1/keys/verify',
      {
        permission: 'keys:verify',
        keyspace: 'handler',
        operationId: 'verifyKey',
        summary: 'Verify a key',
        description:
          'Is this key good, for these scopes, from this address? Answered from memory once a key is cached; an invalid key is a `200` with `valid: false` and its code.',
        body: VerifyBody,
        response: { 200: VerifyAnswer },
      },
      // Not async: a cached key is answered without a promise (Fastify sends a returned value).
      (request) => {
        const started = performance.now();
        const { key, scopes, keyspaceId, environment, ip, cost, resource, method, userAgent } = request.body;
        if (ip !== undefined && isIP(ip) === 0) throw new TesseraError('VALIDATION_FAILED', 'ip must be an IPv4 or IPv6 address');
        const input = {
          key,
          workspaceId: request.rootKey!.workspaceId,
          keyspaceIds: request.rootKey!.keyspaceIds,
          scopes,
          keyspaceId,
          environment,
          ip: ip ?? request.ip,
          cost,
          resource,
          method,
          userAgent: userAgent ?? request.headers['user-agent'],
        };
        if (scopes !== undefined) services.verifier.expression(scopes); // a bad expression is the caller's 400, whatever the key
        const pending = services.verifier.verify(input);
        return pending instanceof Promise ? pending.then((result) => answer(result, started)) : answer(pending, started);
      },
    );
  });
}
