import {
  Answer,
  Cursor,
  EXAMPLE,
  Id,
  ID_PATTERN,
  Limit,
  Meta,
  Nullable,
  OneOf,
  Page,
  RefTo,
  ScopeName,
  Text,
  Time,
  Type,
} from '../http/schemas.js';

/** The shapes of keys: what creating, changing and listing them takes and gives. Times are RFC 3339. */

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
  {
    keyspaceId: Id,
    ttlSeconds: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10 * 366 * 86_400, description: 'Expires this many seconds from now (or give `expiresAt`).' }),
    ),
    ...keyAttributes,
  },
  {
    additionalProperties: false,
    examples: [
      {
        keyspaceId: EXAMPLE.keyspaceId,
        ownerId: 'user_8412',
        name: 'billing worker',
        scopes: ['billing:read', 'billing:write'],
        environment: 'live',
        ttlSeconds: 7_776_000,
        ratelimits: [{ name: 'requests', limit: 100, windowMs: 60_000 }],
      },
    ],
  },
);
export const UpdateKeyBody = Type.Object(keyAttributes, {
  additionalProperties: false,
  minProperties: 1,
  examples: [{ scopes: ['billing:read'], enabled: false }],
});

/** The example key of the document: the other examples that show a key take its fields from it. */
export const keyExample = {
  keyId: EXAMPLE.keyId,
  keyspaceId: EXAMPLE.keyspaceId,
  start: EXAMPLE.keyStart,
  ownerId: 'user_8412',
  name: 'billing worker',
  scopes: ['billing:read', 'billing:write'],
  meta: { team: 'payments' },
  environment: 'live',
  enabled: true,
  createdAt: '2026-03-01T12:00:00.000Z',
  updatedAt: '2026-03-01T12:00:00.000Z',
  expiresAt: '2026-05-30T12:00:00.000Z',
  revokedAt: null,
  revokeReason: null,
  ipAllowlist: [],
  ratelimits: [{ name: 'requests', limit: 100, windowMs: 60_000 }],
  credits: null,
  lastUsedAt: '2026-03-02T09:58:01.000Z',
  usageCount: 1840,
  rolledToKeyId: null,
  rotationDueAt: '2026-04-30T12:00:00.000Z',
  decoy: false,
};

const KeyShape = Type.Object(
  {
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
    rolledToKeyId: Nullable(Type.String({ description: 'The key this one was rolled to.' })),
    rotationDueAt: Nullable(
      Type.String({
        format: 'date-time',
        description: "When the key is due for rotation under its keyspace's policy (null: no schedule, or rolled or revoked).",
      }),
    ),
    decoy: Type.Boolean({ description: 'A honeytoken (`POST /v1/honeytokens`): planted as a trap; any use of it is a critical anomaly.' }),
  },
  { $id: 'Key', description: 'A key as Tessera keeps it: never the key itself, nor its hash.', examples: [keyExample] },
);
export const Key = RefTo(KeyShape);

export const KeyPage = Page(Key, keyExample, 'Oldest first.');

/** A list's keyspace filter: one keyspace, or every one the caller reaches. */
export const KeyspaceFilter = Type.Optional(
  Type.String({
    minLength: 1,
    maxLength: 64,
    pattern: ID_PATTERN,
    description: 'The keyspace. Without it: every keyspace of the workspace (a root key limited to keyspaces must name one).',
  }),
);

export const ListKeysQuery = Type.Object(
  {
    keyspaceId: KeyspaceFilter,
    ownerId: Type.Optional(Text({ minLength: 1, maxLength: 256 })),
    q: Type.Optional(
      Text({
        minLength: 1,
        maxLength: 256,
        description: 'Only keys with this text, in any case, in their name, id, owner id or visible start (`sk_live_3xR9`).',
      }),
    ),
    state: Type.Optional(
      OneOf(['active', 'disabled', 'revoked', 'expired'] as const, {
        description: 'Only keys in this state now: revoked first, then expired, then enabled (`active`) or not (`disabled`).',
      }),
    ),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

/** A key just made: the only answer that ever holds it. */
export const CreatedKey = Type.Object(
  { keyId: Type.String(), key: Type.String({ description: 'The key itself: shown this once only.' }) },
  { examples: [{ keyId: EXAMPLE.keyId, key: EXAMPLE.key }] },
);

export const RevokeKeyBody = Type.Optional(
  Type.Object(
    { reason: Type.Optional(Text({ maxLength: 512 })) },
    { additionalProperties: false, examples: [{ reason: 'left the company' }] },
  ),
);

const GracePeriodSeconds = Type.Integer({
  minimum: 0,
  maximum: 30 * 86_400,
  description: 'How long the old key keeps working (0: it expires at once). With `retireWhenUnused`, the hard deadline.',
});

/** Rolling a root key: a grace period only (usage-driven rollovers are for API keys). */
export const RollRootKeyBody = Type.Object(
  { gracePeriodSeconds: GracePeriodSeconds },
  { additionalProperties: false, examples: [{ gracePeriodSeconds: 86_400 }] },
);

export const RollBody = Type.Object(
  {
    gracePeriodSeconds: GracePeriodSeconds,
    retireWhenUnused: Type.Optional(
      Type.Boolean({
        description:
          "A usage-driven rollover: the old key keeps working until the new one is in use and the old one's traffic has stopped for `quietPeriodSeconds`, then retires by itself (or at the grace period's end, whichever first). Follow it at `GET /v1/keys/{keyId}/rollover`.",
      }),
    ),
    quietPeriodSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 30 * 86_400,
        description:
          "With `retireWhenUnused`: how long the old key's traffic must have stopped (default 86400, a day). 0: the old key is revoked as soon as the new one is seen in use (the retirement job's next pass, within about a minute).",
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [
      { gracePeriodSeconds: 86_400 },
      { gracePeriodSeconds: 14 * 86_400, retireWhenUnused: true, quietPeriodSeconds: 3600 },
      { gracePeriodSeconds: 7 * 86_400, retireWhenUnused: true, quietPeriodSeconds: 0 },
    ],
  },
);

export const RevokeByOwnerBody = Type.Object(
  { ownerId: Text({ minLength: 1, maxLength: 256 }), reason: Type.Optional(Text({ maxLength: 512 })) },
  { additionalProperties: false, examples: [{ ownerId: 'user_8412', reason: 'account closed' }] },
);
export const RevokedByOwner = Answer(
  'The keys that were live and are revoked now (none is not an error).',
  Type.Object(
    { revoked: Type.Integer(), keyIds: Type.Array(Type.String()) },
    { examples: [{ revoked: 2, keyIds: [EXAMPLE.keyId, 'key_0Hq3Zm5T1cE8uNoQ3yVr2p'] }] },
  ),
);

export const RecoveredKey = Type.Object(
  { keyId: Type.String(), key: Type.String({ description: 'The key itself.' }) },
  { examples: [{ keyId: EXAMPLE.keyId, key: EXAMPLE.key }] },
);

/** The named shapes above, for `app.addSchema`. */
export const KEY_SCHEMAS = [KeyShape];
