import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditReport } from '@tessera/api';
import { appendAudit, systemClock, verifyAuditLog } from '@tessera/core';
import type { Config } from '../config.js';
import { keyringPath, openInstance } from '../wiring/instance.js';
import { checkDatabasePart, type Progress } from './backup-archive.js';
import type { BackupHeader } from './backup-header.js';
import { BackupError } from './backup-protection.js';
import { postgresSchemaIsEmpty, restorePostgres } from './postgres-snapshot.js';
import { sqliteIntegrity } from './sqlite-snapshot.js';
import { CLI_ACTOR } from './take-backup.js';
import { withOpenedBackup } from './verify-backup.js';

export interface RestoreReport {
  header: BackupHeader;
  dataDir: string;
  /** PostgreSQL: the schema restored into (set TESSERA_DATABASE_SCHEMA to it unless it is `public`). */
  schema?: string;
  audit: AuditReport;
}

/**
 * `tessera restore FILE`: into an empty data dir (and, for PostgreSQL, an empty schema of the
 * target database) only; anything there is refused rather than overwritten. The archive is checked
 * first (passphrase, checksums), then the database is put in place, then the keyring, and the
 * restored instance is opened as `serve` would open it: its keyring must unwrap, its audit chain
 * and checkpoints must verify, and `backup.restored` starts its own history.
 */
export async function restoreBackup(
  file: string,
  config: Config,
  passphrase: string | undefined,
  progress: Progress,
): Promise<RestoreReport> {
  return withOpenedBackup(file, config, passphrase, 'restore', async (opened, work) => {
    const { header, layout } = opened;
    await opened.kek.close();
    const { dataDir } = config;
    if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
      throw new BackupError(`the data dir ${dataDir} is not empty: restore into an empty or new folder`, 'target');
    }
    let target: Config = config;
    if (header.store.kind === 'sqlite') {
      if (config.databaseUrl !== undefined) {
        throw new BackupError(
          'this is a backup of a SQLite instance: restore it without --database-url (and TESSERA_DATABASE_URL)',
          'usage',
        );
      }
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      const partial = join(dataDir, 'tessera.db.restoring');
      await checkDatabasePart(file, layout, progress, partial);
      const integrity = sqliteIntegrity(partial);
      if (!integrity.ok) {
        rmSync(partial, { force: true });
        throw new BackupError(`the SQLite snapshot fails its integrity check: ${integrity.detail}`);
      }
      renameSync(partial, join(dataDir, 'tessera.db'));
    } else {
      const { schema } = header.store;
      if (config.databaseUrl === undefined) {
        throw new BackupError('this is a backup of a PostgreSQL instance: give the target database with --database-url URL', 'usage');
      }
      if (config.databaseSchema !== undefined && config.databaseSchema !== schema) {
        throw new BackupError(`this backup restores into schema ${schema}; TESSERA_DATABASE_SCHEMA says ${config.databaseSchema}`, 'usage');
      }
      if (!(await postgresSchemaIsEmpty(config.databaseUrl, schema))) {
        throw new BackupError(
          `the schema ${schema} of the target database is not empty: restore into an empty database or schema`,
          'target',
        );
      }
      const dump = join(work, 'database');
      await checkDatabasePart(file, layout, progress, dump);
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      await restorePostgres(config.databaseUrl, schema, dump, join(work, 'restore.list'));
      target = { ...config, databaseSchema: schema };
    }
    writeFileSync(keyringPath(target), opened.keyring, { mode: 0o600, flag: 'wx' });

    const { store, keyring } = await openInstance(target);
    try {
      const audit = await verifyAuditLog({ store, keyring, clock: systemClock });
      if (!audit.ok) throw new BackupError(`the restored audit chain is broken at entry ${audit.firstBadSeq} (${audit.reason})`);
      await store.transaction((tx) =>
        appendAudit(tx, systemClock, CLI_ACTOR, {
          action: 'backup.restored',
          target: null,
          details: {
            backupCreatedAt: header.createdAt,
            auditSeq: header.auditSeq,
            tesseraVersion: header.tesseraVersion,
            databaseSha256: header.parts[1]!.sha256,
          },
        }),
      );
      return { header, dataDir, ...(header.store.kind === 'postgres' && { schema: header.store.schema }), audit };
    } finally {
      await store.close();
      await keyring.close();
    }
  });
}
