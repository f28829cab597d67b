import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createKeyringFile, loadKeyringFile, RootKeyService, LocalInvalidationBus, systemClock, type Keyring } from '@tessera/core';
import { KyselyStore } from '@tessera/store';
import type { Config } from './config.js';

/** Where an instance keeps its files. */
export function keyringPath(config: Config): string {
  return join(config.dataDir, 'keyring.json');
}

export function openStore(config: Config): KyselyStore {
  if (config.databaseUrl !== undefined) return KyselyStore.open({ kind: 'postgres', url: config.databaseUrl, schema: config.databaseSchema });
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  return KyselyStore.open({ kind: 'sqlite', file: join(config.dataDir, 'tessera.db') });
}

export function isInitialised(config: Config): boolean {
  return existsSync(keyringPath(config));
}

/**
 * Creates the keyring, the schema and the first root key. Fails if the instance exists already:
 * re-running init must never replace the keyring that every stored hash depends on.
 */
export async function initInstance(config: Config): Promise<{ rootKey: string; rootKeyId: string }> {
  if (isInitialised(config)) throw new Error(`Tessera is already initialised in ${config.dataDir} (a keyring exists there).`);
  const store = openStore(config);
  try {
    await store.migrate();
    if ((await store.countRootKeys()) > 0) throw new Error('The database already holds root keys; it belongs to another instance.');
    const keyring = createKeyringFile(keyringPath(config));
    const rootKeys = new RootKeyService({ store, keyring, clock: systemClock, bus: new LocalInvalidationBus() });
    const { record, key } = await rootKeys.bootstrap();
    return { rootKey: key, rootKeyId: record.id };
  } finally {
    await store.close();
  }
}

/** Opens an initialised instance: loads the keyring, migrates the store. */
export async function openInstance(config: Config): Promise<{ store: KyselyStore; keyring: Keyring }> {
  const keyring = loadKeyringFile(keyringPath(config));
  const store = openStore(config);
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return { store, keyring };
}
