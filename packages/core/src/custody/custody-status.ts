import { INSTANCE_SCOPE, type EnvelopeKeyring } from './envelope-keyring.js';

/**
 * What the console shows of the keyring: the KEK provider and versions, the pepper versions and
 * the data keys of the user's workspace and of the instance — numbers and states, never a key.
 * A data key version is `current` (new ciphertexts use it) or `retired` (it only decrypts older
 * ones); `rewrapPending` says it is still wrapped under an older KEK version than the current one.
 */
export async function keyringStatus(keyring: EnvelopeKeyring, workspaceId: string) {
  const s = await keyring.status();
  const mine = s.dataKeys.filter((k) => k.scope === workspaceId || k.scope === INSTANCE_SCOPE);
  const newest = new Map<string, number>();
  for (const k of mine) newest.set(k.scope, Math.max(newest.get(k.scope) ?? 0, k.version));
  return {
    provider: s.provider,
    kekVersion: s.kekVersion,
    pepperVersion: s.pepperVersion,
    pepperVersions: [...keyring.pepperVersions],
    dataKeys: mine
      .sort((a, b) => a.scope.localeCompare(b.scope) || b.version - a.version)
      .map((k) => ({
        scope: k.scope,
        version: k.version,
        kekVersion: k.kekVersion,
        state: k.version === newest.get(k.scope) ? ('current' as const) : ('retired' as const),
        rewrapPending: k.kekVersion < s.kekVersion,
      })),
  };
}
