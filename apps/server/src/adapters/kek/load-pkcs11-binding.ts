import { KeyringError } from '@tessera/core';
import type * as graphene from 'graphene-pk11';

/** What an operator runs to get the PKCS#11 binding (docs/key-custody.md, "Installing the HSM binding"). */
export const PKCS11_INSTALL_HINT =
  'the PKCS#11 keyring needs the optional packages graphene-pk11 and pkcs11js (a native addon built with node-gyp: python3, make and a C++ compiler); ' +
  'install them with npm (npm ci installs both unless --omit=optional) and build the binding once with `npm run build:pkcs11` (docs/key-custody.md)';

/**
 * Loads graphene-pk11, and with it the native binding pkcs11js, only when the PKCS#11 KEK
 * provider is configured: an install that never uses an HSM never builds or loads it. Without
 * the packages, or with the binding not built, it fails with an error that names what to install.
 */
export async function loadPkcs11Binding(specifier = 'graphene-pk11'): Promise<typeof graphene> {
  let mod: { default?: typeof graphene } & typeof graphene;
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const missing = e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND';
    throw new KeyringError(
      `${missing ? `cannot load ${specifier} or its native binding` : `${specifier} failed to load (${e.message})`}: ${PKCS11_INSTALL_HINT}`,
      'config',
    );
  }
  // A CommonJS package: its exports object is the default export of the ES module namespace.
  return mod.default ?? mod;
}
