import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { KeyringError, type KekProvider } from './kek-provider.js';

const IV = 12;
const TAG = 16;

/**
 * KEKs held in process memory, loaded from the local key file or `TESSERA_MASTER_KEY`. Wrapping
 * is AES-256-GCM with a 12-byte random IV and the key's context as associated data:
 * `iv ‖ ciphertext ‖ tag`.
 */
export class LocalKek implements KekProvider {
  private readonly keys = new Map<number, KeyObject>();

  /**
   * @param keys version → 32-byte KEK
   * @param hooks `persist` stores a new version (the key file); `reload` re-reads the source when an
   *   unknown version turns up (another process rotated); without `persist`, rotation is refused.
   */
  constructor(
    keys: ReadonlyMap<number, Buffer>,
    readonly kind = 'local',
    private readonly hooks: {
      persist?: (all: ReadonlyMap<number, Buffer>) => void;
      reload?: () => ReadonlyMap<number, Buffer>;
      rotateHint?: string;
    } = {},
  ) {
    if (keys.size === 0) throw new KeyringError('the local keyring holds no key-encryption key', 'config');
    this.load(keys);
  }

  /** A fresh in-memory KEK, for tests and the in-memory keyring. */
  static generate(): LocalKek {
    return new LocalKek(new Map([[1, randomBytes(32)]]), 'memory', { persist: () => {} });
  }

  currentVersion(): number {
    return Math.max(...this.keys.keys());
  }

  async wrap(key: Buffer, context: string): Promise<{ kekVersion: number; wrapped: Buffer }> {
    const kekVersion = this.currentVersion();
    const iv = randomBytes(IV);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(kekVersion)!, iv);
    cipher.setAAD(aad(context));
    const body = Buffer.concat([cipher.update(key), cipher.final()]);
    return { kekVersion, wrapped: Buffer.concat([iv, body, cipher.getAuthTag()]) };
  }

  async unwrap(kekVersion: number, wrapped: Buffer, context: string): Promise<Buffer> {
    let kek = this.keys.get(kekVersion);
    if (kek === undefined && this.hooks.reload !== undefined) {
      this.load(this.hooks.reload());
      kek = this.keys.get(kekVersion);
    }
    if (kek === undefined) throw new KeyringError(`the key-encryption key version ${kekVersion} is not in this keyring`, 'config');
    if (wrapped.length < IV + TAG + 1) throw new KeyringError('a wrapped key is truncated');
    try {
      const decipher = createDecipheriv('aes-256-gcm', kek, wrapped.subarray(0, IV));
      decipher.setAAD(aad(context));
      decipher.setAuthTag(wrapped.subarray(wrapped.length - TAG));
      return Buffer.concat([decipher.update(wrapped.subarray(IV, wrapped.length - TAG)), decipher.final()]);
    } catch {
      throw new KeyringError('a wrapped key does not unwrap under this keyring (wrong key-encryption key, or the row was altered)');
    }
  }

  async rotate(): Promise<number> {
    if (this.hooks.persist === undefined)
      throw new KeyringError(this.hooks.rotateHint ?? 'this keyring cannot make new key versions', 'config');
    const next = this.currentVersion() + 1;
    const all = new Map([...this.exportAll(), [next, randomBytes(32)]]);
    this.hooks.persist(all);
    this.load(all);
    return next;
  }

  async close(): Promise<void> {
    this.keys.clear();
  }

  private load(keys: ReadonlyMap<number, Buffer>): void {
    for (const [version, key] of keys) {
      if (!Number.isInteger(version) || version < 1) throw new KeyringError(`invalid key-encryption key version ${version}`, 'config');
      if (key.length !== 32) throw new KeyringError(`the key-encryption key version ${version} is not 32 bytes`, 'config');
      this.keys.set(version, createSecretKey(key));
    }
  }

  private exportAll(): Map<number, Buffer> {
    return new Map([...this.keys].map(([v, k]) => [v, k.export()]));
  }
}

function aad(context: string): Buffer {
  return Buffer.from(`tessera-kek/v1|${context}`, 'utf8');
}

/**
 * Parses `TESSERA_MASTER_KEY`: one base64url (or base64) 32-byte key, which is version 1, or
 * `<version>:<key>` pairs separated by commas (`1:…,2:…`) while a rotation is under way.
 */
export function parseMasterKey(value: string): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const part of parts) {
    const m = /^(?:(\d{1,6}):)?([A-Za-z0-9+/_-]+={0,2})$/.exec(part);
    const key = m ? Buffer.from(m[2]!.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, ''), 'base64url') : undefined;
    // The message never echoes the value: it is the master key.
    if (m === null || key === undefined || key.length !== 32) {
      throw new KeyringError('TESSERA_MASTER_KEY must be a base64 32-byte key, or "<version>:<key>" pairs separated by commas', 'config');
    }
    const version = m[1] === undefined ? 1 : Number(m[1]);
    if (parts.length > 1 && m[1] === undefined)
      throw new KeyringError('TESSERA_MASTER_KEY: give every key a version ("1:…,2:…") when there are several', 'config');
    if (out.has(version)) throw new KeyringError(`TESSERA_MASTER_KEY names version ${version} twice`, 'config');
    out.set(version, key);
  }
  if (out.size === 0) throw new KeyringError('TESSERA_MASTER_KEY is empty', 'config');
  return out;
}
