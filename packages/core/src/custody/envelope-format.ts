import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import { TesseraError } from '../errors.js';
import type { WrappedKeyRecord } from './custody-repos.js';

/**
 * The keyring's ciphertext format: `v1.<scope>.<dataKeyVersion>.<iv>.<ciphertext>.<tag>`
 * (base64url parts), AES-256-GCM with a 12-byte random IV; the associated data is
 * `tessera/v1|<scope>|<version>|<aad>`, so neither the header nor the row binding can be changed.
 */
const FORMAT = 'v1';
export const SCOPE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** A ciphertext's header: which data key sealed it. */
export interface EnvelopeHeader {
  scope: string;
  version: number;
  parts: readonly string[];
}

/** Seals `plaintext` under a scope's data key of `version`, bound to `aad`. */
export function sealEnvelope(key: KeyObject, scope: string, version: number, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(associatedData(scope, version, aad));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [
    FORMAT,
    scope,
    String(version),
    iv.toString('base64url'),
    ct.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
  ].join('.');
}

/** The header of a ciphertext in this format; throws DECRYPTION_FAILED for anything else. */
export function envelopeHeader(ciphertext: string): EnvelopeHeader {
  const parts = typeof ciphertext === 'string' ? ciphertext.split('.') : [];
  const [format, scope, versionText] = parts;
  if (parts.length !== 6 || format !== FORMAT || !SCOPE_PATTERN.test(scope!) || !/^[1-9]\d{0,8}$/.test(versionText!)) {
    throw new TesseraError('DECRYPTION_FAILED', 'A stored ciphertext is not in a format this keyring reads.');
  }
  return { scope: scope!, version: Number(versionText), parts };
}

/** Opens a ciphertext with the data key its header names; throws DECRYPTION_FAILED if anything was altered. */
export function openEnvelope(key: KeyObject, header: EnvelopeHeader, aad: string): Buffer {
  const [, , , iv, ct, tag] = header.parts;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv!, 'base64url'));
    decipher.setAAD(associatedData(header.scope, header.version, aad));
    decipher.setAuthTag(Buffer.from(tag!, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct!, 'base64url')), decipher.final()]);
  } catch {
    throw new TesseraError(
      'DECRYPTION_FAILED',
      'A stored ciphertext failed its integrity check: it was altered, or it belongs to another row.',
    );
  }
}

/** The context a wrapped key was wrapped with: a backup unwraps every row with it to prove its keyring opens them. */
export function wrappedKeyContext(row: Pick<WrappedKeyRecord, 'scope' | 'purpose' | 'version'>): string {
  return `${row.purpose}:${row.scope}:${row.version}`;
}

function associatedData(scope: string, version: number, aad: string): Buffer {
  return Buffer.from(`tessera/${FORMAT}|${scope}|${version}|${aad}`, 'utf8');
}
