#!/usr/bin/env node
// Builds pkcs11js, the native PKCS#11 binding under graphene-pk11, on demand. `npm ci` does not
// build it (package.json's allowScripts denies its install script) because only an instance whose
// key-encryption key lives in an HSM needs it. Needs node-gyp's toolchain: make, g++, python3.
// `npm run build:pkcs11`; `npm test` runs it for the HSM suites (scripts/provision-tests.js).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The directory of the pkcs11js package this checkout installed, if any. */
export function pkcs11jsDir() {
  try {
    const graphene = dirname(createRequire(join(ROOT, 'apps/server/package.json')).resolve('graphene-pk11/package.json'));
    return dirname(createRequire(join(graphene, 'package.json')).resolve('pkcs11js/package.json'));
  } catch {
    return undefined;
  }
}

export function pkcs11BindingBuilt() {
  const dir = pkcs11jsDir();
  return dir !== undefined && existsSync(join(dir, 'build/Release/pkcs11.node'));
}

/** Runs the package's own build (node-gyp, as npm bundles it). Returns the exit status. */
export function buildPkcs11Binding() {
  const dir = pkcs11jsDir();
  if (dir === undefined) {
    console.error(
      'graphene-pk11 and pkcs11js are not installed (optional dependencies): run npm ci, or npm install without --omit=optional',
    );
    return 1;
  }
  console.log(`building the PKCS#11 binding in ${dir}`);
  return spawnSync('npm', ['run', 'build', '--prefix', dir], { stdio: 'inherit' }).status ?? 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = buildPkcs11Binding();
}
