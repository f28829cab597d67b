import { Readable } from 'node:stream';
import { isAuditAction } from '@tessera/api';
import { appendAudit, auditPublicJwks, TesseraError, verifyAuditLog } from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import { AUDIT_KEYS_PATH, auditLines } from '../audit/audit-export.js';
import { actorOf } from '../http/auth.js';
import { problems } from '../http/contract.js';
import { operations } from '../http/route-table.js';
import { decodeSeqCursor, encodeSeqCursor } from '../http/cursor.js';
import { Answer, Type } from '../http/schemas.js';
import { auditView, iso } from '../http/views.js';
import type { Services } from '../wiring/services.js';
import { actorFilter, actorNames } from './audit-actors.js';
import { targetNames } from './audit-targets.js';
import {
  AUDIT_SCHEMAS,
  AuditCheckpoint,
  AuditKeySet,
  AuditPage,
  AuditQuery,
  AuditReport,
  ExportLine,
  ExportQuery,
} from './audit-schemas.js';

/** The audit log: read, verify, export, checkpoint, and the public keys that sign its checkpoints. */
export function auditRoutes(services: Services): FastifyPluginAsync {
  return operations({ tags: ['audit'], schemas: AUDIT_SCHEMAS }, (route) => {
    route.get(
      '/v1/audit',
      {
        permission: 'audit:read',
        operationId: 'listAuditEntries',
        summary: 'Read the audit log, newest first',
        description:
          "The caller's workspace's entries, filtered by action, actor or target; each names its actor (`actorName`: a console user's email, a root key's name) and its target (`targetName`: a key's or client's name, a user's email) where it can.",
        querystring: AuditQuery,
        response: { 200: Answer('A page of entries.', AuditPage) },
      },
      async (request) => {
        const { limit = 100, cursor, action, actor, target } = request.query;
        if (action !== undefined && !isAuditAction(action)) throw new TesseraError('VALIDATION_FAILED', `unknown audit action "${action}"`);
        const workspaceId = request.rootKey!.workspaceId;
        const names = await actorNames(services, workspaceId);
        const who = actor === undefined ? undefined : actorFilter(actor, names);
        if (actor !== undefined && who === undefined) return { items: [], nextCursor: null };
        const items = await services.store.listAudit({
          workspaceId,
          limit: limit + 1,
          beforeSeq: cursor === undefined ? undefined : decodeSeqCursor(cursor),
          action,
          actor: who,
          target,
        });
        const page = items.slice(0, limit);
        const targets = await targetNames(
          services,
          workspaceId,
          page.map((e) => e.target),
          names,
        );
        return {
          items: page.map((e) => ({
            ...auditView(e),
            actorName: names.get(e.actor) ?? null,
            targetName: e.target === null ? null : (targets.get(e.target) ?? null),
          })),
          nextCursor: items.length > limit ? encodeSeqCursor(page[page.length - 1]!.seq) : null,
        };
      },
    );

    route.get(
      '/v1/audit/verify',
      {
        permission: 'audit:read',
        operationId: 'verifyAuditLog',
        summary: 'Recompute the audit chain, check its signed checkpoints, and name the first entry that was changed, removed or reordered',
        response: { 200: AuditReport, ...problems('KEYRING_UNAVAILABLE') },
      },
      async () => verifyAuditLog(services, { pinned: services.checkpointer.pinnedCheckpoint(), policy: services.checkpointer.policy }),
    );

    route.get(
      '/v1/audit/export',
      {
        permission: 'audit:read',
        operationId: 'exportAuditLog',
        summary: 'The audit log as JSON lines, oldest first (with `checkpoints=true`, the signed checkpoints after the entries)',
        description:
          "Streamed, so the log never sits in memory whole. Another workspace's entry appears only as the link of the chain it is, so the export still verifies offline (`tessera audit verify --file`). The export itself is audited.",
        querystring: ExportQuery,
        response: {
          200: { description: 'One JSON document per line (NDJSON).', content: { 'application/x-ndjson': { schema: ExportLine } } },
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
        const lines = Readable.from(auditLines(services, fromSeq, request.query.checkpoints ?? false, actor.workspaceId ?? ''));
        // A stream is sent as it is: the schema describes its lines, which the type of `send` cannot say.
        return reply.send(lines as never);
      },
    );

    route.post(
      '/v1/audit/checkpoints',
      {
        permission: 'audit:checkpoint',
        operationId: 'createAuditCheckpoint',
        summary:
          'Sign a checkpoint of the audit chain head now (permission audit:checkpoint); 409 AUDIT_TAMPERED when the chain no longer holds the last checkpoint signed',
        response: {
          200: Answer("The checkpoint of the chain's head: signed now, or the one that signed it already.", AuditCheckpoint),
          204: Type.Null({ description: 'The log is empty: nothing to sign.' }),
          ...problems('AUDIT_TAMPERED', 'KEYRING_UNAVAILABLE', 'DECRYPTION_FAILED'),
        },
      },
      async (_request, reply) => {
        const c = await services.checkpointer.checkpoint();
        if (c === undefined) return reply.code(204).send(null);
        return { ...c, ts: iso(c.ts) };
      },
    );

    route.get(
      AUDIT_KEYS_PATH,
      {
        operationId: 'getAuditKeys',
        summary: 'The public keys that sign audit checkpoints, as a JWK Set (RFC 7517): verify an export offline with them',
        security: [],
        response: {
          200: { description: 'The JWK Set.', content: { 'application/jwk-set+json': { schema: AuditKeySet } } },
          ...problems('INTERNAL', 'DECRYPTION_FAILED', 'STORE_UNAVAILABLE', 'KEYRING_UNAVAILABLE'),
        },
      },
      async (_request, reply) => {
        reply.header('cache-control', 'public, max-age=300');
        reply.type('application/jwk-set+json');
        return auditPublicJwks(await services.checkpointer.signingKeys());
      },
    );
  });
}
