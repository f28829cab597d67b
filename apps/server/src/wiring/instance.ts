import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  createKeyringFile,
  DEFAULT_WORKSPACE_ID,
  EnvelopeKeyring,
  KeyringError,
  LocalInvalidationBus,
  loadAuditSigningKeys,
  loadKeyringFile,
  LocalKek,
  parseMasterKey,
  readKeyringDescriptor,
  RootKeyService,
  systemClock,
  type KekProvider,
} from '@tessera/core';
import { KyselyStore, type StoreConfig } from '@tessera/store';
import type { Config } from '../config.js';
import { Pkcs11Kek } from '../adapters/kek/pkcs11.js';

/** Where an instance keeps its files. */
export function keyringPath(config: Config): string {
  return join(config.dataDir, 'keyring.json');
}

/** Where this node remembers the last audit checkpoint it signed (outside the database). */
export function auditPinPath(config: Config): string {
  return config.auditPinFile ?? join(config.dataDir, 'audit-pin.json');
}

/** The append-only copy of every checkpoint; `undefined` when turned off. */
export function auditCheckpointFilePath(config: Config): string | undefined {
  if (config.auditCheckpointFile === 'off') return undefined;
  return config.auditCheckpointFile ?? join(config.dataDir, 'audit-checkpoints.jsonl');
}

export function openStore(config: Config, onQuery?: StoreConfig['onQuery']): KyselyStore {
  if (config.databaseUrl !== undefined)
    return KyselyStore.open({ kind: 'postgres', url: config.databaseUrl, schema: config.databaseSchema, onQuery });
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  return KyselyStore.open({ kind: 'sqlite', file: join(config.dataDir, 'tessera.db'), onQuery });
}

export function isInitialised(config: Config): boolean {
  return existsSync(keyringPath(config));
}

/**
 * Opens the KEK provider the configuration names. With `create` (init), it also writes the
 * keyring file and — for a key file or an HSM — makes the first KEK.
 */
export async function openKek(config: Config, create = false): Promise<KekProvider> {
  const path = keyringPath(config);
  const expect = (source: string) => {
    const d = readKeyringDescriptor(path);
    if (d.source !== source) {
      throw new KeyringError(
        `this instance keeps its key-encryption key in ${d.source === 'file' ? 'the keyring file' : d.source === 'env' ? 'TESSERA_MASTER_KEY' : 'a PKCS#11 token'}; the configuration says ${source}`,
        'config',
      );
    }
  };
  if (config.keyringProvider === 'pkcs11') {
    if (!create) expect('pkcs11');
    const keyLabel = config.pkcs11KeyLabel ?? 'tessera-kek';
    const kek = await Pkcs11Kek.open({
      module: config.pkcs11Module!,
      tokenLabel: config.pkcs11TokenLabel!,
      pin: config.pkcs11Pin!,
      keyLabel,
      create,
    });
    if (create) createKeyringFile(path, { source: 'pkcs11', tokenLabel: config.pkcs11TokenLabel!, keyLabel });
    return kek;
  }
  if (config.masterKey !== undefined) {
    if (!create) expect('env');
    const kek = new LocalKek(parseMasterKey(config.masterKey), 'env', {
      rotateHint:
        'the key-encryption key comes from TESSERA_MASTER_KEY: add a new version to it ("1:<old>,2:<new>") and run tessera keyring rotate',
    });
    if (create) createKeyringFile(path, { source: 'env' });
    return kek;
  }
  const seal = { passphrase: config.keyringPassphrase };
  return create ? createKeyringFile(path, { source: 'file', seal }).kek! : loadKeyringFile(path, seal);
}

/**
 * Creates the keyring, the schema and the first root key. Fails if the instance exists already:
 * re-running init must never replace the keyring that every stored secret depends on.
 */
export async function initInstance(config: Config): Promise<{ rootKey: string; rootKeyId: string }> {
  if (isInitialised(config)) throw new Error(`Tessera is already initialised in ${config.dataDir} (a keyring exists there).`);
  const store = openStore(config);
  try {
    await store.migrate();
    if ((await store.countRootKeys()) > 0) throw new Error('The database already holds root keys; it belongs to another instance.');
    const keyring = await EnvelopeKeyring.open({ kek: await openKek(config, true), repos: store, create: true });
    try {
      await loadAuditSigningKeys(keyring, store, systemClock, true);
      const rootKeys = new RootKeyService({ store, keyring, clock: systemClock, bus: new LocalInvalidationBus() });
      const { record, key } = await rootKeys.bootstrap();
      // The default workspace's data key, made now, outside any transaction (see ensureDataKey).
      await keyring.ensureDataKey(DEFAULT_WORKSPACE_ID);
      return { rootKey: key, rootKeyId: record.id };
    } finally {
      await keyring.close();
    }
  } finally {
    await store.close();
  }
}

/**
 * What the server logs at start, and `keyring status` prints, while the current pepper is one made
 * before labels (an instance upgraded from 0.1.0). Adding the labelled pepper is left to the
 * operator: a node of the old version still running would hash with it unlabelled.
 */
export const PLAIN_PEPPER_NOTICE =
  'the current pepper hashes without role labels, as release 0.1.0 did: once every node runs this version, run `tessera keyring rotate --pepper` (see docs/key-custody.md, "Labelled peppers")';

/** What `tessera migrate` prints and the server logs at start, for the migrations it applied. */
export function migrationReport(applied: readonly string[]): string {
  return applied.length === 0
    ? 'The database schema is up to date.'
    : `Applied ${applied.length} database migration${applied.length === 1 ? '' : 's'}: ${applied.join(', ')}.`;
}

/** Opens an initialised instance: opens the KEK, migrates the store (naming what it applied), unwraps the keyring. */
export async function openInstance(
  config: Config,
  onQuery?: StoreConfig['onQuery'],
): Promise<{ store: KyselyStore; keyring: EnvelopeKeyring; migrations: string[] }> {
  const kek = await openKek(config);
  const store = openStore(config, onQuery);
  try {
    const migrations = await store.migrate();
    return { store, keyring: await EnvelopeKeyring.open({ kek, repos: store }), migrations };
  } catch (err) {
    await store.close();
    await kek.close();
    throw err;
  }
}
