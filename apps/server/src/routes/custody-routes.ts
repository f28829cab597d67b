import { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { appendAudit, auditPublicJwks } from '@tessera/core';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf } from '../http/auth.js';
import { IdParams, Type } from '../http/schemas.js';
import { auditView, iso } from '../http/views.js';
import type { Services } from '../services.js';

export const AuditReportView = Type.Object({
  ok: Type.Boolean(),
  checked: Type.Integer(),
  firstBadSeq: Type.Optional(Type.Integer()),
  reason: Type.Optional(Type.String()),
  checkpoints: Type.Object({
    checked: Type.Integer(),
    lastSignedSeq: Type.Integer(),
    unsignedEntries: Type.Integer(),
    badSignatureSeq: Type.Optional(Type.Integer()),
    missingSeq: Type.Optional(Type.Integer()),
  }),
});

/** The public halves of the audit signing keys (RFC 7517), to verify exported checkpoints offline. */
export const AUDIT_KEYS_PATH = '/.well-known/tessera-audit-keys.json';

/** Recoverable keys and the audit export: reads of what the keyring protects, each one audited. */
export function custodyRoutes(services: Services): FastifyPluginAsync {
  return async (app0) => {
    const app = app0.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/v1/keys/:keyId/recover',
      {
        config: { permission: 'keys:recover' },
        schema: {
          tags: ['keys'],
          summary: 'Read back a key of a recoverable keyspace (permission keys:recover; audited)',
          params: IdParams('keyId'),
          response: { 200: Type.Object({ keyId: Type.String(), key: Type.String() }) },
        },
      },
      async (request) => services.recovery.recover(actorOf(request), request.params.keyId),
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

/**
 * Entries (then checkpoints) as JSON lines, read in pages so the log never sits in memory whole.
 * With `workspaceId` (the API's export): that workspace's entries and the installation's own
 * (no workspace: signing keys, keyring); another workspace's entry only as the link of the chain
 * it is (`seq`, `prevHash`, `hash`, `redacted: true`), so the export still verifies offline.
 * Without (the CLI's export, by someone who holds the database anyway): every entry.
 */
export async function* auditLines(
  services: Pick<Services, 'store'>,
  fromSeq: number,
  withCheckpoints: boolean,
  workspaceId?: string,
  pageSize = 1000,
): AsyncGenerator<string> {
  for (let seq = fromSeq; ;) {
    const page = await services.store.scanAudit(seq, pageSize);
    for (const e of page) {
      const visible = workspaceId === undefined || e.workspaceId === workspaceId || e.workspaceId === null;
      yield JSON.stringify(visible ? auditView(e) : { seq: e.seq, prevHash: e.prevHash, hash: e.hash, redacted: true }) + '\n';
    }
    if (page.length < pageSize) break;
    seq = page[page.length - 1]!.seq + 1;
  }
  if (!withCheckpoints) return;
  for (let after = fromSeq - 1; ;) {
    const page = await services.store.listAuditCheckpoints(after, pageSize);
    for (const c of page) yield JSON.stringify({ checkpoint: { ...c, ts: iso(c.ts) } }) + '\n';
    if (page.length < pageSize) break;
    after = page[page.length - 1]!.seq;
  }
}
