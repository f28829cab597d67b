import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, buildServer, childEnv, spawnNode, stopNode, type ProcessNode } from '../scale/support/process-node.js';
import { createSoftHsmToken, type SoftHsmToken } from './support/softhsm.js';

/**
 * Key custody end to end, through the `tessera` command: the KEK in SoftHSM2, secrets stored and
 * read through the CLI, the KEK and the pepper rotated while keys keep verifying, a restart, and
 * the audit log proven intact.
 */
describe('tessera with its KEK in SoftHSM2, end to end', () => {
  let token: SoftHsmToken;
  let dataDir: string;
  let env: Record<string, string>;
  let rootKey: string;
  let node: ProcessNode | undefined;

  const run = (args: string[], input?: string, extra: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      env: childEnv({ ...env, ...(node && { TESSERA_URL: node.url }), TESSERA_ROOT_KEY: rootKey ?? '', ...extra }),
      input: input ?? '',
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  beforeAll(() => {
    buildServer();
    token = createSoftHsmToken('tessera-cli');
    dataDir = mkdtempSync(join(tmpdir(), 'tessera-cli-hsm-'));
    env = {
      SOFTHSM2_CONF: token.conf,
      TESSERA_DATA_DIR: dataDir,
      TESSERA_KEYRING_PROVIDER: 'pkcs11',
      TESSERA_PKCS11_MODULE: token.module,
      TESSERA_PKCS11_TOKEN_LABEL: token.label,
      TESSERA_PKCS11_PIN: token.pin,
    };
  }, 180_000);
  afterAll(async () => {
    await stopNode(node);
    rmSync(dataDir, { recursive: true, force: true });
    token.remove();
  });

  it('runs init, secrets, rotation, restart and audit verification', async () => {
    const init = run(['init', '--json']);
    expect(init.stderr).toBe('');
    rootKey = JSON.parse(init.stdout).rootKey;
    node = await spawnNode(dataDir, { ...env, SOFTHSM2_CONF: token.conf }, rootKey);

    expect(run(['secrets', 'put', 'payments/stripe', '--rotate-by', '2030-01-01T00:00:00Z'], 'sk_live_from_stdin_1\n').stdout).toContain(
      'version 1',
    );
    expect(run(['secrets', 'put', 'payments/stripe'], 'sk_live_from_stdin_2\n').stdout).toContain('version 2');
    expect(run(['secrets', 'get', 'payments/stripe']).stdout).toBe('sk_live_from_stdin_2');
    expect(run(['secrets', 'get', 'payments/stripe', '--version', '1']).stdout).toBe('sk_live_from_stdin_1');
    const list = run(['secrets', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: 'payments/stripe', version: 2, versions: [1, 2] })]);
    expect(list.stdout).not.toContain('sk_live_from_stdin');
    const empty = run(['secrets', 'put', 'x/y'], '');
    expect(empty.status).toBe(2);

    const ks = await node.api('POST', '/v1/keyspaces', { name: 'prod', prefix: 'sk_prod' });
    const before = await node.api('POST', '/v1/keys', { keyspaceId: ks.body.id });

    // Rotation runs on the instance beside the running server.
    const rotate = run(['keyring', 'rotate', '--kek', '--data-keys', '--pepper']);
    expect(rotate.status).toBe(0);
    expect(rotate.stdout).toMatch(/KEK is now version 2; \d+ keys re-wrapped/);
    expect(rotate.stdout).toContain('Pepper is now version 2');
    const status = JSON.parse(run(['keyring', 'status', '--json']).stdout);
    expect(status).toMatchObject({ provider: 'pkcs11', kekVersion: 2, pepperVersion: 2 });

    await stopNode(node);
    node = await spawnNode(dataDir, { ...env, SOFTHSM2_CONF: token.conf }, rootKey);
    expect(run(['secrets', 'get', 'payments/stripe']).stdout).toBe('sk_live_from_stdin_2');
    const after = await node.api('POST', '/v1/keys', { keyspaceId: ks.body.id });
    expect(run(['verify'], `${before.body.key}\n`).stdout).toMatch(/^VALID/);
    expect(run(['verify'], `${after.body.key}\n`).stdout).toMatch(/^VALID/);

    expect(run(['secrets', 'rm', 'payments/stripe']).status).toBe(0);
    expect(run(['secrets', 'get', 'payments/stripe']).status).toBe(1);

    const verify = run(['audit', 'verify']);
    expect(verify.status).toBe(0);
    expect(verify.stdout).toMatch(/^Audit chain intact: \d+ entries verified\. \d+ signed checkpoints hold/);
    const exported = run(['audit', 'export', '--checkpoints']);
    const lines = exported.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.action)).toEqual(
      expect.arrayContaining(['secret.written', 'secret.read', 'secret.deleted', 'keyring.kek_rotated', 'keyring.pepper_rotated']),
    );
    expect(exported.stdout).not.toContain('sk_live_from_stdin');

    await stopNode(node);
    node = undefined;
    const offline = run(['audit', 'verify', '--offline']);
    expect(offline.status).toBe(0);
  }, 180_000);

  it('names a wrong PIN clearly', () => {
    const r = run(['keyring', 'status'], '', { TESSERA_PKCS11_PIN: '999999' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`the PIN for the PKCS#11 token "${token.label}" is wrong`);
    expect(r.stderr).not.toContain('999999');
  });
});
