import { List, Nullable, OneOf, RefTo, Time, Type } from '../http/schemas.js';

/** The shapes of the secrets vault. A secret's name is the rest of its path, and may hold `/`. */

export const NameParams = Type.Object({
  '*': Type.String({
    minLength: 1,
    maxLength: 200,
    description: "The secret's name: segments of letters, digits, `_`, `.`, `-`, joined by `/`.",
  }),
});

export const PutSecretBody = Type.Object(
  {
    value: Type.String({ minLength: 1, maxLength: 65_536, description: 'At most 64 KiB of UTF-8.' }),
    rotateBy: Type.Optional(
      Nullable(Type.String({ format: 'date-time', description: 'When it should be rotated; absent: as before, null: never.' })),
    ),
  },
  { additionalProperties: false, examples: [{ value: 'sk_live_51Hx…', rotateBy: '2026-06-01T00:00:00.000Z' }] },
);

export const WrittenSecret = Type.Object(
  { name: Type.String(), version: Type.Integer({ description: 'The version just written.' }), rotateBy: Nullable(Time) },
  { examples: [{ name: 'payments/stripe', version: 3, rotateBy: '2026-06-01T00:00:00.000Z' }] },
);

export const GetSecretQuery = Type.Object(
  { version: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'Default: the current one.' })) },
  { additionalProperties: false },
);

export const SecretValue = Type.Object(
  { name: Type.String(), version: Type.Integer(), value: Type.String(), rotateBy: Nullable(Time), createdAt: Time },
  {
    examples: [
      {
        name: 'payments/stripe',
        version: 3,
        value: 'sk_live_51Hx…',
        rotateBy: '2026-06-01T00:00:00.000Z',
        createdAt: '2026-03-01T12:00:00.000Z',
      },
    ],
  },
);

export const ListSecretsQuery = Type.Object(
  { rotation: Type.Optional(Type.Literal('due', { description: 'Only those due or overdue for rotation.' })) },
  { additionalProperties: false },
);

const secretSummaryExample = {
  name: 'payments/stripe',
  version: 3,
  versions: [1, 2, 3],
  rotateBy: '2026-06-01T00:00:00.000Z',
  rotation: 'ok',
  createdAt: '2025-11-20T08:30:00.000Z',
  updatedAt: '2026-03-01T12:00:00.000Z',
};

const SecretSummaryShape = Type.Object(
  {
    name: Type.String(),
    version: Type.Integer({ description: 'The current version.' }),
    versions: Type.Array(Type.Integer(), { description: 'Every version kept.' }),
    rotateBy: Nullable(Time),
    rotation: OneOf(['none', 'ok', 'due', 'overdue'] as const, { description: '`due`: within a week of `rotateBy`; `overdue`: past it.' }),
    createdAt: Time,
    updatedAt: Time,
  },
  { $id: 'SecretSummary', description: 'A secret without its value.', examples: [secretSummaryExample] },
);

export const SecretList = List(RefTo(SecretSummaryShape), [secretSummaryExample], 'Those the root key may read or write.');

/** The named shapes above, for `app.addSchema`. */
export const SECRET_SCHEMAS = [SecretSummaryShape];
