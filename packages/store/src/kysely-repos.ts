import type { Repos } from '@tessera/core';
import type { Kysely } from 'kysely';
import { KyselyAuditCheckpointRepos } from './audit/kysely-audit-checkpoint-repos.js';
import { KyselyAuditRepos } from './audit/kysely-audit-repos.js';
import { KyselyConsoleRepos } from './console/kysely-console-repos.js';
import { KyselyKeyringRepos } from './custody/kysely-keyring-repos.js';
import { KyselyDatabaseRepos } from './databases/kysely-database-repos.js';
import { composeRepos, type Dialect } from './kysely-handle.js';
import { KyselyKeyRecoveryRepos } from './keys/kysely-key-recovery-repos.js';
import { KyselyKeyChanges } from './keys/kysely-key-changes.js';
import { KyselyKeyRepos } from './keys/kysely-key-repos.js';
import { KyselyKeyspaceRepos } from './keys/kysely-keyspace-repos.js';
import { KyselyRolloverRepos } from './keys/kysely-rollover-repos.js';
import { KyselyPortalRepos } from './portal/kysely-portal-repos.js';
import { KyselyRootKeyRepos } from './root-keys/kysely-root-key-repos.js';
import type { Database } from './schema.js';
import { KyselySecretRotationRepos } from './vault/kysely-secret-rotation-repos.js';
import { KyselyVaultRepos } from './vault/kysely-vault-repos.js';
import { KyselyWorkspaceRepos } from './workspaces/kysely-workspace-repos.js';

/**
 * The storage port over a Kysely handle — the whole database, or one transaction: the adapter of
 * each capability's port, in one object, so that a transaction writes through all of them.
 */
export class KyselyRepos
  extends composeRepos(
    KyselyKeyRepos,
    KyselyKeyChanges,
    KyselyKeyspaceRepos,
    KyselyRootKeyRepos,
    KyselyAuditRepos,
    KyselyAuditCheckpointRepos,
    KyselyKeyringRepos,
    KyselyVaultRepos,
    KyselyKeyRecoveryRepos,
  )
  implements Repos
{
  appendAuditAround?: Repos['appendAuditAround'];

  constructor(db: Kysely<Database>, dialectName: Dialect, inTransaction: boolean) {
    super(db, dialectName, inTransaction);
    // PostgreSQL numbers and hashes an audit entry in the statement that appends it.
    if (dialectName === 'postgres' && inTransaction) this.appendAuditAround = (entry, canonical) => this.appendAuditInOne(entry, canonical);
  }

  /** Console users and sessions (migration 0006), over the same handle. */
  get console(): KyselyConsoleRepos {
    return new KyselyConsoleRepos(this.db);
  }

  /** Connections, roles and leases of dynamic database credentials (migration 0016), over the same handle. */
  get databases(): KyselyDatabaseRepos {
    return new KyselyDatabaseRepos(this.db);
  }

  /** Usage-driven rollovers of keys (migration 0018), over the same handle. */
  get rollovers(): KyselyRolloverRepos {
    return new KyselyRolloverRepos(this.db);
  }

  /** Portal settings and key owners' portal sessions (migration 0027), over the same handle. */
  get portal(): KyselyPortalRepos {
    return new KyselyPortalRepos(this.db);
  }

  /** Rotators and schedules of vault secrets (migration 0020), over the same handle. */
  get secretRotations(): KyselySecretRotationRepos {
    return new KyselySecretRotationRepos(this.db);
  }

  /** Workspaces: their names, and which of them a caller reaches (migration 0031), over the same handle. */
  get workspaces(): KyselyWorkspaceRepos {
    return new KyselyWorkspaceRepos(this.db);
  }
}
