import { Answer, Cursor, EXAMPLE, Limit, Nullable, Page, RefTo, Text, Time, Type } from '../http/schemas.js';

/** The shapes of the audit log: its entries, the check of its chain, its signed checkpoints and their keys. */

const auditEntryExample = {
  seq: 412,
  id: 'evt_0Hq3Zk2XaB3cD4eF5gH6iJ',
  ts: '2026-03-01T12:00:00.000Z',
  workspaceId: EXAMPLE.workspaceId,
  actor: EXAMPLE.rootKeyId,
  action: 'key.revoked',
  target: EXAMPLE.keyId,
  ip: '203.0.113.7',
  details: { reason: 'left the company' },
  prevHash: '52f14fc33ef45dd80ac2626077948f44d8d211d5f24bf9db333c9403968e634a',
  hash: 'fabf5b7fedb3e62a81c9298b19706249ee128011bf9d94867681020c16f8b741',
};

const AuditEntryShape = Type.Object(
  {
    seq: Type.Integer({ description: 'Its place in the chain, from 1.' }),
    id: Type.String(),
    ts: Time,
    workspaceId: Nullable(Type.String({ description: "Null for the installation's own entries (keyring, signing keys)." })),
    actor: Type.String({ description: 'Who: a root key id, a console user, `system`, `anonymous`.' }),
    actorName: Type.Optional(
      Nullable(
        Type.String({
          description:
            "The actor by name, in listings: a console user's email, a root key's name (null when it has none, such as `system`).",
        }),
      ),
    ),
    action: Type.String({ description: 'What, as `resource.verb` (docs/audit-events.md lists every action).' }),
    target: Nullable(Type.String()),
    targetName: Type.Optional(
      Nullable(
        Type.String({
          description:
            "The target by name, in listings: a key's, keyspace's, root key's or OAuth client's name, a console user's email, an anomaly's kind and key (null when it has none, or is gone).",
        }),
      ),
    ),
    ip: Nullable(Type.String()),
    details: Type.Object({}, { additionalProperties: true }),
    prevHash: Type.String({ description: "The previous entry's hash: the link of the chain." }),
    hash: Type.String(),
  },
  { $id: 'AuditEntry', description: 'One entry of the hash-chained audit log.', examples: [auditEntryExample] },
);
export const AuditEntry = RefTo(AuditEntryShape);

export const AuditQuery = Type.Object(
  {
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
    action: Type.Optional(Type.String({ maxLength: 64, description: 'Only entries of this action (`key.revoked`).' })),
    actor: Type.Optional(
      Text({
        minLength: 1,
        maxLength: 256,
        description:
          "Only this actor's entries: as the log writes it (`user:usr_…`, `root_key:rk_…`, `system`), a console user's email, or a root key's id or name.",
      }),
    ),
    target: Type.Optional(
      Text({
        minLength: 1,
        maxLength: 256,
        description: "Only entries about this target, by its id as the log writes it (`key_…`, `cli_…`): a key's history.",
      }),
    ),
  },
  { additionalProperties: false },
);
export const AuditPage = Page(AuditEntry, auditEntryExample, 'Newest first.');

const AuditReportShape = Type.Object(
  {
    ok: Type.Boolean(),
    checked: Type.Integer({ description: 'Entries whose link and hash were recomputed.' }),
    firstBadSeq: Type.Optional(Type.Integer({ description: 'The first entry that was changed, or where one was removed or reordered.' })),
    reason: Type.Optional(Type.String()),
    checkpoints: Type.Object({
      checked: Type.Integer({ description: 'Checkpoints whose signature and hash were checked.' }),
      lastSignedSeq: Type.Integer({ description: 'The newest entry a valid checkpoint vouches for (0 if none).' }),
      unsignedEntries: Type.Integer({ description: 'Entries after it: they pass the chain check, but no signature covers them yet.' }),
      badSignatureSeq: Type.Optional(Type.Integer()),
      missingSeq: Type.Optional(
        Type.Integer({ description: 'A checkpoint a later one names, or the one remembered outside the database, that is gone.' }),
      ),
    }),
  },
  {
    $id: 'AuditReport',
    description: 'What a check of the audit chain and its signed checkpoints found.',
    examples: [
      { ok: true, checked: 412, checkpoints: { checked: 6, lastSignedSeq: 400, unsignedEntries: 12 } },
      {
        ok: false,
        checked: 412,
        firstBadSeq: 233,
        reason: 'entry changed',
        checkpoints: { checked: 6, lastSignedSeq: 400, unsignedEntries: 12 },
      },
    ],
  },
);
export const AuditReport = Answer('The report; a chain that does not hold is `ok: false`, not an error.', RefTo(AuditReportShape));

const checkpointExample = {
  seq: 412,
  hash: 'fabf5b7fedb3e62a81c9298b19706249ee128011bf9d94867681020c16f8b741',
  ts: '2026-03-01T12:00:05.000Z',
  keyVersion: 1,
  signature: 'eyJhbGciOiJFZERTQSIsImtpZCI6ImtQcktfcW14VldhWVZBOXd3QkY2SXVvM3ZWeno3VHhIQ1R3WEJ5Z3JTNGsifQ.eyJzZXEiOjQxMn0.c2lnbmF0dXJl',
};

const AuditCheckpointShape = Type.Object(
  {
    seq: Type.Integer(),
    hash: Type.String(),
    ts: Time,
    keyVersion: Type.Integer(),
    signature: Type.String({ description: 'A compact JWS (EdDSA) over the checkpoint, verifiable with the audit keys.' }),
  },
  {
    $id: 'AuditCheckpoint',
    description: 'A signed statement that entry `seq` of the chain had hash `hash` at time `ts`.',
    examples: [checkpointExample],
  },
);
export const AuditCheckpoint = RefTo(AuditCheckpointShape);

export const ExportQuery = Type.Object(
  {
    fromSeq: Type.Optional(
      Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The first entry to export (default 1).' }),
    ),
    checkpoints: Type.Optional(Type.Boolean({ description: 'Also the signed checkpoints, after the entries.' })),
  },
  { additionalProperties: false },
);

/** One line of the export: an entry, another workspace's entry as a bare link, or a checkpoint. */
export const ExportLine = Type.Union(
  [
    AuditEntry,
    Type.Object(
      { seq: Type.Integer(), prevHash: Type.String(), hash: Type.String(), redacted: Type.Literal(true) },
      { description: "Another workspace's entry: only the link, so the chain still verifies." },
    ),
    Type.Object({ checkpoint: AuditCheckpoint }),
  ],
  { description: 'One JSON document per line.', examples: [auditEntryExample, { checkpoint: checkpointExample }] },
);

export const AuditKeySet = Type.Object(
  {
    keys: Type.Array(
      Type.Object({
        kty: Type.String(),
        crv: Type.String(),
        x: Type.String(),
        kid: Type.String({ description: "The key's RFC 7638 thumbprint, as a checkpoint's JWS header names it." }),
        alg: Type.String(),
        use: Type.String(),
      }),
      { description: 'Oldest first.' },
    ),
  },
  {
    examples: [
      {
        keys: [
          {
            kty: 'OKP',
            crv: 'Ed25519',
            x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
            kid: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
            alg: 'EdDSA',
            use: 'sig',
          },
        ],
      },
    ],
  },
);

/** The named shapes above, for `app.addSchema`. */
export const AUDIT_SCHEMAS = [AuditEntryShape, AuditReportShape, AuditCheckpointShape];
