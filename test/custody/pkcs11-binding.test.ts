import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeyringError } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPkcs11Binding } from '../../apps/server/src/adapters/kek/load-pkcs11-binding.js';
import { Pkcs11Kek } from '../../apps/server/src/adapters/kek/pkcs11.js';
import { buildServer } from '../scale/support/process-node.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tessera-pkcs11-binding-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Opens an instance in a fresh Node process (this one shares its module cache with other test
 * files), optionally loads the binding after, and prints the CommonJS modules of the binding loaded.
 */
function bindingModulesLoaded(dataDir: string, thenLoadBinding: boolean): string[] {
  const script = `
    import { createRequire } from 'node:module';
    import { initInstance, loadConfig, openInstance } from '@tessera/server';
    const config = loadConfig({ TESSERA_DATA_DIR: ${JSON.stringify(dataDir)}, TESSERA_LOG_LEVEL: 'silent' });
    await initInstance(config);
    const { store, keyring } = await openInstance(config);
    await keyring.close();
    await store.close();
    ${thenLoadBinding ? "await (await import('./apps/server/dist/adapters/kek/load-pkcs11-binding.js')).loadPkcs11Binding();" : ''}
    const cache = createRequire(import.meta.url).cache;
    console.log(JSON.stringify(Object.keys(cache).filter((file) => /[/\\\\](graphene-pk11|pkcs11js)[/\\\\]/.test(file))));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the child failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as string[];
}

/** The PKCS#11 binding is optional: built on demand, loaded only for the pkcs11 KEK provider. */
describe('the optional PKCS#11 binding', () => {
  beforeAll(() => buildServer(), 120_000); // the child runs the built packages

  it('is not loaded by an instance with a local KEK, and is once the provider asks for it', () => {
    expect(bindingModulesLoaded(join(dir, 'local'), false)).toEqual([]);
    // The same check sees the binding once it is loaded: it can fail.
    expect(bindingModulesLoaded(join(dir, 'local-then-binding'), true).some((f) => f.includes('pkcs11js'))).toBe(true);
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
