import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as initial from './migrations/0001-initial.js';
import * as keyringVault from './migrations/0002-keyring-vault.js';
import * as oauth from './migrations/0003-oauth.js';
import * as monitoring from './migrations/0005-monitoring.js';
import * as consoleUsers from './migrations/0006-console.js';
import * as idCollation from './migrations/0007-postgres-id-collation.js';
import * as usageEventsTime from './migrations/0008-usage-events-time-index.js';
import * as consolePasskeys from './migrations/0009-console-passkeys.js';
import * as oauthFamilyLifetime from './migrations/0010-oauth-family-lifetime.js';
import * as rootKeyLimits from './migrations/0011-root-key-limits.js';
import * as oauthAudiences from './migrations/0012-oauth-audiences.js';
import * as idempotencyKeys from './migrations/0013-idempotency-keys.js';
import * as pepperHmacInput from './migrations/0014-pepper-hmac-input.js';
import * as gatewayRoutes from './migrations/0015-gateway-routes.js';
import * as databaseCredentials from './migrations/0016-database-credentials.js';
import * as keyRotation from './migrations/0018-key-rotation.js';
import * as oauthClientSecretRotation from './migrations/0019-oauth-client-secret-rotation.js';
import * as secretRotations from './migrations/0020-secret-rotations.js';
import * as endUsers from './migrations/0021-end-users.js';
import * as deviceAuthorizations from './migrations/0023-device-authorizations.js';
import * as pushedRequests from './migrations/0023-pushed-authorization-requests.js';
import * as rpLogout from './migrations/0023-rp-initiated-logout.js';
import * as detectionTuning from './migrations/0025-detection-tuning.js';
import * as webOrigins from './migrations/0026-web-origins.js';
import * as dpopBoundRefresh from './migrations/0026-dpop-bound-refresh-tokens.js';
import * as userGrants from './migrations/0026-user-grants.js';
import * as portal from './migrations/0027-portal.js';
import * as endUserSecondFactor from './migrations/0030-end-user-second-factor.js';
import * as workspaceReach from './migrations/0031-workspace-reach.js';
import * as upstreamProviders from './migrations/0032-upstream-providers.js';
import * as consoleSsoLinks from './migrations/0035-console-sso-links.js';
import * as consoleUserReach from './migrations/0036-console-user-reach.js';
import * as endUserPasskeys from './migrations/0037-end-user-passkeys.js';
import * as usageEventCounts from './migrations/0038-usage-event-counts.js';
import * as endUserCodeGuesses from './migrations/0039-end-user-code-guesses.js';

/** Migrations are compiled into the package, in order; names never change once released. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-keyring-vault': keyringVault,
  '0003-oauth': oauth,
  '0005-monitoring': monitoring,
  '0006-console': consoleUsers,
  '0007-postgres-id-collation': idCollation,
  '0008-usage-events-time-index': usageEventsTime,
  '0009-console-passkeys': consolePasskeys,
  '0010-oauth-family-lifetime': oauthFamilyLifetime,
  '0011-root-key-limits': rootKeyLimits,
  '0012-oauth-audiences': oauthAudiences,
  '0013-idempotency-keys': idempotencyKeys,
  '0014-pepper-hmac-input': pepperHmacInput,
  '0015-gateway-routes': gatewayRoutes,
  '0016-database-credentials': databaseCredentials,
  '0018-key-rotation': keyRotation,
  '0019-oauth-client-secret-rotation': oauthClientSecretRotation,
  '0020-secret-rotations': secretRotations,
  '0021-end-users': endUsers,
  '0023-device-authorizations': deviceAuthorizations,
  '0023-pushed-authorization-requests': pushedRequests,
  '0023-rp-initiated-logout': rpLogout,
  '0025-detection-tuning': detectionTuning,
  '0026-web-origins': webOrigins,
  '0026-dpop-bound-refresh-tokens': dpopBoundRefresh,
  '0026-user-grants': userGrants,
  '0027-portal': portal,
  '0030-end-user-second-factor': endUserSecondFactor,
  '0031-workspace-reach': workspaceReach,
  '0032-upstream-providers': upstreamProviders,
  '0035-console-sso-links': consoleSsoLinks,
  '0036-console-user-reach': consoleUserReach,
  '0037-end-user-passkeys': endUserPasskeys,
  '0038-usage-event-counts': usageEventCounts,
  '0039-end-user-code-guesses': endUserCodeGuesses,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator is schema-agnostic
function migrator(db: Kysely<any>, schema?: string): Migrator {
  return new Migrator({
    db,
    provider,
    migrationTableName: 'tessera_migrations',
    migrationLockTableName: 'tessera_migrations_lock',
    ...(schema !== undefined && { migrationTableSchema: schema }),
  });
}

/**
 * Applies every pending migration; returns the names applied. Throws on the first failure.
 * On PostgreSQL, `schema` names where the bookkeeping tables live: Kysely otherwise looks for
 * them in every schema of the database and may find another instance's.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator is schema-agnostic
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<string[]> {
  const { error, results } = await migrator(db, schema).migrateToLatest();
  if (error !== undefined) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** The names of the migrations not yet applied, in the order they would run; changes nothing. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator is schema-agnostic
export async function pendingMigrations(db: Kysely<any>, schema?: string): Promise<string[]> {
  const all = await migrator(db, schema).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
