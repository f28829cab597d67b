import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, runCli } from '../support/cli.js';
import { createSoftHsmToken, type SoftHsmToken } from '../custody/support/softhsm.js';

/**
 * A backup of an instance whose KEK is in an HSM (SoftHSM2): with `--hsm` the archive key is
 * wrapped by that KEK, so no passphrase is involved, and the backup opens only where the same
 * token is configured. The keyring part holds the descriptor only: the KEK never leaves the token.
 */
describe('backup and restore with the KEK in a PKCS#11 token', () => {
  let token: SoftHsmToken;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(() => {
    buildOnce();
    token = createSoftHsmToken('tessera-backup');
    dir = mkdtempSync(join(tmpdir(), 'tessera-backup-hsm-'));
    env = {
      SOFTHSM2_CONF: token.conf,
      TESSERA_KEYRING_PROVIDER: 'pkcs11',
      TESSERA_PKCS11_MODULE: token.module,
      TESSERA_PKCS11_TOKEN_LABEL: token.label,
      TESSERA_PKCS11_PIN: token.pin,
    };
  }, 180_000);
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    token?.remove();
  });

  it('wraps the archive key with the HSM, verifies and restores with it, and refuses without it', async () => {
    const src = join(dir, 'src');
    const init = await runCli(['init', '--data-dir', src, '--json'], { env, timeoutMs: 60_000 });
    expect(init.code, init.stderr).toBe(0);

    const file = join(dir, 'hsm.tbk');
    const backup = await runCli(['backup', '--hsm', '--out', file, '--data-dir', src, '--json'], { env, timeoutMs: 60_000 });
    expect(backup.code, backup.stderr).toBe(0);
    const header = JSON.parse(readFileSync(file).toString('latin1').split('\n')[1]!);
    expect(header.protection).toMatchObject({ kind: 'pkcs11', kekVersion: 1 });
    expect(header.keyring.source).toBe('pkcs11');
    expect(backup.stdout).toMatch(/"source":"pkcs11"/);

    const verified = await runCli(['backup', 'verify', file], { env, timeoutMs: 60_000 });
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/Backup OK.*\n.*audit chain intact/);

    const without = await runCli(['backup', 'verify', file], { timeoutMs: 60_000 });
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/protected by a PKCS#11 KEK: configure the same HSM/);

    const dst = join(dir, 'dst');
    const restored = await runCli(['restore', file, '--data-dir', dst], { env, timeoutMs: 60_000 });
    expect(restored.code, restored.stderr).toBe(0);
    const status = await runCli(['keyring', 'status', '--data-dir', dst, '--json'], { env, timeoutMs: 60_000 });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ provider: 'pkcs11', kekVersion: 1 });
    const audit = await runCli(['audit', 'verify', '--offline', '--data-dir', dst, '--json'], { env, timeoutMs: 60_000 });
    expect(audit.code, audit.stderr).toBe(0);
    expect(JSON.parse(audit.stdout).ok).toBe(true);
  }, 240_000);

  it('a passphrase backup of an HSM instance needs the same HSM to restore: the KEK is not in it', async () => {
    const src = join(dir, 'src');
    const file = join(dir, 'pass.tbk');
    const passphrase = 'hsm instance, passphrase archive\n';
    const backup = await runCli(['backup', '--out', file, '--data-dir', src], { env, input: passphrase, timeoutMs: 60_000 });
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/The KEK is not in the backup: it stays in the HSM/);
    const refused = await runCli(['restore', file, '--data-dir', join(dir, 'nohsm')], { input: passphrase, timeoutMs: 60_000 });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/keeps its KEK in a PKCS#11 token: configure the same HSM/);
  }, 120_000);
});
