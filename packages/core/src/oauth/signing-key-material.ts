import { createHash, createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Keyring } from '../custody/envelope-keyring.js';
import type { MlDsa, RsaSigning } from './signing-workers.js';
import type { SigningAlg, SigningKeyRecord } from './oauth-records.js';

/** What making and opening a signing key needs. */
export interface KeyMaterialDeps {
  keyring: Keyring;
  mlDsa: MlDsa;
  rsa: RsaSigning;
}

const aad = (kid: string) => `oauth_signing_key:${kid}`;

/** The private key of a record: a node:crypto key for the classical algorithms, the ML-DSA secret key otherwise. */
export async function unwrapSigningKey(deps: KeyMaterialDeps, record: SigningKeyRecord): Promise<KeyObject | Uint8Array> {
  const plain = await deps.keyring.decrypt(record.privateKey, aad(record.kid));
  try {
    if (record.alg === 'ML-DSA-65') return (await deps.mlDsa.keygen(plain)).secretKey;
    const key = createPrivateKey({ key: JSON.parse(plain.toString('utf8')) as JWK & Record<string, string>, format: 'jwk' });
    if (!keyFits(key, record.alg)) throw new Error(`signing key ${record.kid} does not fit ${record.alg}`);
    return key;
  } finally {
    plain.fill(0);
  }
}

/** A fresh key pair of `alg`, its private key sealed by the keyring; it signs from `activatesAt` for `rotationMs`. */
export async function generateSigningKey(
  deps: KeyMaterialDeps,
  alg: SigningAlg,
  times: { now: number; activatesAt: number; rotationMs: number; retainMs: number },
): Promise<SigningKeyRecord> {
  let publicJwk: Record<string, unknown>;
  let secret: Buffer;
  let kid: string;
  if (alg === 'ML-DSA-65') {
    const seed = randomBytes(32);
    const { publicKey } = await deps.mlDsa.keygen(seed);
    publicJwk = { kty: 'AKP', alg, pub: publicKey.toString('base64url') };
    kid = akpThumbprint(publicJwk);
    secret = seed;
  } else if (alg === 'RS256') {
    const pair = await deps.rsa.rsaKeygen(); // up to a second of work: on the signing workers
    publicJwk = pair.publicJwk;
    kid = await calculateJwkThumbprint(publicJwk as JWK);
    secret = Buffer.from(JSON.stringify(pair.privateJwk), 'utf8');
  } else {
    const pair = await generateKeyPair(alg, { extractable: true });
    publicJwk = { ...(await exportJWK(pair.publicKey)) };
    kid = await calculateJwkThumbprint(publicJwk as JWK);
    secret = Buffer.from(JSON.stringify(await exportJWK(pair.privateKey)), 'utf8');
  }
  const privateKey = await deps.keyring.encrypt(secret, aad(kid));
  secret.fill(0);
  const { now, activatesAt } = times;
  const retiresAt = activatesAt + times.rotationMs;
  return { kid, alg, publicJwk, privateKey, createdAt: now, activatesAt, retiresAt, expiresAt: retiresAt + times.retainMs };
}

/** RFC 7638 thumbprint of an AKP key: its required members `alg`, `kty`, `pub` in order (RFC 9964). */
export function akpThumbprint(jwk: Record<string, unknown>): string {
  const json = JSON.stringify({ alg: jwk.alg, kty: jwk.kty, pub: jwk.pub });
  return createHash('sha256').update(json).digest('base64url');
}

/** The key type each classical algorithm signs with (what jose's importJWK checked before). */
function keyFits(key: KeyObject, alg: SigningAlg): boolean {
  if (key.type !== 'private') return false;
  if (alg === 'EdDSA') return key.asymmetricKeyType === 'ed25519';
  if (alg === 'ES256') return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  return alg === 'RS256' && key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048;
}
