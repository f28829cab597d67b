import { createCipheriv, createDecipheriv, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { KekProvider } from '@tessera/core';
import type { Protection } from './backup-header.js';

/**
 * The archive key that encrypts a backup's keyring part: derived from a passphrase with scrypt
 * (N = 2^17, r = 8, p = 1: about 128 MiB and a few hundred milliseconds, so each guess costs as
 * much), or made at random and wrapped by the instance's PKCS#11 KEK. AES-256-GCM with a 12-byte
 * random IV and the archive's header line as associated data.
 */
export const SCRYPT_LOG_N = 17;
export const MIN_PASSPHRASE_LENGTH = 12;
const CHECK_LABEL = 'tessera-backup/v1|passphrase-check';
const IV = 12;
const TAG = 16;

/** Why a backup cannot be opened; `auth` for a wrong passphrase or an altered archive. */
export class BackupError extends Error {
  override name = 'BackupError';
  constructor(
    message: string,
    readonly reason: 'auth' | 'integrity' | 'usage' | 'target' = 'integrity',
  ) {
    super(message);
  }
}

/** A passphrase as read from stdin: the trailing newline is not part of it. */
export function passphraseFrom(input: string): string {
  const passphrase = input.replace(/\r?\n$/, '');
  if (passphrase === '') throw new BackupError('pipe the backup passphrase on stdin (for example from a file: < passphrase.txt)', 'usage');
  if ([...passphrase].length < MIN_PASSPHRASE_LENGTH) {
    throw new BackupError(`the backup passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters`, 'usage');
  }
  return passphrase;
}

export async function protectWithPassphrase(passphrase: string): Promise<{ protection: Protection; key: Buffer }> {
  const salt = randomBytes(16);
  const { key, check } = await derive(passphrase, salt, SCRYPT_LOG_N);
  const protection: Protection = {
    kind: 'passphrase',
    kdf: 'scrypt',
    logN: SCRYPT_LOG_N,
    r: 8,
    p: 1,
    salt: salt.toString('base64url'),
    check: check.toString('base64url'),
  };
  return { protection, key };
}

export async function protectWithKek(kek: KekProvider): Promise<{ protection: Protection; key: Buffer }> {
  const key = randomBytes(32);
  const nonce = randomBytes(16).toString('base64url');
  const { kekVersion, wrapped } = await kek.wrap(key, `backup:${nonce}`);
  return { protection: { kind: 'pkcs11', kekVersion, wrapped: wrapped.toString('base64url'), nonce }, key };
}

/** The archive key, from the passphrase or the HSM; a wrong passphrase is told apart from an altered archive. */
export async function openArchiveKey(protection: Protection, secret: { passphrase?: string; kek?: KekProvider }): Promise<Buffer> {
  if (protection.kind === 'pkcs11') {
    if (secret.kek === undefined) {
      throw new BackupError('this backup is protected by a PKCS#11 KEK: configure the same HSM (TESSERA_KEYRING_PROVIDER=pkcs11)', 'usage');
    }
    try {
      return await secret.kek.unwrap(protection.kekVersion, Buffer.from(protection.wrapped, 'base64url'), `backup:${protection.nonce}`);
    } catch (err) {
      throw new BackupError(`the HSM cannot unwrap this backup's key: ${(err as Error).message}`, 'auth');
    }
  }
  if (secret.passphrase === undefined) throw new BackupError('this backup is protected by a passphrase: pipe it on stdin', 'usage');
  const { key, check } = await derive(secret.passphrase, Buffer.from(protection.salt, 'base64url'), protection.logN);
  const expected = Buffer.from(protection.check, 'base64url');
  if (expected.length !== check.length || !timingSafeEqual(expected, check)) {
    throw new BackupError('the backup passphrase is wrong', 'auth');
  }
  return key;
}

export function encryptPart(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  return Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

export function encryptedLength(plainLength: number): number {
  return IV + plainLength + TAG;
}

export function decryptPart(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < IV + TAG) throw new BackupError('the keyring part of the backup is truncated');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV));
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
    return Buffer.concat([decipher.update(sealed.subarray(IV, sealed.length - TAG)), decipher.final()]);
  } catch {
    // The passphrase was checked already: what fails now is the header or the keyring part.
    throw new BackupError("the backup's header or keyring part was altered (it fails its authentication)", 'integrity');
  }
}

async function derive(passphrase: string, salt: Buffer, logN: number): Promise<{ key: Buffer; check: Buffer }> {
  const N = 2 ** logN;
  const out = await new Promise<Buffer>((resolve, reject) =>
    scrypt(passphrase.normalize('NFKC'), salt, 64, { N, r: 8, p: 1, maxmem: 256 * N * 8 + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
  const check = createHmac('sha256', out.subarray(32)).update(CHECK_LABEL).digest();
  return { key: out.subarray(0, 32), check };
}
