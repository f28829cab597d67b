import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The keyring holds the secrets Tessera derives everything else from. For now: the versioned
 * pepper that keys API-key hashes. Key custody in an HSM and envelope encryption build on it.
 */
export interface Keyring {
  /** The pepper version new hashes use. */
  readonly currentPepperVersion: number;
  /** HMAC-SHA256(pepper_v, value) as base64url; throws for an unknown version. */
  hash(value: string, version?: number): string;
  /** Every pepper version, newest first, for lookups of keys hashed before a rotation. */
  readonly pepperVersions: readonly number[];
  /**
   * Encrypts a secret for storage. `aad` binds the ciphertext to its row and purpose
   * (e.g. `oauth_signing_key:<kid>`), so a ciphertext copied to another row does not decrypt.
   * The result is a self-describing string that carries its key version.
   */
  encrypt(plaintext: Buffer, aad: string): Promise<string>;
  /** Decrypts what `encrypt` produced with the same `aad`; throws if either was altered. */
  decrypt(ciphertext: string, aad: string): Promise<Buffer>;
}

interface KeyringFile {
  format: 'tessera-keyring';
  formatVersion: 1;
  createdAt: string;
  peppers: { version: number; key: string }[];
}

/** Keyring from key material held in memory. */
export class MemoryKeyring implements Keyring {
  readonly currentPepperVersion: number;
  readonly pepperVersions: readonly number[];
  private readonly peppers = new Map<number, KeyObject>();

  constructor(peppers: { version: number; key: Buffer }[]) {
    if (peppers.length === 0) throw new Error('keyring has no pepper');
    for (const p of peppers) this.peppers.set(p.version, createSecretKey(p.key));
    this.pepperVersions = [...this.peppers.keys()].sort((a, b) => b - a);
    this.currentPepperVersion = this.pepperVersions[0]!;
  }

  static generate(): MemoryKeyring {
    return new MemoryKeyring([{ version: 1, key: randomBytes(32) }]);
  }

  hash(value: string, version = this.currentPepperVersion): string {
    const pepper = this.peppers.get(version);
    if (pepper === undefined) throw new Error(`unknown pepper version ${version}`);
    return createHmac('sha256', pepper).update(value).digest('base64url');
  }

  // Provisional: a data key derived from the newest pepper. Envelope encryption with wrapped
  // data keys and KEK providers replaces it, keeping this signature and the `v1.` format tag.
  private dataKey(): Buffer {
    const pepper = this.peppers.get(this.currentPepperVersion)!.export();
    return Buffer.from(hkdfSync('sha256', pepper, Buffer.alloc(0), 'tessera data key v1', 32));
  }

  async encrypt(plaintext: Buffer, aad: string): Promise<string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.dataKey(), iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return ['v1', iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  async decrypt(ciphertext: string, aad: string): Promise<Buffer> {
    const [tag, iv, ct, auth] = ciphertext.split('.');
    if (tag !== 'v1' || iv === undefined || ct === undefined || auth === undefined) throw new Error('unknown ciphertext format');
    const decipher = createDecipheriv('aes-256-gcm', this.dataKey(), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(auth, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]);
  }
}

/** Constant-time equality of two strings of any length. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  // Compare against itself on a length mismatch so the time spent does not depend on it.
  return timingSafeEqual(ab, ab.length === bb.length ? bb : ab) && ab.length === bb.length;
}

/**
 * Creates the local keyring file with mode 0600. Fails if it exists: a keyring is never
 * overwritten, since every stored hash depends on it.
 */
export function createKeyringFile(path: string): MemoryKeyring {
  if (existsSync(path)) throw new Error(`a keyring already exists at ${path}`);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  const file: KeyringFile = {
    format: 'tessera-keyring',
    formatVersion: 1,
    createdAt: new Date().toISOString(),
    peppers: [{ version: 1, key: key.toString('base64url') }],
  };
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(file, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return new MemoryKeyring([{ version: 1, key }]);
}

/** Loads the local keyring file, refusing one that others can read. */
export function loadKeyringFile(path: string): MemoryKeyring {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new Error(
      `the keyring ${path} is readable by other users (mode ${mode.toString(8)}); run: chmod 600 ${path}`,
    );
  }
  const file = JSON.parse(readFileSync(path, 'utf8')) as Partial<KeyringFile>;
  if (file.format !== 'tessera-keyring' || !Array.isArray(file.peppers)) {
    throw new Error(`${path} is not a Tessera keyring`);
  }
  return new MemoryKeyring(
    file.peppers.map((p) => {
      const key = Buffer.from(p.key, 'base64url');
      if (key.length !== 32) throw new Error(`${path}: pepper ${p.version} is not 32 bytes`);
      return { version: p.version, key };
    }),
  );
}
