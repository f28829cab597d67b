import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditReport } from '@tessera/api';
import { EnvelopeKeyring, systemClock, verifyAuditLog, type KekProvider } from '@tessera/core';
import { KyselyStore } from '@tessera/store';
import type { Config } from '../config.js';
import { checkDatabasePart, openKeyringPart, readArchive, type ArchiveLayout, type Progress } from './backup-archive.js';
import type { BackupHeader } from './backup-header.js';
import { BackupError, openArchiveKey } from './backup-protection.js';
import { openCapturedKek, openHsmKek } from './captured-keyring.js';
import { listDump } from './postgres-snapshot.js';
import { unwrapAll } from './snapshot-facts.js';
import { sqliteFacts, sqliteIntegrity } from './sqlite-snapshot.js';

export interface OpenedBackup {
  layout: ArchiveLayout;
  header: BackupHeader;
  keyring: Buffer;
  kek: KekProvider;
}

/** Reads the header, opens the archive key (passphrase or HSM), decrypts the keyring part and opens its KEKs. */
export async function openBackup(file: string, config: Config, passphrase: string | undefined, work: string): Promise<OpenedBackup> {
  const layout = readArchive(file);
  const { header } = layout;
  let key: Buffer;
  if (header.protection.kind === 'pkcs11') {
    const hsm = await openHsmKek(config, join(work, 'hsm'));
    try {
      key = await openArchiveKey(header.protection, { kek: hsm });
    } finally {
      await hsm.close();
    }
  } else {
    key = await openArchiveKey(header.protection, passphrase === undefined ? {} : { passphrase });
  }
  const keyring = openKeyringPart(file, layout, key);
  key.fill(0);
  const { kek, descriptor } = await openCapturedKek(config, keyring, join(work, 'keyring'));
  if (descriptor.source !== header.keyring.source) {
    await kek.close();
    throw new BackupError('the keyring part does not match the header');
  }
  return { layout, header, keyring, kek };
}

/**
 * Opens `file` in a work folder of its own and hands it to `use`; whatever happens, the archive's
 * KEKs are closed and the folder removed afterwards (`use` may close the KEKs sooner: a second
 * close does nothing).
 */
export async function withOpenedBackup<T>(
  file: string,
  config: Config,
  passphrase: string | undefined,
  purpose: 'verify' | 'restore',
  use: (opened: OpenedBackup, work: string) => Promise<T>,
): Promise<T> {
  const work = mkdtempSync(join(tmpdir(), `tessera-${purpose}-`));
  let opened: OpenedBackup | undefined;
  try {
    opened = await openBackup(file, config, passphrase, work);
    return await use(opened, work);
  } finally {
    await opened?.kek.close();
    rmSync(work, { recursive: true, force: true });
  }
}

export interface VerifyReport {
  ok: true;
  header: BackupHeader;
  integrity: string;
  wrappedKeys: number;
  /** SQLite: the audit chain and its signed checkpoints, checked on a copy of the snapshot. */
  audit?: AuditReport;
  /** PostgreSQL: entries in the dump's table of contents. */
  dumpEntries?: number;
}

/**
 * `tessera backup verify FILE`: everything short of restoring. The passphrase opens the keyring
 * part, every part matches its checksum, and for SQLite a copy of the snapshot passes SQLite's
 * integrity check, every wrapped key unwraps with the archive's keyring, and the audit chain and
 * its checkpoints verify. A PostgreSQL dump must be readable by pg_restore and hold Tessera's tables.
 */
export async function verifyBackup(
  file: string,
  config: Config,
  passphrase: string | undefined,
  progress: Progress,
): Promise<VerifyReport> {
  return withOpenedBackup(file, config, passphrase, 'verify', async ({ header, layout, kek }, work) => {
    const db = join(work, 'database');
    await checkDatabasePart(file, layout, progress, db);
    if (header.store.kind === 'postgres') {
      const toc = await listDump(db);
      for (const table of ['audit_log', 'keyring_keys', 'tessera_migrations']) {
        if (!new RegExp(`TABLE DATA ${header.store.schema} ${table} `).test(toc)) throw new BackupError(`the dump holds no ${table} table`);
      }
      if (Math.max(0, ...header.keyring.kekVersions) > kek.currentVersion()) {
        throw new BackupError("the backup's keyring lacks a KEK version its database uses");
      }
      return {
        ok: true,
        header,
        integrity: 'pg_restore --list: readable',
        wrappedKeys: header.keyring.wrappedKeys,
        dumpEntries: toc.split('\n').filter((l) => /^\d+;/.test(l)).length,
      };
    }
    const integrity = sqliteIntegrity(db);
    if (!integrity.ok) throw new BackupError(`the SQLite snapshot fails its integrity check: ${integrity.detail}`);
    const facts = await sqliteFacts(db);
    if (facts.auditSeq !== header.auditSeq || facts.migration.latest !== header.migration.latest) {
      throw new BackupError('the SQLite snapshot does not match what its header says');
    }
    const proof = await unwrapAll(kek, facts.wrappedKeys);
    const store = KyselyStore.open({ kind: 'sqlite', file: db });
    try {
      const keyring = await EnvelopeKeyring.open({ kek, repos: store });
      const audit = await verifyAuditLog({ store, keyring, clock: systemClock });
      if (!audit.ok) throw new BackupError(`the audit chain in the backup is broken at entry ${audit.firstBadSeq} (${audit.reason})`);
      return { ok: true, header, integrity: integrity.detail, wrappedKeys: proof.wrappedKeys, audit };
    } finally {
      await store.close();
    }
  });
}
