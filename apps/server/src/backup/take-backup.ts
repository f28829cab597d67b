import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { appendAudit, systemClock, type Actor } from '@tessera/core';
import { VERSION } from '../version.js';
import type { Config } from '../config.js';
import { openStore } from '../wiring/instance.js';
import { writeArchive, type Progress } from './backup-archive.js';
import type { BackupHeader } from './backup-header.js';
import { BackupError, protectWithKek, protectWithPassphrase } from './backup-protection.js';
import { captureKeyring, openCapturedKek, openHsmKek } from './captured-keyring.js';
import { dumpPostgres } from './postgres-snapshot.js';
import { unwrapAll, type SnapshotFacts } from './snapshot-facts.js';
import { snapshotSqlite } from './sqlite-snapshot.js';

export const CLI_ACTOR: Actor = { id: 'system', workspaceId: null, ip: null };

export interface BackupReport {
  file: string;
  size: number;
  sha256: string;
  header: BackupHeader;
  /** SQLite: pages copied, and how often a write restarted the copy. */
  pages?: number;
  restarts?: number;
  ms: number;
}

/**
 * Takes a backup of a running instance. Order matters for consistency with KEK rotations:
 *  1. the database snapshot (SQLite online backup, or pg_dump in an exported snapshot);
 *  2. then the keyring file. A KEK rotation writes its new KEK to the keyring file before it
 *     re-wraps any key in the database, and a keyring keeps every old KEK version, so a keyring
 *     captured after the snapshot holds every KEK any wrapped key in the snapshot needs;
 *  3. then the proof: every wrapped key of the snapshot is unwrapped with the captured keyring,
 *     and the backup fails if one does not (for example, a TESSERA_MASTER_KEY that dropped an old version).
 */
export async function takeBackup(
  config: Config,
  o: { out: string; passphrase?: string; hsm?: boolean; note: (line: string) => void; progress: (label: string) => Progress },
): Promise<BackupReport> {
  const started = Date.now();
  const out = resolve(o.out);
  if (!existsSync(dirname(out))) throw new BackupError(`the folder of ${o.out} does not exist`, 'usage');
  if (!existsSync(join(config.dataDir, 'keyring.json'))) {
    throw new BackupError(`no Tessera instance in ${config.dataDir} (no keyring there); give --data-dir or TESSERA_DATA_DIR`, 'usage');
  }
  // The snapshot is written beside the archive, not in /tmp: it is as large as the database.
  const work = mkdtempSync(join(dirname(out), `.${basename(out)}.work-`));
  try {
    const snapshot = join(work, 'database');
    let facts: SnapshotFacts;
    let store: BackupHeader['store'];
    let pages: number | undefined;
    let restarts: number | undefined;
    if (config.databaseUrl === undefined) {
      const source = join(config.dataDir, 'tessera.db');
      if (!existsSync(source)) throw new BackupError(`no database at ${source}`, 'usage');
      o.note('copying the SQLite database with the online backup API (the server keeps serving)…');
      const s = await snapshotSqlite(source, snapshot, o.progress('database pages'));
      ({ facts, pages, restarts } = s);
      store = { kind: 'sqlite' };
      o.note(`database snapshot: ${s.pages} pages${s.restarts > 0 ? `, copied in one step after ${s.restarts} restart(s) by writes` : ''}`);
    } else {
      const d = await dumpPostgres(config.databaseUrl, config.databaseSchema, snapshot, o.note);
      facts = d.facts;
      store = { kind: 'postgres', schema: d.schema, serverVersion: d.serverVersion };
    }
    o.note(
      `snapshot holds audit entries up to #${facts.auditSeq}, ${facts.wrappedKeys.length} wrapped keys, schema ${facts.migration.latest}`,
    );

    const keyring = captureKeyring(config);
    const { kek } = await openCapturedKek(config, keyring.bytes, join(work, 'keyring'));
    let proof: { kekVersions: number[]; wrappedKeys: number };
    try {
      proof = await unwrapAll(kek, facts.wrappedKeys);
    } finally {
      await kek.close();
    }
    o.note(
      `keyring captured after the snapshot: all ${proof.wrappedKeys} wrapped keys unwrap with it (KEK versions ${proof.kekVersions.join(', ') || 'none'})`,
    );

    let protection;
    if (o.hsm) {
      const hsm = await openHsmKek(config, join(work, 'hsm'));
      try {
        protection = await protectWithKek(hsm);
      } finally {
        await hsm.close();
      }
    } else {
      if (o.passphrase === undefined) throw new BackupError('pipe the backup passphrase on stdin', 'usage');
      protection = await protectWithPassphrase(o.passphrase);
    }
    o.note('writing the archive…');
    const written = await writeArchive({
      out,
      header: {
        format: 'tessera-backup',
        formatVersion: 1,
        tesseraVersion: VERSION,
        createdAt: new Date().toISOString(),
        store,
        migration: facts.migration,
        auditSeq: facts.auditSeq,
        keyring: { source: keyring.descriptor.source, kekVersions: proof.kekVersions, wrappedKeys: proof.wrappedKeys },
        protection: protection.protection,
      },
      keyring: keyring.bytes,
      key: protection.key,
      database: { file: snapshot, encoding: store.kind === 'sqlite' ? 'sqlite' : 'pg_dump-custom' },
      progress: o.progress('checksum'),
    });
    protection.key.fill(0);
    try {
      await recordBackup(config, written.header, written.sha256);
    } catch (err) {
      // A backup exists only if the audit log says so: an unrecorded copy of everything is removed.
      rmSync(out, { force: true });
      throw new BackupError(`the backup could not be recorded in the audit log, so it was removed: ${(err as Error).message}`);
    }
    return { file: out, size: written.size, sha256: written.sha256, header: written.header, pages, restarts, ms: Date.now() - started };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The instance's own audit log records that a backup was taken (after the snapshot, so not in it).
 * On SQLite the server writes from another process: a transaction that meets its write is told
 * SQLITE_BUSY at once (not after busy_timeout) and is simply tried again.
 */
async function recordBackup(config: Config, header: BackupHeader, sha256: string): Promise<void> {
  const store = openStore(config);
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await store.transaction((tx) =>
          appendAudit(tx, systemClock, CLI_ACTOR, {
            action: 'backup.created',
            target: null,
            details: {
              store: header.store.kind,
              auditSeq: header.auditSeq,
              protection: header.protection.kind,
              sha256,
              databaseSha256: header.parts[1]!.sha256,
            },
          }),
        );
        return;
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (attempt >= 50 || typeof code !== 'string' || !code.startsWith('SQLITE_BUSY')) throw err;
        await new Promise((r) => setTimeout(r, 20 + Math.random() * 200));
      }
    }
  } finally {
    await store.close();
  }
}
