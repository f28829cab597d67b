import { Type, type Static, type TSchema } from 'typebox';

/** Request and response shapes. Fastify validates with them; the OpenAPI document is made from them. */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const Time = Type.String({ format: 'date-time' });
/** One of these strings: a plain `enum` (serialized as a string, generated as a union of literals). */
export const OneOf = <const V extends readonly string[]>(values: V, options: { description?: string } = {}) =>
  Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...options });
/**
 * A reference to a named shape: one with an `$id`, registered with `app.addSchema` by the plugin
 * whose routes use it. The OpenAPI document shows it once, under its name in `components.schemas`,
 * so the types generated from the document carry that name.
 */
export const RefTo = <T extends TSchema>(schema: T) => {
  const id = (schema as { $id?: unknown }).$id;
  if (typeof id !== 'string') throw new Error('RefTo needs a schema with an $id');
  return Type.Unsafe<Static<T>>(Type.Ref(id));
};
/** Free text. PostgreSQL's text cannot hold U+0000, so neither dialect accepts it. */
export const Text = (options: { minLength?: number; maxLength: number }) => Type.String({ ...options, pattern: '^[^\\u0000]*$' });

export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z]{2,3}_[0-9A-Za-z]{1,60}$' });
export const ScopeName = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:/*-]+$' });
const Meta = Type.Record(Type.String({ maxLength: 128 }), Type.Unknown(), { maxProperties: 64 });
const Ratelimit = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' }),
    limit: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
    windowMs: Type.Integer({ minimum: 100, maximum: 31 * 86_400_000 }),
    identity: Type.Optional(
      Type.Union([Type.Literal('key'), Type.Literal('owner')], {
        description: "Whose counter: the key's own (default), or one shared by all keys of the same owner.",
      }),
    ),
  },
  { additionalProperties: false },
);
const Refill = Type.Object(
  { amount: Type.Integer({ minimum: 1, maximum: 1e15 }), intervalSeconds: Type.Integer({ minimum: 1, maximum: 366 * 86_400 }) },
  { additionalProperties: false },
);
const CreditsInput = Type.Object(
  { remaining: Type.Integer({ minimum: 0, maximum: 1e15 }), refill: Type.Optional(Nullable(Refill)) },
  { additionalProperties: false },
);

const keyAttributes = {
  ownerId: Type.Optional(Nullable(Text({ minLength: 1, maxLength: 256 }))),
  name: Type.Optional(Nullable(Text({ minLength: 1, maxLength: 256 }))),
  scopes: Type.Optional(Type.Array(ScopeName, { maxItems: 256 })),
  meta: Type.Optional(Nullable(Meta)),
  environment: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }))),
  expiresAt: Type.Optional(Nullable(Time)),
  ipAllowlist: Type.Optional(Type.Array(Type.String({ minLength: 2, maxLength: 64 }), { maxItems: 256 })),
  ratelimits: Type.Optional(Type.Array(Ratelimit, { maxItems: 16 })),
  credits: Type.Optional(Nullable(CreditsInput)),
  enabled: Type.Optional(Type.Boolean()),
};

export const CreateKeyBody = Type.Object(
  { keyspaceId: Id, ttlSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 * 366 * 86_400 })), ...keyAttributes },
  { additionalProperties: false },
);
export const UpdateKeyBody = Type.Object(keyAttributes, { additionalProperties: false, minProperties: 1 });

export const KeyView = Type.Object({
  keyId: Type.String(),
  keyspaceId: Type.String(),
  start: Type.String({ description: 'Display hint: prefix and the first and last four characters.' }),
  ownerId: Nullable(Type.String()),
  name: Nullable(Type.String()),
  scopes: Type.Array(Type.String()),
  meta: Nullable(Type.Object({}, { additionalProperties: true })),
  environment: Nullable(Type.String()),
  enabled: Type.Boolean(),
  createdAt: Time,
  updatedAt: Time,
  expiresAt: Nullable(Time),
  revokedAt: Nullable(Time),
  revokeReason: Nullable(Type.String()),
  ipAllowlist: Type.Array(Type.String()),
  ratelimits: Type.Array(Ratelimit),
  credits: Nullable(Type.Object({ remaining: Type.Integer(), refill: Nullable(Refill), refilledAt: Nullable(Time) })),
  lastUsedAt: Nullable(Time),
  usageCount: Type.Integer(),
  rolledToKeyId: Nullable(Type.String()),
});

export const CreatedKey = Type.Object({ keyId: Type.String(), key: Type.String({ description: 'The key itself: shown this once only.' }) });

export const VerifyBody = Type.Object(
  {
    key: Type.String({ maxLength: 4096 }),
    scopes: Type.Optional(
      Type.String({ minLength: 1, maxLength: 1024, description: 'A scope, or an expression such as `a and (b or c)`.' }),
    ),
    keyspaceId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        pattern: '^[a-z]{2,3}_[0-9A-Za-z]{1,60}$',
        description: 'Only a key of this keyspace passes; any other answers NOT_FOUND, like an unknown key.',
      }),
    ),
    environment: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        pattern: '^[A-Za-z0-9_.-]+$',
        description: 'Only a key of this environment passes; any other (or none) answers NOT_FOUND, like an unknown key.',
      }),
    ),
    ip: Type.Optional(Type.String({ minLength: 2, maxLength: 64 })),
    cost: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
    resource: Type.Optional(Text({ minLength: 1, maxLength: 256 })),
    method: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 16,
        pattern: '^[A-Za-z_-]+$',
        description: 'How it asked (an HTTP method, an operation name): kept in usage events.',
      }),
    ),
    userAgent: Type.Optional(Text({ maxLength: 256 })),
  },
  { additionalProperties: false },
);

export const VerifyAnswer = Type.Object({
  valid: Type.Boolean(),
  code: Type.String(),
  keyId: Type.Optional(Type.String()),
  keyspaceId: Type.Optional(Type.String()),
  ownerId: Type.Optional(Nullable(Type.String())),
  name: Type.Optional(Nullable(Type.String())),
  scopes: Type.Optional(Type.Array(Type.String())),
  meta: Type.Optional(Nullable(Type.Object({}, { additionalProperties: true }))),
  environment: Type.Optional(Nullable(Type.String())),
  expiresAt: Type.Optional(Nullable(Time)),
  credits: Type.Optional(Nullable(Type.Object({ remaining: Type.Integer() }))),
  ratelimits: Type.Optional(
    Type.Array(Type.Object({ name: Type.String(), limit: Type.Integer(), remaining: Type.Integer(), reset: Time })),
  ),
});

export const KeyspaceBody = Type.Object(
  {
    name: Text({ minLength: 1, maxLength: 200 }),
    prefix: Type.String({ minLength: 1, maxLength: 16, pattern: '^[a-z][a-z0-9_]*$' }),
    recoverable: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const KeyspaceView = Type.Object({
  id: Type.String(),
  workspaceId: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  recoverable: Type.Boolean(),
  createdAt: Time,
});

export const RootKeyBody = Type.Object(
  {
    name: Text({ minLength: 1, maxLength: 200 }),
    permissions: Type.Array(Type.String({ minLength: 1, maxLength: 230 }), { minItems: 1, maxItems: 64 }),
    workspaceId: Type.Optional(Id),
    expiresAt: Type.Optional(Nullable(Time)),
    ipAllowlist: Type.Optional(Type.Array(Type.String({ minLength: 2, maxLength: 64 }), { maxItems: 256 })),
    keyspaceIds: Type.Optional(
      Nullable(
        Type.Array(Id, {
          minItems: 1,
          maxItems: 256,
          description: 'Limits the root key to these keyspaces (null or absent: the whole workspace).',
        }),
      ),
    ),
  },
  { additionalProperties: false },
);
export const RootKeyView = Type.Object({
  id: Type.String(),
  workspaceId: Type.String(),
  name: Type.String(),
  start: Type.String(),
  permissions: Type.Array(Type.String()),
  createdAt: Time,
  revokedAt: Nullable(Time),
  expiresAt: Nullable(Time),
  ipAllowlist: Type.Array(Type.String()),
  keyspaceIds: Nullable(Type.Array(Type.String())),
  lastUsedAt: Nullable(Time),
  rolledToId: Nullable(Type.String()),
});

export const AuditEntry = Type.Object({
  seq: Type.Integer(),
  id: Type.String(),
  ts: Time,
  workspaceId: Nullable(Type.String()),
  actor: Type.String(),
  action: Type.String(),
  target: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  details: Type.Object({}, { additionalProperties: true }),
  prevHash: Type.String(),
  hash: Type.String(),
});

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

export const Limit = Type.Integer({ minimum: 1, maximum: 1000, default: 100 });
export const Cursor = Type.String({ minLength: 1, maxLength: 256, pattern: '^[A-Za-z0-9_-]+$' });
export const IdParams = (name: string) => Type.Object({ [name]: Id });

export { Nullable, Type };
