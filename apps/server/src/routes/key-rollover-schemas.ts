import { EXAMPLE, Limit, List, Nullable, OneOf, RefTo, Time, Type } from '../http/schemas.js';
import { KeyspaceFilter } from './key-schemas.js';

/** The shapes of usage-driven rollovers (docs/rotation.md). Times are RFC 3339. */

const rolloverExample = {
  predecessorKeyId: EXAMPLE.keyId,
  successorKeyId: 'key_0Hq4Bm3X8cE5tMnQ0yUr2o',
  keyspaceId: EXAMPLE.keyspaceId,
  state: 'successor_in_use',
  createdAt: '2026-03-01T12:00:00.000Z',
  quietPeriodSeconds: 86_400,
  deadline: '2026-03-15T12:00:00.000Z',
  successorFirstUsedAt: '2026-03-01T12:04:10.000Z',
  predecessorLastUsedAt: '2026-03-02T08:30:00.000Z',
  retiresAt: '2026-03-03T08:30:00.000Z',
  retiredAt: null,
  retiredReason: null,
};

const RolloverShape = Type.Object(
  {
    predecessorKeyId: Type.String({ description: 'The key rolled: it keeps working until it retires.' }),
    successorKeyId: Type.String(),
    keyspaceId: Type.String(),
    state: OneOf(['pending_first_use', 'successor_in_use', 'retired'] as const, {
      description:
        '`pending_first_use`: the successor was never used; `successor_in_use`: it was, and the predecessor retires once quiet; `retired`: over.',
    }),
    createdAt: Time,
    quietPeriodSeconds: Type.Integer({ description: "How long the predecessor's traffic must have stopped before it retires." }),
    deadline: Type.String({ format: 'date-time', description: 'The hard deadline: the predecessor expires then whatever its traffic.' }),
    successorFirstUsedAt: Nullable(Type.String({ format: 'date-time', description: 'When the successor was first seen in use.' })),
    predecessorLastUsedAt: Nullable(Type.String({ format: 'date-time', description: 'The predecessor last seen at.' })),
    retiresAt: Nullable(
      Type.String({
        format: 'date-time',
        description:
          'When the predecessor stops working if its traffic does not come back: the deadline, or sooner once the successor is in use (null once retired).',
      }),
    ),
    retiredAt: Nullable(Time),
    retiredReason: Nullable(
      OneOf(['quiet', 'deadline', 'revoked'] as const, {
        description: '`quiet`: retired by the rollover; `deadline`: expired at the deadline; `revoked`: revoked or deleted by hand.',
      }),
    ),
  },
  { $id: 'Rollover', description: "A usage-driven rollover: a key's successor and when the key retires.", examples: [rolloverExample] },
);
export const Rollover = RefTo(RolloverShape);

export const RolloverList = List(Rollover, [rolloverExample], 'Newest first.');

export const ListRolloversQuery = Type.Object(
  {
    keyspaceId: KeyspaceFilter,
    state: Type.Optional(OneOf(['open', 'retired'] as const, { description: 'Only rollovers still open (the default: all), or ended.' })),
    limit: Type.Optional(Limit),
  },
  { additionalProperties: false },
);

/** The named shapes above, for `app.addSchema`. */
export const ROLLOVER_SCHEMAS = [RolloverShape];
