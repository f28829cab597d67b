import { List, Nullable, OneOf, RefTo, Time, Type } from '../http/schemas.js';

/** The shapes of vault secret rotation (docs/rotation.md). */

const Every = Nullable(
  Type.String({
    pattern: '^[1-9][0-9]{0,3}[dh]$',
    description: 'Every N days (`30d`) or hours (`12h`); null: only when asked (`POST /v1/secret-rotations/{name}`).',
  }),
);

export const PutRotationBody = Type.Union(
  [
    Type.Object(
      {
        rotator: Type.Literal('postgres-alternating'),
        connection: Type.String({
          minLength: 1,
          maxLength: 40,
          description: 'A database connection (`PUT /v1/databases/connections/{name}`).',
        }),
        usernames: Type.Array(Type.String({ minLength: 1, maxLength: 63 }), {
          minItems: 2,
          maxItems: 2,
          description: 'The two logins that take turns (A, B); both exist, with the same grants.',
        }),
        every: Every,
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        rotator: Type.Literal('webhook'),
        url: Type.String({ minLength: 1, maxLength: 2048, description: 'The endpoint that makes and confirms credentials: https.' }),
        every: Every,
      },
      { additionalProperties: false },
    ),
  ],
  {
    examples: [
      { rotator: 'postgres-alternating', connection: 'orders-db', usernames: ['orders_app_a', 'orders_app_b'], every: '30d' },
      { rotator: 'webhook', url: 'https://payments.example.com/tessera/rotate', every: '12h' },
    ],
  },
);

const rotationExample = {
  secret: 'orders/db',
  rotator: 'postgres-alternating',
  connection: 'orders-db',
  usernames: ['orders_app_a', 'orders_app_b'],
  every: '30d',
  state: 'idle',
  pending: false,
  nextRotationAt: '2026-07-01T00:00:00.000Z',
  attempts: 0,
  lastAttemptAt: '2026-06-01T00:00:00.000Z',
  lastResult: 'succeeded',
  lastError: null,
  lastRotatedAt: '2026-06-01T00:00:00.000Z',
};

const rotationFields = {
  secret: Type.String(),
  rotator: OneOf(['postgres-alternating', 'webhook'] as const),
  connection: Type.Optional(Type.String()),
  usernames: Type.Optional(Type.Array(Type.String())),
  url: Type.Optional(Type.String()),
  every: Every,
  state: OneOf(['idle', 'rotating'] as const, { description: '`rotating`: a node is attempting it now.' }),
  pending: Type.Boolean({ description: 'A new value awaits confirmation (readers still get the current version).' }),
  nextRotationAt: Nullable(
    Type.String({ format: 'date-time', description: 'The next scheduled rotation, or retry after a failure; null: none scheduled.' }),
  ),
  attempts: Type.Integer({ description: 'Failed attempts since the last success.' }),
  lastAttemptAt: Nullable(Time),
  lastResult: Nullable(OneOf(['succeeded', 'failed'] as const)),
  lastError: Nullable(Type.String({ description: 'Why the last attempt failed; never a secret.' })),
  lastRotatedAt: Nullable(Time),
};

const RotationShape = Type.Object(rotationFields, {
  $id: 'SecretRotation',
  description: "A secret's rotator, schedule and state; never a secret.",
  examples: [rotationExample],
});

export const Rotation = RefTo(RotationShape);

export const ConfiguredRotation = Type.Object(
  {
    ...rotationFields,
    signingSecret: Type.Optional(
      Type.String({
        description: "A webhook rotator's signing secret: shown once, when it is made (the first time a webhook rotator is set).",
      }),
    ),
  },
  { examples: [{ ...rotationExample, rotator: 'webhook', url: 'https://payments.example.com/tessera/rotate', signingSecret: 'whsec_…' }] },
);

export const RotationRun = Type.Object(
  {
    ...rotationFields,
    version: Nullable(Type.Integer({ description: 'The new current version; null when the attempt failed (see lastError).' })),
  },
  {
    examples: [{ ...rotationExample, version: 4 }],
  },
);

export const RotationList = List(Rotation, [rotationExample], 'Rotations of the secrets the root key may read.');

/** The named shapes above, for `app.addSchema`. */
export const ROTATION_SCHEMAS = [RotationShape];
