import { readFileSync } from 'node:fs';
import { loadConfig, type Config } from '../config.js';
import { readArchive, type Progress } from '../backup/backup-archive.js';
import { passphraseFrom } from '../backup/backup-protection.js';
import { restoreBackup } from '../backup/restore-backup.js';
import { takeBackup } from '../backup/take-backup.js';
import { verifyBackup } from '../backup/verify-backup.js';
import { UsageError, type CommandContext } from './context.js';
import { progressOn } from './progress.js';

/** `tessera backup --out FILE` and `tessera backup verify FILE`. */
export async function backupCommand(sub: string | undefined, ctx: CommandContext): Promise<number> {
  const config = backupConfig(ctx);
  if (sub === 'verify') {
    const file = ctx.rest[0];
    if (file === undefined) throw new UsageError('usage: tessera backup verify FILE < passphrase');
    const r = await verifyBackup(file, config, passphraseFor(file), progress('checking the database part (bytes)'));
    const h = r.header;
    const what =
      r.audit === undefined
        ? `the keyring opens and holds every KEK version the dump's ${r.wrappedKeys} wrapped keys use (all were unwrapped when it was taken); pg_restore reads the dump (${r.dumpEntries} entries)`
        : `the keyring opens and unwraps all ${r.wrappedKeys} wrapped keys; SQLite integrity ${r.integrity}; audit chain intact: ${r.audit.checked} entries, ${r.audit.checkpoints?.checked ?? 0} signed checkpoints`;
    ctx.out(
      `Backup OK: ${h.store.kind} instance, taken ${h.createdAt} by Tessera ${h.tesseraVersion} (schema ${h.migration.latest}).\n` +
        `Checksums match; ${what}.`,
      { ok: true, header: h, wrappedKeys: r.wrappedKeys, integrity: r.integrity, audit: r.audit, dumpEntries: r.dumpEntries },
    );
    return 0;
  }
  if (sub !== undefined) throw new UsageError('usage: tessera backup --out FILE [--hsm] | backup verify FILE');
  const out = ctx.flags.out;
  if (typeof out !== 'string' || out === '') throw new UsageError('usage: tessera backup --out FILE [--hsm] < passphrase');
  const hsm = ctx.flags.hsm === true;
  const r = await takeBackup(config, {
    out,
    hsm,
    ...(!hsm && { passphrase: passphraseFrom(readStdin()) }),
    note,
    progress,
  });
  ctx.out(
    `Backup written to ${r.file} (${mib(r.size)}, sha256 ${r.sha256}) in ${(r.ms / 1000).toFixed(1)} s: ` +
      `audit entries up to #${r.header.auditSeq}, ${r.header.keyring.wrappedKeys} wrapped keys.` +
      (r.header.keyring.source === 'file'
        ? ''
        : `\nThe KEK is not in the backup: it stays in ${r.header.keyring.source === 'env' ? 'TESSERA_MASTER_KEY' : 'the HSM'}, which you keep safe separately.`),
    { file: r.file, size: r.size, sha256: r.sha256, ms: r.ms, pages: r.pages, restarts: r.restarts, header: r.header },
  );
  return 0;
}

/** `tessera restore FILE --data-dir DIR [--database-url URL]`. */
export async function restoreCommand(file: string | undefined, ctx: CommandContext): Promise<number> {
  if (file === undefined || ctx.flags['data-dir'] === undefined) {
    throw new UsageError('usage: tessera restore FILE --data-dir DIR [--database-url URL] < passphrase');
  }
  const config = backupConfig(ctx);
  const r = await restoreBackup(file, config, passphraseFor(file), progress('restoring the database part (bytes)'));
  ctx.out(
    `Restored the backup of ${r.header.createdAt} into ${r.dataDir}${r.schema === undefined ? '' : ` and schema ${r.schema}`}: ` +
      `audit chain intact (${r.audit.checked} entries, ${r.audit.checkpoints?.checked ?? 0} signed checkpoints).\n` +
      `Start it with: tessera serve --data-dir ${r.dataDir}` +
      (r.schema === undefined
        ? ''
        : ` and TESSERA_DATABASE_URL set to the target database${r.schema === 'public' ? '' : `, TESSERA_DATABASE_SCHEMA=${r.schema}`}`),
    { dataDir: r.dataDir, schema: r.schema, header: r.header, audit: r.audit },
  );
  return 0;
}

function backupConfig(ctx: CommandContext): Config {
  const url = ctx.flags['database-url'];
  return loadConfig(process.env, {
    dataDir: ctx.flags['data-dir'],
    ...(typeof url === 'string' && { databaseUrl: url }),
  });
}

/** The passphrase, from stdin, when the archive is protected by one (an HSM-wrapped one needs none). */
function passphraseFor(file: string): string | undefined {
  return readArchive(file).header.protection.kind === 'passphrase' ? passphraseFrom(readStdin()) : undefined;
}

function readStdin(): string {
  if (process.stdin.isTTY) process.stderr.write('Backup passphrase (then Enter and Ctrl-D): ');
  return readFileSync(0, 'utf8');
}

function note(line: string): void {
  process.stderr.write(`tessera backup: ${line}\n`);
}

/** Bytes are reported from 64 MiB up, SQLite pages from 16,384 (64 MiB at 4 KiB a page). */
function progress(label: string): Progress {
  return progressOn(label, { quietBelow: label.includes('pages') ? 16_384 : 64 * 1024 * 1024, note });
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
