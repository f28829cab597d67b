import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKeyringFile, readKeyringDescriptor, type KekProvider, type KeyringDescriptor } from '@tessera/core';
import type { Config } from '../config.js';
import { keyringPath, openKek } from '../wiring/instance.js';
import { BackupError } from './backup-protection.js';

/**
 * The keyring part of a backup is the instance's keyring file, byte for byte: the KEKs themselves
 * (sealed with TESSERA_KEYRING_PASSPHRASE if the instance seals them), or, for the
 * `TESSERA_MASTER_KEY` and PKCS#11 providers, only the descriptor that names where they are.
 */
export function captureKeyring(config: Config): { bytes: Buffer; descriptor: KeyringDescriptor } {
  const path = keyringPath(config);
  let descriptor: KeyringDescriptor;
  try {
    descriptor = readKeyringDescriptor(path);
  } catch (err) {
    throw new BackupError(`cannot read the keyring of ${config.dataDir}: ${(err as Error).message}`, 'usage');
  }
  return { bytes: readFileSync(path), descriptor };
}

/**
 * Opens the KEK provider of a captured keyring, placed in `folder` as that instance's keyring file,
 * with the provider settings of `config` (the passphrase of a sealed file, TESSERA_MASTER_KEY, the HSM).
 */
export async function openCapturedKek(
  config: Config,
  bytes: Buffer,
  folder: string,
): Promise<{ kek: KekProvider; descriptor: KeyringDescriptor }> {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const scratch: Config = { ...config, dataDir: folder };
  writeFileSync(keyringPath(scratch), bytes, { mode: 0o600, flag: 'wx' });
  let descriptor: KeyringDescriptor;
  try {
    descriptor = readKeyringDescriptor(keyringPath(scratch));
  } catch (err) {
    throw new BackupError(`the keyring part of the backup is not a keyring: ${(err as Error).message}`);
  }
  const provider = descriptor.source === 'pkcs11' ? 'pkcs11' : 'local';
  if (config.keyringProvider !== provider) {
    throw new BackupError(
      descriptor.source === 'pkcs11'
        ? 'the backed-up instance keeps its KEK in a PKCS#11 token: configure the same HSM (TESSERA_KEYRING_PROVIDER=pkcs11, …)'
        : 'the backed-up instance keeps its KEK locally, but the configuration names a PKCS#11 HSM',
      'usage',
    );
  }
  if (descriptor.source === 'env' && config.masterKey === undefined) {
    throw new BackupError(
      'the backed-up instance takes its KEK from TESSERA_MASTER_KEY, which is not in the backup: set it (with every version the backup uses)',
      'usage',
    );
  }
  try {
    return { kek: await openKek(scratch), descriptor };
  } catch (err) {
    throw new BackupError(`cannot open the backed-up keyring: ${(err as Error).message}`, 'usage');
  }
}

/** The configured HSM's KEK, for a backup whose archive key it wraps (no keyring file needed). */
export async function openHsmKek(config: Config, folder: string): Promise<KekProvider> {
  if (config.keyringProvider !== 'pkcs11') {
    throw new BackupError(
      'this backup is protected by a PKCS#11 KEK: configure the same HSM (TESSERA_KEYRING_PROVIDER=pkcs11, …)',
      'usage',
    );
  }
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const scratch: Config = { ...config, dataDir: folder };
  createKeyringFile(join(folder, 'keyring.json'), {
    source: 'pkcs11',
    tokenLabel: config.pkcs11TokenLabel!,
    keyLabel: config.pkcs11KeyLabel ?? 'tessera-kek',
  });
  return await openKek(scratch);
}
