import { Cursor, Id, List, Nullable, OneOf, RefTo, Text, Time, Type } from '../http/schemas.js';

/** The shapes of dynamic database credentials (docs/dynamic-secrets.md). */

const TLS_MODES = ['disable', 'require', 'verify-full'] as const;
const LEASE_STATES = ['active', 'revoking', 'revoked'] as const;

const Name = Type.String({
  minLength: 1,
  maxLength: 40,
  pattern: '^[a-z0-9][a-z0-9_-]{0,39}$',
  description: 'Lower-case letters, digits, `_` and `-`, starting with a letter or digit.',
});
export const NameParams = Type.Object({ name: Name });
export const LeaseParams = Type.Object({ leaseId: Id });
const Statements = Text({ minLength: 1, maxLength: 8192 });
const Seconds = (description: string) => Type.Integer({ minimum: 1, maximum: 31_536_000, description });

export const PutConnectionBody = Type.Object(
  {
    host: Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.:_-]+$' }),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_535, description: 'Default 5432.' })),
    database: Type.String({ minLength: 1, maxLength: 63 }),
    tlsMode: Type.Optional(
      OneOf(TLS_MODES, {
        description:
          '`verify-full` (the default) checks the certificate and host name; `require` encrypts only; `disable` sends in the clear.',
      }),
    ),
    username: Type.String({ minLength: 1, maxLength: 63, description: 'The admin login: CREATEROLE and `pg_signal_backend`.' }),
    password: Type.String({ minLength: 1, maxLength: 1024, description: 'Encrypted by the keyring; never shown again.' }),
  },
  {
    additionalProperties: false,
    examples: [
      { host: 'db.internal', port: 5432, database: 'orders', tlsMode: 'verify-full', username: 'tessera_admin', password: 's3cr3t…' },
    ],
  },
);

const connectionExample = {
  id: 'dbc_0Hq3Yx8V2aC1rKlN7wSp0m',
  name: 'orders',
  plugin: 'postgresql',
  host: 'db.internal',
  port: 5432,
  database: 'orders',
  tlsMode: 'verify-full',
  username: 'tessera_admin',
  createdAt: '2026-12-01T09:00:00.000Z',
  updatedAt: '2026-12-01T09:00:00.000Z',
};

const DatabaseConnectionShape = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    plugin: Type.Literal('postgresql'),
    host: Type.String(),
    port: Type.Integer(),
    database: Type.String(),
    tlsMode: OneOf(TLS_MODES),
    username: Type.String(),
    createdAt: Time,
    updatedAt: Time,
  },
  { $id: 'DatabaseConnection', description: 'A target database; its admin password is never shown.', examples: [connectionExample] },
);
export const DatabaseConnection = RefTo(DatabaseConnectionShape);
export const ConnectionList = List(DatabaseConnection, [connectionExample]);

export const PutRoleBody = Type.Object(
  {
    connection: Name,
    creationStatements: Statements,
    revocationStatements: Type.Optional(Nullable(Statements)),
    renewStatements: Type.Optional(Nullable(Statements)),
    defaultTtlSeconds: Type.Optional(Seconds('Default 3600.')),
    maxTtlSeconds: Type.Optional(Seconds('Default: a day, or defaultTtlSeconds if longer.')),
  },
  {
    additionalProperties: false,
    description:
      'Statements use `{{name}}` (quoted as an identifier), `{{password}}` and `{{expiration}}` (quoted as literals). Without revocation statements, the login is dropped with what it owns; without renewal statements, its `VALID UNTIL` is moved.',
    examples: [
      {
        connection: 'orders',
        creationStatements:
          'CREATE ROLE {{name}} LOGIN PASSWORD {{password}} VALID UNTIL {{expiration}}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO {{name}};',
        defaultTtlSeconds: 3600,
        maxTtlSeconds: 86400,
      },
    ],
  },
);

const roleExample = {
  id: 'dbr_0Hq3Yx8V2aC1rKlN7wSp0m',
  name: 'readonly',
  connection: 'orders',
  creationStatements:
    'CREATE ROLE {{name}} LOGIN PASSWORD {{password}} VALID UNTIL {{expiration}}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO {{name}};',
  revocationStatements: null,
  renewStatements: null,
  defaultTtlSeconds: 3600,
  maxTtlSeconds: 86400,
  createdAt: '2026-12-01T09:05:00.000Z',
  updatedAt: '2026-12-01T09:05:00.000Z',
};

const DatabaseRoleShape = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    connection: Type.String({ description: "The connection's name." }),
    creationStatements: Type.String(),
    revocationStatements: Nullable(Type.String({ description: 'Null: the default.' })),
    renewStatements: Nullable(Type.String({ description: 'Null: the default.' })),
    defaultTtlSeconds: Type.Integer(),
    maxTtlSeconds: Type.Integer(),
    createdAt: Time,
    updatedAt: Time,
  },
  { $id: 'DatabaseRole', description: 'What credentials of a role are and how long they live.', examples: [roleExample] },
);
export const DatabaseRole = RefTo(DatabaseRoleShape);
export const RoleList = List(DatabaseRole, [roleExample]);

const leaseExample = {
  leaseId: 'dbl_0Hq3Zk2W7bD4sLmP9xTq1n',
  role: 'readonly',
  login: 't_readonly_k3v9x0q2m7p4w8z1',
  state: 'active',
  issuedTo: 'root_key:rk_0Hq3Ab4Cd5Ef6Gh7Ij8Kl9',
  issuedAt: '2026-12-01T10:00:00.000Z',
  expiresAt: '2026-12-01T11:00:00.000Z',
  maxExpiresAt: '2026-12-02T10:00:00.000Z',
  renewals: 0,
  revokeReason: null,
  attempts: 0,
  nextAttemptAt: '2026-12-01T11:00:00.000Z',
  lastError: null,
  revokedAt: null,
};

const DatabaseLeaseShape = Type.Object(
  {
    leaseId: Type.String(),
    role: Type.String(),
    login: Type.String({ description: 'The generated login name.' }),
    state: OneOf(LEASE_STATES, { description: '`revoking`: the login is being dropped, or waiting for the next attempt after a failure.' }),
    issuedTo: Type.String({ description: 'The actor it was issued to.' }),
    issuedAt: Time,
    expiresAt: Time,
    maxExpiresAt: Type.String({ format: 'date-time', description: 'No renewal reaches past it.' }),
    renewals: Type.Integer(),
    revokeReason: Nullable(OneOf(['expired', 'requested', 'failed'] as const)),
    attempts: Type.Integer({ description: 'Revocation attempts so far.' }),
    nextAttemptAt: Nullable(
      Type.String({ format: 'date-time', description: 'The expiry while active; the next revocation attempt while revoking.' }),
    ),
    lastError: Nullable(Type.String({ description: "Why the last revocation attempt failed (the target's message, without secrets)." })),
    revokedAt: Nullable(Time),
  },
  { $id: 'DatabaseLease', description: 'A credential handed out, without its password (none is kept).', examples: [leaseExample] },
);
export const DatabaseLease = RefTo(DatabaseLeaseShape);

export const RequestCredentialBody = Type.Object(
  { ttlSeconds: Type.Optional(Seconds("Default: the role's default TTL; at most its maximum.")) },
  { additionalProperties: false, examples: [{ ttlSeconds: 900 }] },
);

export const Credential = Type.Object(
  {
    username: Type.String(),
    password: Type.String({ description: 'Shown this once; Tessera keeps no copy.' }),
    host: Type.String(),
    port: Type.Integer(),
    database: Type.String(),
    tlsMode: OneOf(TLS_MODES),
    lease: DatabaseLease,
  },
  {
    examples: [
      {
        username: leaseExample.login,
        password: 'Xq7…',
        host: 'db.internal',
        port: 5432,
        database: 'orders',
        tlsMode: 'verify-full',
        lease: leaseExample,
      },
    ],
  },
);

export const RenewBody = Type.Object(
  { incrementSeconds: Type.Optional(Seconds("From now (default: the role's default TTL), never past the lease's maxExpiresAt.")) },
  { additionalProperties: false, examples: [{ incrementSeconds: 3600 }] },
);

export const LeasesQuery = Type.Object(
  {
    role: Type.Optional(Name),
    state: Type.Optional(OneOf(LEASE_STATES)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

export const LeasePage = Type.Object(
  {
    items: Type.Array(DatabaseLease, { description: 'Newest first.' }),
    nextCursor: Nullable(Type.String({ description: 'Pass it as `cursor` for the next page; null on the last page.' })),
  },
  { examples: [{ items: [leaseExample], nextCursor: null }] },
);

/** The named shapes above, for `app.addSchema`. */
export const DATABASE_SCHEMAS = [DatabaseConnectionShape, DatabaseRoleShape, DatabaseLeaseShape];
