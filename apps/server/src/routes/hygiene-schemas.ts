import { EXAMPLE, Id, Nullable, RefTo, Time, Type } from '../http/schemas.js';

/** The shapes of the key hygiene answers. Times are RFC 3339. */

const Days = (description: string) => Type.Integer({ minimum: 0, maximum: 3660, description });

export const HygieneQuery = Type.Object(
  {
    keyspaceId: Id,
    unusedDays: Type.Optional(Days('"Unused": no use for this many days (default 90).')),
    expiringDays: Type.Optional(Days('"Expiring soon": within this many days (default 14).')),
    privilegeDays: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 3660,
        description: 'Scopes no verification needed in this many days count as unexercised (default 30).',
      }),
    ),
  },
  { additionalProperties: false },
);

const brief = {
  keyId: Type.String(),
  start: Type.String({ description: 'Display hint: prefix and the first and last four characters.' }),
  name: Nullable(Type.String()),
  ownerId: Nullable(Type.String()),
  createdAt: Time,
  lastUsedAt: Nullable(Time),
  expiresAt: Nullable(Time),
};

const KeyBriefShape = Type.Object(brief, { $id: 'KeyBrief', description: 'A key as the hygiene report lists it.' });

const OverPrivilegedKeyShape = Type.Object(
  {
    ...brief,
    granted: Type.Array(Type.String()),
    exercised: Type.Array(Type.String(), { description: 'The scopes verifications needed within `privilegeDays`.' }),
    unused: Type.Array(Type.String()),
    suggested: Type.Array(Type.String(), { description: 'The smaller scope set suggested.' }),
  },
  { $id: 'OverPrivilegedKey', description: 'A key holding scopes that no verification needed lately.' },
);

const example = {
  keyId: EXAMPLE.keyId,
  start: 'acme_3xR9…F0gH',
  name: 'billing worker',
  ownerId: 'acme',
  createdAt: '2025-11-20T08:00:00.000Z',
  lastUsedAt: '2026-03-01T17:42:10.000Z',
  expiresAt: null,
};

const HygieneReportShape = Type.Object(
  {
    keyspaceId: Type.String(),
    generatedAt: Time,
    liveKeys: Type.Integer({ description: 'Keys not revoked, deleted or expired.' }),
    neverUsed: Type.Array(RefTo(KeyBriefShape)),
    unused: Type.Array(RefTo(KeyBriefShape)),
    expiringSoon: Type.Array(RefTo(KeyBriefShape)),
    noExpiry: Type.Array(RefTo(KeyBriefShape)),
    overPrivileged: Type.Array(RefTo(OverPrivilegedKeyShape)),
  },
  {
    $id: 'HygieneReport',
    description: "A keyspace's stale, unused and over-privileged keys.",
    examples: [
      {
        keyspaceId: EXAMPLE.keyspaceId,
        generatedAt: '2026-03-02T10:00:00.000Z',
        liveKeys: 12,
        neverUsed: [],
        unused: [],
        expiringSoon: [],
        noExpiry: [example],
        overPrivileged: [{ ...example, granted: ['billing:*'], exercised: ['billing:read'], unused: [], suggested: ['billing:read'] }],
      },
    ],
  },
);

const SweepResultShape = Type.Object(
  {
    expiring: Type.Integer({ description: '`key.expiring` notices sent.' }),
    creditsLow: Type.Integer({ description: '`key.credits_low` notices sent.' }),
    scheduled: Type.Integer({ description: 'Unused keys scheduled to expire.' }),
    cancelled: Type.Integer({ description: 'Scheduled expiries cancelled because the key was used again.' }),
    rotationDue: Type.Integer({ description: '`key.rotation_due` notices sent.' }),
    rotationOverdue: Type.Integer({ description: 'Keys past their rotation date given an expiry at the end of the grace.' }),
  },
  {
    $id: 'SweepResult',
    description: 'What one hygiene sweep did.',
    examples: [{ expiring: 2, creditsLow: 0, scheduled: 1, cancelled: 0, rotationDue: 1, rotationOverdue: 0 }],
  },
);

export const HygieneReport = RefTo(HygieneReportShape);
export const SweepResult = RefTo(SweepResultShape);

/** The named shapes above, for `app.addSchema`. */
export const HYGIENE_SCHEMAS = [KeyBriefShape, OverPrivilegedKeyShape, HygieneReportShape, SweepResultShape];
