import { VERIFY_CODES } from '@tessera/api';
import { GRANULARITIES } from '@tessera/core';
import { EXAMPLE, Id, List, Nullable, OneOf, RefTo, Text, Time, Type } from '../http/schemas.js';

/** The shapes of the usage analytics answers (`/v1/analytics/*`). Times are RFC 3339. */

export const VerifyOutcome = OneOf(VERIFY_CODES, { description: 'A verification outcome, as `POST /v1/keys/verify` answers it.' });

const Range = {
  from: Type.Optional(Type.String({ maxLength: 40, description: 'RFC 3339; default: 24 hours before `to`' })),
  to: Type.Optional(Type.String({ maxLength: 40, description: 'RFC 3339; default: now' })),
};

export const VerificationsQuery = Type.Object(
  {
    keyId: Type.Optional(Id),
    ownerId: Type.Optional(Text({ minLength: 1, maxLength: 256 })),
    keyspaceId: Type.Optional(Id),
    granularity: Type.Optional(OneOf(Object.keys(GRANULARITIES) as (keyof typeof GRANULARITIES)[])),
    ...Range,
  },
  { additionalProperties: false },
);

export const TopQuery = Type.Object(
  {
    by: OneOf(['key', 'owner', 'keyspace', 'ip', 'network'] as const),
    outcome: Type.Optional(VerifyOutcome),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    ...Range,
  },
  { additionalProperties: false },
);

export const EventsQuery = Type.Object(
  { keyId: Type.Optional(Id), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })), ...Range },
  { additionalProperties: false },
);

const counts = {
  total: Type.Integer(),
  valid: Type.Integer(),
  cost: Type.Integer({ description: 'Credits spent.' }),
  outcomes: Type.Object(Object.fromEntries(VERIFY_CODES.map((c) => [c, Type.Optional(Type.Integer())])), {
    additionalProperties: false,
    description: 'Count per outcome, only outcomes that occurred.',
  }),
};

const VerificationCountsShape = Type.Object(counts, {
  $id: 'VerificationCounts',
  description: 'Verification counts of the whole range.',
});

const VerificationPointShape = Type.Object(
  { time: Time, ...counts },
  { $id: 'VerificationPoint', description: 'The counts of one time bucket.' },
);

const VerificationSeriesShape = Type.Object(
  {
    granularity: OneOf(Object.keys(GRANULARITIES) as (keyof typeof GRANULARITIES)[]),
    from: Time,
    to: Time,
    dimension: OneOf(['key', 'owner', 'keyspace', 'workspace'] as const, {
      description: 'What was counted: one key, owner or keyspace, or the whole workspace.',
    }),
    subject: Type.String({ description: 'The key, owner or keyspace id (the workspace id for `workspace`).' }),
    totals: RefTo(VerificationCountsShape),
    series: Type.Array(RefTo(VerificationPointShape), {
      description: 'One point per bucket from `from` to `to`, empty buckets included.',
    }),
  },
  {
    $id: 'VerificationSeries',
    examples: [
      {
        granularity: 'hour',
        from: '2026-03-02T08:00:00.000Z',
        to: '2026-03-02T10:00:00.000Z',
        dimension: 'key',
        subject: 'key_0Hq3Zk2W7bD4sLmP9xTq1n',
        totals: { total: 5, valid: 4, cost: 4, outcomes: { VALID: 4, RATE_LIMITED: 1 } },
        series: [
          { time: '2026-03-02T08:00:00.000Z', total: 0, valid: 0, cost: 0, outcomes: {} },
          { time: '2026-03-02T09:00:00.000Z', total: 3, valid: 3, cost: 3, outcomes: { VALID: 3 } },
          { time: '2026-03-02T10:00:00.000Z', total: 2, valid: 1, cost: 1, outcomes: { VALID: 1, RATE_LIMITED: 1 } },
        ],
      },
    ],
  },
);

const TopVerificationsShape = Type.Object(
  {
    by: OneOf(['key', 'owner', 'keyspace', 'ip', 'network'] as const),
    from: Time,
    to: Time,
    items: Type.Array(
      Type.Object({
        subject: Type.String({ description: 'The key, owner or keyspace id, the address, or the network (a CIDR).' }),
        count: Type.Integer(),
        cost: Type.Optional(Type.Integer({ description: 'Credits spent (keys, owners and keyspaces only).' })),
      }),
      { description: 'Most verifications first.' },
    ),
  },
  {
    $id: 'TopVerifications',
    examples: [
      {
        by: 'network',
        from: '2026-03-01T10:00:00.000Z',
        to: '2026-03-02T10:00:00.000Z',
        items: [
          { subject: '203.0.113.0/24', count: 1840 },
          { subject: '2001:db8:1::/48', count: 95 },
        ],
      },
    ],
  },
);

const UsageEventShape = Type.Object(
  {
    ts: Time,
    workspaceId: Type.String(),
    keyId: Nullable(Type.String({ description: 'Null for a key that is not known.' })),
    keyspaceId: Nullable(Type.String()),
    ownerId: Nullable(Type.String()),
    outcome: VerifyOutcome,
    ip: Nullable(Type.String({ description: "The end client's address (`ip` given to verify, else the caller's)." })),
    network: Nullable(Type.String({ description: "The address's /24 (IPv4) or /48 (IPv6)." })),
    userAgent: Nullable(Type.String()),
    cost: Type.Integer({ description: 'Credits spent (0 when the verification failed).' }),
    resource: Nullable(Type.String()),
    method: Nullable(Type.String()),
    scopes: Nullable(Type.String({ description: 'The scope expression the caller required, if any.' })),
    deleted: Type.Optional(Type.Boolean({ description: 'Set when a NOT_FOUND key turned out to be a deleted one.' })),
    count: Type.Integer({
      minimum: 1,
      description:
        'How many verifications this event stands for: those alike in every other field and made within the same second are stored once, and `ts` is the first of them.',
    }),
  },
  {
    $id: 'UsageEvent',
    description: 'Verifications as the monitoring recorded them, never the key itself: one, or several alike within one second (`count`).',
  },
);

const usageEventExample = {
  ts: '2026-03-02T09:59:12.345Z',
  workspaceId: EXAMPLE.workspaceId,
  keyId: EXAMPLE.keyId,
  keyspaceId: EXAMPLE.keyspaceId,
  ownerId: 'acme',
  outcome: 'VALID',
  ip: '203.0.113.7',
  network: '203.0.113.0/24',
  userAgent: 'acme-app/2.1',
  cost: 1,
  resource: '/docs/1',
  method: 'GET',
  scopes: 'documents:read',
  count: 3,
};

export const UsageEventList = List(RefTo(UsageEventShape), [usageEventExample], 'Newest first.');

export const VerificationSeries = RefTo(VerificationSeriesShape);
export const TopVerifications = RefTo(TopVerificationsShape);

/** The named shapes above, for `app.addSchema`. */
export const ANALYTICS_SCHEMAS = [
  VerificationCountsShape,
  VerificationPointShape,
  VerificationSeriesShape,
  TopVerificationsShape,
  UsageEventShape,
];
