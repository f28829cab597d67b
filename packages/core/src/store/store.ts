import type { KeyRepos } from '../api-keys/key-repos.js';
import type { KeyRecoveryRepos } from '../api-keys/key-recovery-repos.js';
import type { RolloverRepos } from '../api-keys/rollover-repos.js';
import type { KeyspaceRepos } from '../api-keys/keyspace-repos.js';
import type { AuditCheckpointRepos } from '../audit/audit-checkpoint-repos.js';
import type { AuditRepos } from '../audit/audit-repos.js';
import type { ConsoleRepos } from '../console/console-repos.js';
import type { DatabaseRepos } from '../databases/database-repos.js';
import type { KeyringRepos } from '../custody/custody-repos.js';
import type { IdempotencyRepos } from '../idempotency/idempotency-repos.js';
import type { RootKeyRepos } from '../root-keys/root-key-repos.js';
import type { VaultRepos } from '../vault/vault-repos.js';
import type { SecretRotationRepos } from '../vault/rotation/secret-rotation-repos.js';
import type { PortalRepos } from '../portal/portal-repos.js';
import type { WorkspaceRepos } from '../workspaces/workspace-repos.js';
import type { UsageUpdate } from './records.js';

/**
 * The storage port: the ports of the capabilities that share one database and its transactions,
 * each a few intention-revealing methods, the same inside and outside a transaction. The Kysely
 * store implements it for SQLite and PostgreSQL.
 */
export interface Repos
  extends KeyRepos, KeyspaceRepos, RootKeyRepos, AuditRepos, KeyringRepos, VaultRepos, KeyRecoveryRepos, AuditCheckpointRepos {
  /** Console users and sessions, in the same database and transactions. */
  readonly console: ConsoleRepos;
  /** Target database connections, roles and leases of dynamic credentials, in the same database and transactions. */
  readonly databases: DatabaseRepos;
  /** Usage-driven rollovers of keys, in the same database and transactions. */
  readonly rollovers: RolloverRepos;
  /** Rotators and schedules of vault secrets, in the same database and transactions. */
  readonly secretRotations: SecretRotationRepos;
  /** Keyspaces' portal settings and key owners' portal sessions, in the same database and transactions. */
  readonly portal: PortalRepos;
  /** Workspaces, in the same database and transactions. */
  readonly workspaces: WorkspaceRepos;
}

export interface Store extends Repos {
  readonly dialect: 'sqlite' | 'postgres';
  /** Idempotency records: written outside the request's transaction, so they are here, not on {@link Repos}. */
  readonly idempotency: IdempotencyRepos;
  /** Runs `fn` in one transaction: all of its writes land, or none. */
  transaction<T>(fn: (tx: Repos) => Promise<T>): Promise<T>;
  /** Writes usage counters and credits from the verify path, in one batch. */
  applyUsage(updates: readonly UsageUpdate[]): Promise<void>;
  /** Throws when the store cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
