import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { dirname } from 'node:path';
import { KeyringError } from './kek-provider.js';
import { LocalKek } from './local-kek.js';

/**
 * The keyring file under the data directory: which KEK provider holds the keys, and — for the
 * `local` provider with a key file — the KEKs themselves, optionally sealed with a passphrase.
 * Wrapped data keys and peppers live in the database; without the KEK they are useless.
 */
export interface KeyringDescriptor {
  format: 'tessera-keyring';
  formatVersion: 2;
  createdAt: string;
  /** `file`: KEKs in this file; `env`: `TESSERA_MASTER_KEY`; `pkcs11`: an HSM token. */
  source: 'file' | 'env' | 'pkcs11';
  keks?: { version: number; key: string }[];
  sealed?: SealedKeks;
  pkcs11?: { tokenLabel: string; keyLabel: string };
}

interface SealedKeks {
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  iv: string;
  data: string;
  tag: string;
}

export interface SealOptions {
  /** Seals the KEKs with a key derived from this passphrase (scrypt). */
  passphrase?: string | undefined;
  /** scrypt cost; tests lower it. Default 2^17 (about 128 MiB and a few hundred ms). */
  scryptN?: number | undefined;
}

const SEAL_AAD = Buffer.from('tessera-keyring-seal/v1');

/**
 * Creates the keyring file with mode 0600 (in a 0700 folder). Fails if it exists: a keyring is
 * never overwritten, since every stored secret depends on it. Returns the KEK for `file`.
 */
export function createKeyringFile(
  path: string,
  init: { source: 'file'; seal?: SealOptions } | { source: 'env' } | { source: 'pkcs11'; tokenLabel: string; keyLabel: string } = {
    source: 'file',
  },
): { descriptor: KeyringDescriptor; kek?: LocalKek } {
  if (existsSync(path)) throw new KeyringError(`a keyring already exists at ${path}`, 'config');
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const descriptor: KeyringDescriptor = {
    format: 'tessera-keyring',
    formatVersion: 2,
    createdAt: new Date().toISOString(),
    source: init.source,
  };
  if (init.source === 'pkcs11') descriptor.pkcs11 = { tokenLabel: init.tokenLabel, keyLabel: init.keyLabel };
  if (init.source !== 'file') {
    writeAtomically(path, descriptor);
    return { descriptor };
  }
  const keks = new Map([[1, randomBytes(32)]]);
  const seal = init.seal;
  writeAtomically(path, withKeks(descriptor, keks, seal));
  return { descriptor, kek: fileKek(path, keks, seal) };
}

/** Reads the keyring file, refusing one that other users can read. */
export function readKeyringDescriptor(path: string): KeyringDescriptor {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new KeyringError(`the keyring ${path} is readable by other users (mode ${mode.toString(8)}); run: chmod 600 ${path}`, 'config');
  }
  let file: Partial<KeyringDescriptor>;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as Partial<KeyringDescriptor>;
  } catch {
    throw new KeyringError(`${path} is not a Tessera keyring`, 'config');
  }
  if (file.format !== 'tessera-keyring') throw new KeyringError(`${path} is not a Tessera keyring`, 'config');
  if (file.formatVersion !== 2) {
    throw new KeyringError(
      `${path} was written by a pre-release of Tessera (keyring format ${String(file.formatVersion)}); initialise a new data directory`,
      'config',
    );
  }
  return file as KeyringDescriptor;
}

/** Opens the KEKs of a `file` keyring; a sealed one needs its passphrase. */
export function loadKeyringFile(path: string, seal: SealOptions = {}): LocalKek {
  const descriptor = readKeyringDescriptor(path);
  if (descriptor.source !== 'file')
    throw new KeyringError(`the keyring ${path} keeps its keys in ${descriptor.source}, not in the file`, 'config');
  const { keks, passphrase } = readKeks(descriptor, seal.passphrase, path);
  return fileKek(path, keks, { passphrase, scryptN: descriptor.sealed?.N ?? seal.scryptN });
}

function fileKek(path: string, keks: Map<number, Buffer>, seal: SealOptions | undefined): LocalKek {
  return new LocalKek(keks, 'local', {
    persist: (all) => {
      const current = readKeyringDescriptor(path);
      writeAtomically(path, withKeks(current, all, seal), true);
    },
    reload: () => readKeks(readKeyringDescriptor(path), seal?.passphrase, path).keks,
  });
}

function readKeks(
  d: KeyringDescriptor,
  passphrase: string | undefined,
  path: string,
): { keks: Map<number, Buffer>; passphrase: string | undefined } {
  let list = d.keks;
  if (d.sealed !== undefined) {
    if (passphrase === undefined || passphrase === '') {
      throw new KeyringError(`the keyring ${path} is sealed with a passphrase; set TESSERA_KEYRING_PASSPHRASE`, 'auth');
    }
    const s = d.sealed;
    const key = deriveSealKey(passphrase, Buffer.from(s.salt, 'base64url'), s.N, s.r, s.p);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(s.iv, 'base64url'));
      decipher.setAAD(SEAL_AAD);
      decipher.setAuthTag(Buffer.from(s.tag, 'base64url'));
      const plain = Buffer.concat([decipher.update(Buffer.from(s.data, 'base64url')), decipher.final()]);
      list = JSON.parse(plain.toString('utf8')) as { version: number; key: string }[];
      plain.fill(0);
    } catch {
      throw new KeyringError(`the keyring passphrase is wrong (or ${path} was altered)`, 'auth');
    }
  }
  if (!Array.isArray(list)) throw new KeyringError(`${path} holds no key-encryption key`, 'config');
  return {
    keks: new Map(list.map((k) => [k.version, Buffer.from(k.key, 'base64url')])),
    passphrase: d.sealed === undefined ? undefined : passphrase,
  };
}

function withKeks(d: KeyringDescriptor, keks: ReadonlyMap<number, Buffer>, seal: SealOptions | undefined): KeyringDescriptor {
  const list = [...keks].sort(([a], [b]) => a - b).map(([version, key]) => ({ version, key: key.toString('base64url') }));
  const { keks: _k, sealed: _s, ...rest } = d;
  if (seal?.passphrase === undefined || seal.passphrase === '') return { ...rest, keks: list };
  const N = seal.scryptN ?? d.sealed?.N ?? 2 ** 17;
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveSealKey(seal.passphrase, salt, N, 8, 1), iv);
  cipher.setAAD(SEAL_AAD);
  const data = Buffer.concat([cipher.update(JSON.stringify(list), 'utf8'), cipher.final()]);
  return {
    ...rest,
    sealed: {
      kdf: 'scrypt',
      N,
      r: 8,
      p: 1,
      salt: salt.toString('base64url'),
      iv: iv.toString('base64url'),
      data: data.toString('base64url'),
      tag: cipher.getAuthTag().toString('base64url'),
    },
  };
}

function deriveSealKey(passphrase: string, salt: Buffer, N: number, r: number, p: number): Buffer {
  return scryptSync(passphrase.normalize('NFKC'), salt, 32, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
}

function writeAtomically(path: string, content: KeyringDescriptor, replace = false): void {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, JSON.stringify(content, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  if (!replace && existsSync(path)) throw new KeyringError(`a keyring already exists at ${path}`, 'config');
  renameSync(tmp, path);
}
