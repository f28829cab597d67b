import { base64url, decodeProtectedHeader, errors, UnsecuredJWT, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import type { RemoteKeySet } from './issuer-client.js';

export const ML_DSA_65 = 'ML-DSA-65';
const ML_DSA_65_SIGNATURE_BYTES = 3309;

/** The token's protected header, or undefined when it has none that parses. */
export function headerOf(token: string): ProtectedHeaderParameters | undefined {
  try {
    return decodeProtectedHeader(token);
  } catch {
    return undefined;
  }
}

/**
 * An ML-DSA-65 token (JOSE `alg` "ML-DSA-65", key type `AKP` with the public key in `pub`):
 * the signature is checked with @noble/post-quantum against the key named by `kid`, then the
 * claims are checked by jose's own rules, by handing it the verified payload as an unsecured
 * JWT carrying the original `typ`. jose does not implement ML-DSA.
 */
export async function verifyMlDsaToken(
  token: string,
  jwks: RemoteKeySet,
  checks: Parameters<typeof UnsecuredJWT.decode>[1],
): Promise<JWTPayload & Record<string, unknown>> {
  const [h, p, s] = token.split('.');
  const header = headerOf(token)!;
  const find = () => jwks.jwks()?.keys.find((k) => k.kid === header.kid && k.kty === 'AKP' && (k.alg === undefined || k.alg === ML_DSA_65));
  let jwk = find();
  if (jwk === undefined && !jwks.coolingDown) {
    await jwks.reload();
    jwk = find();
  }
  if (jwk === undefined || typeof jwk.pub !== 'string') throw new errors.JWKSNoMatchingKey();
  const { ml_dsa65 } = await loadMlDsa();
  const signature = base64url.decode(s!);
  const publicKey = base64url.decode(jwk.pub);
  if (signature.length !== ML_DSA_65_SIGNATURE_BYTES || !ml_dsa65.verify(signature, new TextEncoder().encode(`${h}.${p}`), publicKey)) {
    throw new errors.JWSSignatureVerificationFailed();
  }
  const unsecured = `${base64url.encode(JSON.stringify({ alg: 'none', typ: header.typ }))}.${p}.`;
  return UnsecuredJWT.decode(unsecured, checks).payload as JWTPayload & Record<string, unknown>;
}

interface MlDsa {
  ml_dsa65: { verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean };
}
let mlDsa: Promise<MlDsa> | undefined;

/** @noble/post-quantum, loaded on the first ML-DSA token (an optional peer dependency). */
function loadMlDsa(): Promise<MlDsa> {
  mlDsa ??= (import('@noble/post-quantum/ml-dsa.js' as string) as Promise<MlDsa>).catch(() => {
    mlDsa = undefined;
    throw new Error('verifying ML-DSA-65 tokens needs the package @noble/post-quantum (npm install @noble/post-quantum)');
  });
  return mlDsa;
}
