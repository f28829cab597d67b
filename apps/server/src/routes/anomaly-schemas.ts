import { ANOMALY_KINDS, ANOMALY_STATUSES, SEVERITIES } from '@tessera/api';
import { Id, List, Nullable, OneOf, RefTo, ScopeName, Text, Time, Type } from '../http/schemas.js';

/** The shapes of anomalies, suspensions, keyspace policies, honeytokens and leak reports. Times are RFC 3339. */

export const Severity = OneOf(SEVERITIES);
const AnomalyKind = OneOf(ANOMALY_KINDS);
const KEY_ID = 'key_0Hq3Zk2W7bD4sLmP9xTq1n';
const KEYSPACE_ID = 'ks_0Hq3Yx8V2aC1rKlN7wSp0m';
const ANOMALY_ID = 'anm_0Hq4A1b2C3d4E5f6G7h8I9j0';
const SUSPENSION_ID = 'sus_0Hq4A1b2Kk7Lm8Nn9Pp0Qq1R';

export const AnomalyQuery = Type.Object(
  {
    keyId: Type.Optional(Id),
    since: Type.Optional(Type.String({ maxLength: 40, description: 'RFC 3339' })),
    status: Type.Optional(OneOf(ANOMALY_STATUSES)),
    kind: Type.Optional(AnomalyKind),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
);

const anomalyExample = {
  id: ANOMALY_ID,
  kind: 'new_network',
  severity: 'medium',
  status: 'open',
  keyId: KEY_ID,
  keyspaceId: KEYSPACE_ID,
  subject: KEY_ID,
  explanation: 'Key key_0Hq3Zk2W7bD4sLmP9xTq1n was used from 198.51.100.0/24, a network it had not used in 30 days.',
  details: { network: '198.51.100.0/24', ip: '198.51.100.23', knownNetworks: 2 },
  count: 1,
  firstEventAt: '2026-03-02T09:58:01.000Z',
  detectedAt: '2026-03-02T09:58:02.000Z',
  lastSeenAt: '2026-03-02T09:58:01.000Z',
  acknowledgedAt: null,
  acknowledgedBy: null,
  resolvedAt: null,
  resolvedBy: null,
  response: null,
  names: { [KEY_ID]: 'billing worker' },
};

const AnomalyShape = Type.Object(
  {
    id: Type.String(),
    kind: AnomalyKind,
    severity: Severity,
    status: OneOf(ANOMALY_STATUSES),
    keyId: Nullable(Type.String()),
    keyspaceId: Nullable(Type.String()),
    subject: Type.String({ description: 'What it is about: a key id, an address, a network.' }),
    explanation: Type.String({ description: 'One sentence with the numbers that triggered it.' }),
    details: Type.Object({}, { additionalProperties: true, description: "The detector's figures (differ by kind)." }),
    count: Type.Integer({ description: 'How many times it was seen within the cool-down.' }),
    firstEventAt: Time,
    detectedAt: Time,
    lastSeenAt: Time,
    acknowledgedAt: Nullable(Time),
    acknowledgedBy: Nullable(Type.String()),
    resolvedAt: Nullable(Time),
    resolvedBy: Nullable(Type.String()),
    response: Nullable(
      Type.Object(
        { action: OneOf(['suspended'] as const), suspensionId: Type.String() },
        { description: 'What the keyspace policy did about it.' },
      ),
    ),
    names: Type.Record(Type.String(), Type.String(), {
      description:
        "The finding's ids by name, where one is known: its key by the key's name, console users (`user:usr_…` and `usr_…`) by email, root keys by name.",
    }),
  },
  {
    $id: 'Anomaly',
    description: 'A finding of the detectors.',
    examples: [anomalyExample],
  },
);

export const AnomalyList = List(RefTo(AnomalyShape), [anomalyExample], 'Newest first.');

export const ResolveBody = Type.Optional(
  Type.Object(
    {
      benign: Type.Optional(
        Type.Boolean({
          description:
            'It was expected: the detector that raised it learns it (the network, hour, rate, source or volume) and does not raise it again.',
        }),
      ),
    },
    { additionalProperties: false, examples: [{ benign: true }] },
  ),
);

export const SuspensionQuery = Type.Object(
  { keyId: Type.Optional(Id), active: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

const suspensionExample = {
  id: SUSPENSION_ID,
  keyId: KEY_ID,
  anomalyId: ANOMALY_ID,
  reason: 'anomaly impossible_travel',
  suspendedAt: '2026-03-02T09:58:02.000Z',
  wasEnabled: true,
  undoneAt: null,
  undoneBy: null,
};

const SuspensionShape = Type.Object(
  {
    id: Type.String(),
    keyId: Type.String(),
    anomalyId: Nullable(Type.String()),
    reason: Type.String(),
    suspendedAt: Time,
    wasEnabled: Type.Boolean({ description: "The key's `enabled` flag before; the undo restores it." }),
    undoneAt: Nullable(Time),
    undoneBy: Nullable(Type.String()),
  },
  {
    $id: 'Suspension',
    description: 'A key disabled by a keyspace policy or a leak report, and how to undo it.',
    examples: [suspensionExample],
  },
);

export const SuspensionList = List(RefTo(SuspensionShape), [suspensionExample], 'Newest first, at most 500.');

const policyFields = {
  anomalyResponse: OneOf(['alert', 'suspend'] as const, {
    description: '`alert`: record and notify. `suspend`: also disable the key (audited, undoable).',
  }),
  suspendMinSeverity: OneOf(SEVERITIES, { description: 'The least severity that suspends, with `suspend`.' }),
  autoExpireUnusedDays: Nullable(
    Type.Integer({ minimum: 1, maximum: 3660, description: 'Keys unused this many days are scheduled to expire (null: never).' }),
  ),
  autoExpireNoticeDays: Type.Integer({
    minimum: 0,
    maximum: 365,
    description: 'Notice given before such a key expires; a use within it cancels the expiry.',
  }),
  expiringNoticeDays: Type.Integer({
    minimum: 0,
    maximum: 365,
    description: 'A `key.expiring` webhook goes out this many days before a key expires.',
  }),
  creditsLowThreshold: Nullable(
    Type.Integer({
      minimum: 0,
      maximum: 1e15,
      description: 'A `key.credits_low` webhook goes out when credits fall to this (null: never).',
    }),
  ),
  maxKeyLifetimeDays: Nullable(
    Type.Integer({
      minimum: 1,
      maximum: 3660,
      description:
        'No key may be created or updated to expire later than this many days from now, nor to never expire (null: no limit). Setting it gives every live key without an expiry, or with a later one, an expiry at the limit.',
    }),
  ),
  rotationIntervalDays: Nullable(
    Type.Integer({
      minimum: 1,
      maximum: 3660,
      description: 'A key is due for rotation this many days after it was made (null: no schedule).',
    }),
  ),
  rotationNoticeDays: Type.Integer({
    minimum: 0,
    maximum: 365,
    description: 'A `key.rotation_due` webhook goes out this many days before a key is due for rotation.',
  }),
  rotationGraceDays: Type.Integer({
    minimum: 0,
    maximum: 365,
    description: 'A key not rolled by its due date keeps working this many days more, then expires.',
  }),
  detectionSensitivity: Type.Number({
    minimum: 0.25,
    maximum: 4,
    description:
      "Scales the detectors' thresholds for this keyspace: the margin over a baseline is divided by it (2: findings at half the usual excess; 0.5: at twice it). Default 1.",
  }),
  quietHours: Type.Array(Type.Integer({ minimum: 0, maximum: 23 }), {
    maxItems: 24,
    description:
      "Hours of the day (UTC, 0–23) in which the keyspace's keys are not used: any use then is an `unusual_hour` finding, whatever the key's history. Default none.",
  }),
  knownNetworks: Type.Array(Text({ minLength: 2, maxLength: 64 }), {
    maxItems: 64,
    description:
      "Networks (CIDRs or single addresses) that are the keyspace's own — offices, data centres: a use from one is never a new network, new country or impossible travel. Default none.",
  }),
};

const KeyspacePolicyShape = Type.Object(
  {
    keyspaceId: Type.String(),
    ...policyFields,
    updatedAt: Nullable(Type.String({ format: 'date-time', description: 'Null while the defaults apply.' })),
  },
  {
    $id: 'KeyspacePolicy',
    description: 'How a keyspace answers anomalies and stale keys, and how its keys rotate.',
    examples: [
      {
        keyspaceId: KEYSPACE_ID,
        anomalyResponse: 'suspend',
        suspendMinSeverity: 'high',
        autoExpireUnusedDays: 90,
        autoExpireNoticeDays: 14,
        expiringNoticeDays: 7,
        creditsLowThreshold: null,
        maxKeyLifetimeDays: 90,
        rotationIntervalDays: 60,
        rotationNoticeDays: 7,
        rotationGraceDays: 7,
        detectionSensitivity: 1.5,
        quietHours: [0, 1, 2, 3, 4],
        knownNetworks: ['203.0.113.0/24', '2001:db8:40::/48'],
        updatedAt: '2026-03-01T12:00:00.000Z',
      },
    ],
  },
);

export const PolicyPatch = Type.Partial(Type.Object(policyFields), {
  additionalProperties: false,
  minProperties: 1,
  examples: [{ anomalyResponse: 'suspend', suspendMinSeverity: 'high', autoExpireUnusedDays: 90 }],
});

export const HoneytokenBody = Type.Object(
  {
    keyspaceId: Id,
    name: Type.Optional(Nullable(Text({ minLength: 1, maxLength: 256 }))),
    ownerId: Type.Optional(Nullable(Text({ minLength: 1, maxLength: 256 }))),
    scopes: Type.Optional(Type.Array(ScopeName, { maxItems: 256 })),
  },
  { additionalProperties: false, examples: [{ keyspaceId: KEYSPACE_ID, name: 'billing-prod (backup)', scopes: ['billing:write'] }] },
);

export const LeakReport = Type.Object(
  {
    keys: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 100 }),
    source: Type.Optional(Text({ minLength: 1, maxLength: 200 })),
    action: Type.Optional(OneOf(['quarantine', 'revoke'] as const, { description: 'Default: `quarantine` (suspended, undoable).' })),
  },
  {
    additionalProperties: false,
    examples: [{ keys: ['acme_3xR9kQ2mT7vW1zY4bN6cP8dF0gH'], source: 'a public repository', action: 'quarantine' }],
  },
);

const LeakOutcomeShape = Type.Object(
  {
    start: Type.String({ description: "The key's masked start, or `-` for something that is not a key." }),
    status: OneOf(['quarantined', 'revoked', 'already_revoked', 'unknown', 'invalid'] as const),
    keyId: Type.Optional(Type.String()),
    anomalyId: Type.Optional(Type.String({ description: 'The `key_leaked` anomaly recorded for it.' })),
  },
  { $id: 'LeakOutcome', description: 'What a leak report did with one presented key: the key itself is never echoed.' },
);

export const LeakReportResult = List(
  RefTo(LeakOutcomeShape),
  [
    { start: 'acme_3xR9…F0gH', status: 'quarantined', keyId: KEY_ID, anomalyId: ANOMALY_ID },
    { start: '-', status: 'invalid' },
  ],
  'One per presented key, in order.',
);

export const Anomaly = RefTo(AnomalyShape);
export const Suspension = RefTo(SuspensionShape);
export const KeyspacePolicy = RefTo(KeyspacePolicyShape);

/** The named shapes above, for `app.addSchema`. */
export const ANOMALY_SCHEMAS = [AnomalyShape, SuspensionShape, KeyspacePolicyShape, LeakOutcomeShape];
