import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditCheckpointRecord } from './audit-checkpoint-repos.js';

/**
 * Where a node remembers, outside the database, the newest checkpoint it signed or checked: the
 * checkpointer refuses to sign a head whose chain no longer holds it. What is stored is the signed
 * checkpoint itself, so an edited file does not verify; the key's thumbprint pins the key too.
 */
export interface AuditPin {
  read(): PinnedCheckpoint | undefined;
  write(p: PinnedCheckpoint): void;
  /** Where it is kept, for messages. */
  readonly where: string;
}

export interface PinnedCheckpoint {
  checkpoint: AuditCheckpointRecord;
  /** The RFC 7638 thumbprint of the key that signed it. */
  kid: string;
}

const PIN_FORMAT = 'tessera-audit-pin/v1';

/** The pin as a small JSON file, replaced atomically (write, fsync, rename) with mode 0600. */
export class AuditPinFile implements AuditPin {
  constructor(readonly where: string) {}

  read(): PinnedCheckpoint | undefined {
    if (!existsSync(this.where)) return undefined;
    const j = JSON.parse(readFileSync(this.where, 'utf8')) as { format?: unknown; checkpoint?: AuditCheckpointRecord; kid?: unknown };
    const c = j.checkpoint;
    if (
      j.format !== PIN_FORMAT ||
      typeof j.kid !== 'string' ||
      c === undefined ||
      !Number.isSafeInteger(c.seq) ||
      !Number.isSafeInteger(c.ts) ||
      !Number.isSafeInteger(c.keyVersion) ||
      typeof c.hash !== 'string' ||
      typeof c.signature !== 'string'
    ) {
      throw new Error(`${this.where} is not an audit pin file`);
    }
    const { seq, hash, ts, keyVersion, signature } = c;
    return { checkpoint: { seq, hash, ts, keyVersion, signature }, kid: j.kid };
  }

  write(p: PinnedCheckpoint): void {
    mkdirSync(dirname(this.where), { recursive: true, mode: 0o700 });
    const tmp = `${this.where}.${randomBytes(4).toString('hex')}.tmp`;
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, JSON.stringify({ format: PIN_FORMAT, ...p }) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.where);
  }
}

/** A copy of every checkpoint outside the database: one JSON line each, appended (`O_APPEND`), mode 0600. */
export class CheckpointFileSink {
  constructor(readonly path: string) {}

  append(c: AuditCheckpointRecord, kid: string): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const line = JSON.stringify({ checkpoint: { ...c, ts: new Date(c.ts).toISOString() }, kid }) + '\n';
    appendFileSync(this.path, line, { flag: 'a', mode: 0o600 });
  }
}
