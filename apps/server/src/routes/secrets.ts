import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { TesseraError, type VaultCaller } from '@tessera/core';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { actorOf } from '../http/auth.js';
import { Type } from '../http/schemas.js';
import { iso } from '../http/views.js';
import type { Services } from '../services.js';

const tags = ['secrets'];
const Time = Type.String({ format: 'date-time' });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const NameParams = Type.Object({ '*': Type.String({ minLength: 1, maxLength: 200 }) });

export const SecretSummaryView = Type.Object({
  name: Type.String(),
  version: Type.Integer({ description: 'The current version.' }),
  versions: Type.Array(Type.Integer(), { description: 'Every version kept.' }),
  rotateBy: Nullable(Time),
  rotation: Type.Union([Type.Literal('none'), Type.Literal('ok'), Type.Literal('due'), Type.Literal('overdue')]),
  createdAt: Time,
  updatedAt: Time,
});

/**
 * The secrets vault (docs/vault.md). Names may hold `/` (`payments/stripe`), so the name is the
 * rest of the path. Permissions: `secrets:read` / `secrets:write`, optionally for a name pattern
 * (`secrets:read:payments/*`), checked against the name by the vault.
 */
export function secretRoutes(services: Services): FastifyPluginAsync {
  const caller = (request: FastifyRequest): VaultCaller => ({ actor: actorOf(request), grants: request.rootKey!.permissions });
  return async (app0) => {
    const app = app0.withTypeProvider<TypeBoxTypeProvider>();

    app.put(
      '/v1/secrets/*',
      {
        config: { permission: 'secrets:write', idempotent: true },
        schema: {
          tags,
          summary: 'Store a new version of a secret',
          params: NameParams,
          body: Type.Object(
            { value: Type.String({ minLength: 1, maxLength: 65_536 }), rotateBy: Type.Optional(Nullable(Time)) },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ name: Type.String(), version: Type.Integer(), rotateBy: Nullable(Time) }) },
        },
      },
      async (request) => {
        const { value, rotateBy } = request.body;
        const r = await services.vault.put(caller(request), request.params['*'], value, parseTime(rotateBy));
        return { ...r, rotateBy: iso(r.rotateBy) };
      },
    );

    app.get(
      '/v1/secrets/*',
      {
        config: { permission: 'secrets:read' },
        schema: {
          tags,
          summary: 'Read a secret (audited)',
          params: NameParams,
          querystring: Type.Object(
            { version: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000 })) },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              name: Type.String(),
              version: Type.Integer(),
              value: Type.String(),
              rotateBy: Nullable(Time),
              createdAt: Time,
            }),
          },
        },
      },
      async (request) => {
        const r = await services.vault.get(caller(request), request.params['*'], request.query.version);
        return { ...r, rotateBy: iso(r.rotateBy), createdAt: iso(r.createdAt) };
      },
    );

    app.get(
      '/v1/secrets',
      {
        config: { permission: 'secrets:read' },
        schema: {
          tags,
          summary: 'List secrets without their values; `rotation=due` reports those due or overdue for rotation',
          querystring: Type.Object({ rotation: Type.Optional(Type.Literal('due')) }, { additionalProperties: false }),
          response: { 200: Type.Object({ items: Type.Array(SecretSummaryView) }) },
        },
      },
      async (request) => {
        const items = await services.vault.list(caller(request), { rotation: request.query.rotation });
        return { items: items.map((s) => ({ ...s, rotateBy: iso(s.rotateBy), createdAt: iso(s.createdAt), updatedAt: iso(s.updatedAt) })) };
      },
    );

    app.delete(
      '/v1/secrets/*',
      {
        config: { permission: 'secrets:write' },
        schema: {
          tags,
          summary: 'Delete a secret and destroy every version it kept',
          params: NameParams,
          response: { 204: Type.Null({ description: 'Deleted' }) },
        },
      },
      async (request, reply) => {
        await services.vault.delete(caller(request), request.params['*']);
        return reply.code(204).send(null);
      },
    );
  };
}

function parseTime(value: string | null | undefined): number | null | undefined {
  if (value === undefined || value === null) return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new TesseraError('VALIDATION_FAILED', 'rotateBy must be an RFC 3339 time');
  return ms;
}
