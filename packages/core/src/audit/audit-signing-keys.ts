import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';
import type { Clock } from '../clock.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import type { AuditCheckpointRepos } from './audit-checkpoint-repos.js';

export interface AuditSigningKey {
  version: number;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The RFC 7638 thumbprint of the public key: the `kid` of its checkpoints and of the JWKS entry. */
  kid: string;
}

const aadOf = (version: number) => `audit_signing_key:${version}`;

/**
 * The checkpoint signing keys, decrypted through the keyring: the private halves are stored
 * encrypted under the instance's data key, so the database alone does not hold them. Public keys
 * are taken from the decrypted private keys, not from the row, so a key row planted in the
 * database does not verify.
 */
export async function loadAuditSigningKeys(
  keyring: Keyring,
  store: Pick<AuditCheckpointRepos, 'listAuditSigningKeys' | 'insertAuditSigningKey'>,
  clock: Clock,
  create: boolean,
): Promise<Map<number, AuditSigningKey>> {
  const keys = new Map<number, AuditSigningKey>();
  for (const row of await store.listAuditSigningKeys()) {
    const der = await keyring.decrypt(row.privateKey, aadOf(row.version));
    const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    der.fill(0);
    keys.set(row.version, await signingKey(row.version, privateKey));
  }
  if (keys.size === 0 && create) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    const inserted = await store.insertAuditSigningKey({
      version: 1,
      publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64url'),
      privateKey: await keyring.encrypt(der, aadOf(1)),
      createdAt: clock.now(),
    });
    der.fill(0);
    if (!inserted) return loadAuditSigningKeys(keyring, store, clock, false);
    keys.set(1, await signingKey(1, privateKey));
  }
  return keys;
}

async function signingKey(version: number, privateKey: KeyObject): Promise<AuditSigningKey> {
  const publicKey = createPublicKey(privateKey);
  return { version, privateKey, publicKey, kid: await calculateJwkThumbprint(await exportJWK(publicKey)) };
}

export interface AuditPublicJwk extends JWK {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
}

/**
 * The public halves as a JWK Set (RFC 7517), oldest first: what anyone needs to verify an
 * exported checkpoint offline (`jose.compactVerify(checkpoint.signature, createLocalJWKSet(set))`).
 */
export async function auditPublicJwks(keys: ReadonlyMap<number, AuditSigningKey>): Promise<{ keys: AuditPublicJwk[] }> {
  const out: AuditPublicJwk[] = [];
  for (const k of [...keys.values()].sort((a, b) => a.version - b.version)) {
    const { x } = await exportJWK(k.publicKey);
    out.push({ kty: 'OKP', crv: 'Ed25519', x: x!, kid: k.kid, alg: 'EdDSA', use: 'sig' });
  }
  return { keys: out };
}
