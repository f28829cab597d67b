import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyringError } from '@tessera/core';
import { initInstance, loadConfig, openInstance } from '@tessera/server';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPkcs11Binding } from '../../apps/server/src/adapters/kek/load-pkcs11-binding.js';
import { Pkcs11Kek } from '../../apps/server/src/adapters/kek/pkcs11.js';

const require = createRequire(import.meta.url);
const pkcs11Loaded = () => Object.keys(require.cache).filter((file) => /[/\\](graphene-pk11|pkcs11js)[/\\]/.test(file));
const dir = mkdtempSync(join(tmpdir(), 'tessera-pkcs11-binding-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The PKCS#11 binding is optional: built on demand, loaded only for the pkcs11 KEK provider. */
describe('the optional PKCS#11 binding', () => {
  it('is not loaded by an instance with a local KEK, and is once the provider asks for it', async () => {
    const config = loadConfig({ TESSERA_DATA_DIR: join(dir, 'local'), TESSERA_LOG_LEVEL: 'silent' });
    await initInstance(config);
    const { store, keyring } = await openInstance(config);
    await keyring.close();
    await store.close();
    expect(pkcs11Loaded()).toEqual([]);
    // The same check sees the binding once it is loaded: it can fail.
    await loadPkcs11Binding();
    expect(pkcs11Loaded().some((f) => f.includes('pkcs11js'))).toBe(true);
  });

  it('names the packages to install and the build command when graphene-pk11 is missing', async () => {
    const err = await Pkcs11Kek.open({ module: '/nonexistent.so', tokenLabel: 't', pin: '1' }, 'graphene-pk11-not-installed').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KeyringError);
    expect((err as KeyringError).reason).toBe('config');
    expect((err as Error).message).toMatch(/graphene-pk11.*pkcs11js.*npm run build:pkcs11/s);
  });

  it('says the same when the package is there but its native addon was never built', async () => {
    // What graphene-pk11 does on load after `npm ci`: require pkcs11js, which requires its .node file.
    const pkg = join(dir, 'unbuilt-binding');
    mkdirSync(pkg);
    writeFileSync(join(pkg, 'index.cjs'), "module.exports = require('./build/Release/pkcs11.node');\n");
    const err = await loadPkcs11Binding(join(pkg, 'index.cjs')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeyringError);
    expect((err as Error).message).toMatch(/cannot load .*index\.cjs or its native binding.*npm run build:pkcs11/s);
  });
});
