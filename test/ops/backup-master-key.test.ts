import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, runCli } from '../support/cli.js';

/**
 * With TESSERA_MASTER_KEY the KEK is not in the keyring file, so not in the backup. The backup
 * proves before writing anything that the KEKs it will need on restore unwrap every key of the
 * snapshot: a master key that lost a version still in use is caught when the backup is taken,
 * not on the day of the restore.
 */
describe('backup of an instance keyed by TESSERA_MASTER_KEY', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-backup-env-'));
  const k1 = randomBytes(32).toString('base64url');
  const k2 = randomBytes(32).toString('base64url');
  const passphrase = 'master key drill passphrase\n';
  beforeAll(() => buildOnce(), 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to write a backup whose wrapped keys the configured KEKs cannot unwrap, and names the key', async () => {
    const src = join(dir, 'src');
    expect((await runCli(['init', '--data-dir', src], { env: { TESSERA_MASTER_KEY: k1 }, timeoutMs: 60_000 })).code).toBe(0);
    // The operator adds version 2 and re-wraps: every key is under KEK v2 now.
    const rotated = await runCli(['keyring', 'rotate', '--data-dir', src], {
      env: { TESSERA_MASTER_KEY: `1:${k1},2:${k2}` },
      timeoutMs: 60_000,
    });
    expect(rotated.code, rotated.stderr).toBe(0);

    // A master key that has only the old version cannot open the snapshot: no archive is written.
    const file = join(dir, 'env.tbk');
    const stale = await runCli(['backup', '--out', file, '--data-dir', src], {
      env: { TESSERA_MASTER_KEY: `1:${k1}` },
      input: passphrase,
      timeoutMs: 60_000,
    });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/key .* \(KEK v2\) does not unwrap with the keyring/);
    expect(existsSync(file)).toBe(false);

    const good = await runCli(['backup', '--out', file, '--data-dir', src, '--json'], {
      env: { TESSERA_MASTER_KEY: `2:${k2}` },
      input: passphrase,
      timeoutMs: 60_000,
    });
    expect(good.code, good.stderr).toBe(0);
    expect(JSON.parse(good.stdout).header.keyring).toMatchObject({ source: 'env', kekVersions: [2] });

    // Restoring needs the master key, which the archive does not hold.
    const without = await runCli(['restore', file, '--data-dir', join(dir, 'a')], { input: passphrase, timeoutMs: 60_000 });
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/TESSERA_MASTER_KEY, which is not in the backup/);
    const restored = await runCli(['restore', file, '--data-dir', join(dir, 'b')], {
      env: { TESSERA_MASTER_KEY: `2:${k2}` },
      input: passphrase,
      timeoutMs: 60_000,
    });
    expect(restored.code, restored.stderr).toBe(0);
  }, 240_000);
});
