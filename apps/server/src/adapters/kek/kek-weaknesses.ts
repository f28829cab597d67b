/** The attributes of a PKCS#11 secret key that decide whether it can be trusted as a KEK. */
export interface KekAttributes {
  keyType: number;
  valueLen: number;
  sensitive: boolean;
  extractable: boolean;
  neverExtractable: boolean;
  local: boolean;
  wrap: boolean;
  unwrap: boolean;
  encrypt: boolean;
  decrypt: boolean;
}

/** `CKK_AES` (PKCS#11 v2.40 §2.7). */
const CKK_AES = 0x1f;

/**
 * What is wrong with a key as a KEK; empty when nothing is. A KEK must be an AES-256 key that was
 * generated inside the token (`CKA_LOCAL`) and never could leave it (`CKA_SENSITIVE`, not
 * `CKA_EXTRACTABLE`, `CKA_NEVER_EXTRACTABLE`), usable to wrap and unwrap (or to encrypt and
 * decrypt) keys. An imported key existed outside the token once, so someone may hold a copy.
 */
export function kekWeaknesses(a: KekAttributes): string[] {
  const found: string[] = [];
  if (a.keyType !== CKK_AES) found.push(`its CKA_KEY_TYPE is 0x${a.keyType.toString(16)}, not CKK_AES`);
  else if (a.valueLen !== 32) found.push(`it is an AES key of ${a.valueLen * 8} bits, not 256`);
  if (!a.sensitive) found.push('CKA_SENSITIVE is false');
  if (a.extractable) found.push('CKA_EXTRACTABLE is true');
  if (!a.neverExtractable) found.push('CKA_NEVER_EXTRACTABLE is false (it was extractable once)');
  if (!a.local) found.push('CKA_LOCAL is false (it was imported, not generated in the token)');
  if (!(a.wrap && a.unwrap) && !(a.encrypt && a.decrypt)) found.push('it allows neither wrap/unwrap nor encrypt/decrypt');
  return found;
}
