import { Readable } from 'node:stream';
import { isAuditAction } from '@tessera/api';
import { appendAudit, auditPublicJwks, TesseraError, verifyAuditLog } from '@tessera/core';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { AUDIT_KEYS_PATH, auditLines } from '../audit/audit-export.js';
import { actorOf } from '../http/auth.js';
import { decodeSeqCursor, encodeSeqCursor } from '../http/cursor.js';
import { AuditEntry, AuditReportView, Cursor, Limit, Text, Type } from '../http/schemas.js';
import { auditView, iso } from '../http/views.js';
import type { Services } from '../services.js';

/** The audit log: read, verify, export, checkpoint, and the public keys that sign its checkpoints. */
export function auditRoutes(services: Services): FastifyPluginAsync {
  return async (app0) => {
    const app = app0.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/v1/audit',
      {
        config: { permission: 'audit:read' },
        schema: {
          tags: ['audit'],
          summary: 'Read the audit log, newest first',
          querystring: Type.Object(
            {
              limit: Type.Optional(Limit),
              cursor: Type.Optional(Cursor),
              action: Type.Optional(Type.String({ maxLength: 64 })),
              actor: Type.Optional(Text({ maxLength: 128 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ items: Type.Array(AuditEntry), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
        },
      },
      async (request) => {
        const { limit = 100, cursor, action, actor } = request.query;
        if (action !== undefined && !isAuditAction(action)) throw new TesseraError('VALIDATION_FAILED', `unknown audit action "${action}"`);
        const items = await services.store.listAudit({
          workspaceId: request.rootKey!.workspaceId,
          limit: limit + 1,
          beforeSeq: cursor === undefined ? undefined : decodeSeqCursor(cursor),
          action,
          actor,
        });
        const page = items.slice(0, limit);
        return { items: page.map(auditView), nextCursor: items.length > limit ? encodeSeqCursor(page[page.length - 1]!.seq) : null };
      },
    );

    app.get(
      '/v1/audit/verify',
      {
        config: { permission: 'audit:read' },
        schema: {
          tags: ['audit'],
          summary:
            'Recompute the audit chain, check its signed checkpoints, and name the first entry that was changed, removed or reordered',
          response: { 200: AuditReportView },
        },
      },
      async () => verifyAuditLog(services, { pinned: services.checkpointer.pinnedCheckpoint(), policy: services.checkpointer.policy }),
    );
    app.get(
      '/v1/audit/export',
      {
        config: { permission: 'audit:read' },
        schema: {
          tags: ['audit'],
          summary: 'The audit log as JSON lines, oldest first (with `checkpoints=true`, the signed checkpoints after the entries)',
          querystring: Type.Object(
            {
              fromSeq: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
              checkpoints: Type.Optional(Type.Boolean()),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const fromSeq = request.query.fromSeq ?? 1;
        await services.store.transaction((tx) =>
          appendAudit(tx, services.clock, actor, { action: 'audit.exported', target: null, details: { fromSeq } }),
        );
        reply.type('application/x-ndjson');
        // Only the caller's workspace: the chain is shared, its entries are not.
        return reply.send(Readable.from(auditLines(services, fromSeq, request.query.checkpoints ?? false, actor.workspaceId ?? '')));
      },
    );

    app.post(
      '/v1/audit/checkpoints',
      {
        config: { permission: 'audit:checkpoint' },
        schema: {
          tags: ['audit'],
          summary:
            'Sign a checkpoint of the audit chain head now (permission audit:checkpoint); 409 AUDIT_TAMPERED when the chain no longer holds the last checkpoint signed',
          response: {
            200: Type.Object({
              seq: Type.Integer(),
              hash: Type.String(),
              ts: Type.String(),
              keyVersion: Type.Integer(),
              signature: Type.String(),
            }),
            204: Type.Null(),
          },
        },
      },
      async (_request, reply) => {
        const c = await services.checkpointer.checkpoint();
        if (c === undefined) return reply.code(204).send(null);
        return { ...c, ts: iso(c.ts) };
      },
    );

    app.get(
      AUDIT_KEYS_PATH,
      {
        schema: {
          tags: ['audit'],
          summary: 'The public keys that sign audit checkpoints, as a JWK Set (RFC 7517): verify an export offline with them',
          security: [],
          response: {
            200: Type.Object({
              keys: Type.Array(
                Type.Object({
                  kty: Type.String(),
                  crv: Type.String(),
                  x: Type.String(),
                  kid: Type.String(),
                  alg: Type.String(),
                  use: Type.String(),
                }),
              ),
            }),
          },
        },
      },
      async (_request, reply) => {
        reply.header('cache-control', 'public, max-age=300');
        reply.type('application/jwk-set+json');
        return auditPublicJwks(await services.checkpointer.signingKeys());
      },
    );
  };
}
