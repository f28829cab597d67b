import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, fsyncSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MAGIC, MAX_HEADER_BYTES, parseHeader, type BackupHeader, type PartInfo } from './backup-header.js';
import { BackupError, decryptPart, encryptPart, encryptedLength } from './backup-protection.js';

/**
 * A backup archive is one file:
 *
 *   TESSERA-BACKUP 1\n           the magic line
 *   {…header…}\n                 one JSON line (backup-header.ts)
 *   keyring part                 iv ‖ AES-256-GCM(keyring file) ‖ tag, the header line as associated data
 *   database part                the SQLite snapshot, or pg_dump's custom-format dump
 *
 * `head -2 FILE` shows what it is without any key.
 */
export interface ArchiveLayout {
  header: BackupHeader;
  /** The header line as stored (the associated data of the keyring part). */
  headerLine: string;
  keyringOffset: number;
  databaseOffset: number;
  size: number;
}

export type Progress = (done: number, total: number) => void;

/**
 * Writes an archive next to `out` under a temporary name, mode 0600, syncs it and renames it into
 * place, so a reader never sees half a backup. Returns the archive's SHA-256.
 */
export async function writeArchive(o: {
  out: string;
  header: Omit<BackupHeader, 'parts'>;
  keyring: Buffer;
  key: Buffer;
  database: { file: string; encoding: PartInfo['encoding'] };
  progress?: Progress;
}): Promise<{ sha256: string; size: number; header: BackupHeader }> {
  const dbSize = statSync(o.database.file).size;
  const dbSha = await sha256OfFile(o.database.file, 0, dbSize, o.progress);
  const header: BackupHeader = {
    ...o.header,
    parts: [
      { name: 'keyring', encoding: 'aes-256-gcm', length: encryptedLength(o.keyring.length), sha256: sha256(o.keyring) },
      { name: 'database', encoding: o.database.encoding, length: dbSize, sha256: dbSha },
    ],
  };
  const headerLine = JSON.stringify(header);
  const sealed = encryptPart(o.key, o.keyring, Buffer.from(headerLine, 'utf8'));
  const tmp = join(dirname(o.out), `.${basename(o.out)}.${randomBytes(4).toString('hex')}.tmp`);
  const whole = createHash('sha256');
  try {
    const sink = createWriteStream(tmp, { mode: 0o600, flags: 'wx' });
    const head = Buffer.concat([Buffer.from(MAGIC + headerLine + '\n', 'utf8'), sealed]);
    whole.update(head);
    sink.write(head);
    await pipeline(
      createReadStream(o.database.file),
      tap((chunk) => whole.update(chunk)),
      sink,
    );
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, o.out);
    syncFolder(dirname(o.out));
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return { sha256: whole.digest('hex'), size: statSync(o.out).size, header };
}

/** Reads and validates the magic line and header, and checks the file is as long as the header says. */
export function readArchive(file: string): ArchiveLayout {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new BackupError(`cannot read the backup ${file}`, 'usage');
  }
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(size, MAGIC.length + MAX_HEADER_BYTES + 1));
    readSync(fd, buf, 0, buf.length, 0);
    if (buf.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) throw new BackupError(`${file} is not a Tessera backup`, 'usage');
    const end = buf.indexOf(0x0a, MAGIC.length);
    if (end < 0) throw new BackupError('the backup header is too long or truncated');
    const headerLine = buf.subarray(MAGIC.length, end).toString('utf8');
    const header = parseHeader(headerLine);
    const keyringOffset = end + 1;
    const databaseOffset = keyringOffset + header.parts[0]!.length;
    const expected = databaseOffset + header.parts[1]!.length;
    if (size !== expected) {
      throw new BackupError(
        `the backup is ${size < expected ? 'truncated' : 'longer than its header says'} (${size} bytes, expected ${expected})`,
      );
    }
    return { header, headerLine, keyringOffset, databaseOffset, size };
  } catch (err) {
    throw err instanceof BackupError ? err : new BackupError((err as Error).message);
  } finally {
    closeSync(fd);
  }
}

/** Decrypts the keyring part and checks its checksum. */
export function openKeyringPart(file: string, layout: ArchiveLayout, key: Buffer): Buffer {
  const part = layout.header.parts[0]!;
  const sealed = Buffer.alloc(part.length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, sealed, 0, part.length, layout.keyringOffset);
  } finally {
    closeSync(fd);
  }
  const plain = decryptPart(key, sealed, Buffer.from(layout.headerLine, 'utf8'));
  if (sha256(plain) !== part.sha256) throw new BackupError('the keyring part does not match its checksum');
  return plain;
}

/** Checks the database part against its checksum; with `to`, also copies it there (removed again on a mismatch). */
export async function checkDatabasePart(file: string, layout: ArchiveLayout, progress?: Progress, to?: string): Promise<void> {
  const part = layout.header.parts[1]!;
  if (part.length === 0) throw new BackupError('the database part of the backup is empty');
  const hash = createHash('sha256');
  let done = 0;
  const source = createReadStream(file, { start: layout.databaseOffset, end: layout.databaseOffset + part.length - 1 });
  const counter = tap((chunk) => {
    hash.update(chunk);
    done += chunk.length;
    progress?.(done, part.length);
  });
  try {
    if (to === undefined)
      await pipeline(source, counter, async (chunks: AsyncIterable<Buffer>) => {
        for await (const _ of chunks);
      });
    else await pipeline(source, counter, createWriteStream(to, { mode: 0o600, flags: 'wx' }));
  } catch (err) {
    if (to !== undefined) rmSync(to, { force: true });
    throw err;
  }
  if (hash.digest('hex') !== part.sha256) {
    if (to !== undefined) rmSync(to, { force: true });
    throw new BackupError('the database part of the backup does not match its checksum: the file was altered or damaged');
  }
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

async function sha256OfFile(file: string, start: number, length: number, progress?: Progress): Promise<string> {
  const hash = createHash('sha256');
  let done = 0;
  if (length > 0) {
    for await (const chunk of createReadStream(file, { start, end: start + length - 1 }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      done += chunk.length;
      progress?.(done, length);
    }
  }
  return hash.digest('hex');
}

function tap(fn: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      fn(chunk);
      cb(null, chunk);
    },
  });
}

function syncFolder(folder: string): void {
  const fd = openSync(folder, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
