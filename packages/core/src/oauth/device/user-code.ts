import { randomInt } from 'node:crypto';
import type { Keyring } from '../../custody/envelope-keyring.js';
import type { DeviceAuthorizationRepos } from '../device-authorization-repos.js';
import type { DeviceAuthorizationRecord } from '../people/end-user-records.js';

/**
 * RFC 8628 §6.1: twenty consonants — no vowels, so no words are spelled, and none of the letters
 * people mistake for digits or each other when they read them off a screen (no I, O, U, Y; no
 * digits at all). Eight of them make 20^8 ≈ 2.6 × 10^10 codes, entered under a per-network limit.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;

/** A fresh user code, normalised (eight letters, no separator). */
export function newUserCode(): string {
  let code = '';
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return code;
}

/** How the code is shown: `WDJB-MJHT`. */
export function displayUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * What the user typed, normalised as RFC 8628 §6.1 asks: case-insensitive, and characters outside
 * the alphabet (dashes, spaces) ignored. Undefined when it cannot be a user code.
 */
export function normaliseUserCode(typed: string): string | undefined {
  if (typed.length > 64) return undefined;
  const code = typed.toUpperCase().replace(/[^A-Z]/g, '');
  if (code.length !== USER_CODE_LENGTH || [...code].some((c) => !USER_CODE_ALPHABET.includes(c))) return undefined;
  return code;
}

/** The device authorization of a normalised user code, under any pepper version the code may have been hashed with. */
export async function findByUserCode(
  deps: { store: Pick<DeviceAuthorizationRepos, 'findDeviceAuthorizationByUserCode'>; keyring: Keyring },
  code: string,
): Promise<DeviceAuthorizationRecord | undefined> {
  for (const v of deps.keyring.pepperVersions) {
    const found = await deps.store.findDeviceAuthorizationByUserCode(deps.keyring.hash('device_user_code', code, v));
    if (found !== undefined) return found;
  }
  return undefined;
}
