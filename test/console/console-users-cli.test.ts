import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, openInstance } from '@tessera/server';
import { buildOnce, runCli } from '../support/cli.js';

const PASSWORD = 'a long console password';

describe('tessera users workspaces', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-users-workspaces-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sets the workspaces a console user reaches besides its home, only ones that exist, and lists them', async () => {
    buildOnce();
    const env = { TESSERA_DATA_DIR: dir };
    expect((await runCli(['init', '--json'], { env })).code).toBe(0);
    expect((await runCli(['users', 'create', '--email', 'ops@example.test'], { env, input: `${PASSWORD}\n` })).code).toBe(0);
    const instance = await openInstance(loadConfig(env));
    try {
      await instance.store.insertWorkspace({ id: 'ws_0payments000000000000000', name: 'Payments', createdAt: Date.now() });
    } finally {
      await instance.store.close();
      await instance.keyring.close();
    }
    const set = await runCli(['users', 'workspaces', 'Ops@example.test', '--other-workspaces', 'ws_0payments000000000000000', '--json'], {
      env,
    });
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ email: 'ops@example.test', otherWorkspaceIds: ['ws_0payments000000000000000'] });
    expect((await runCli(['users', 'list'], { env })).stdout).toMatch(/ops@example\.test {2}owner {2}also ws_0payments000000000000000/);
    // A workspace that does not exist is refused, and nothing changes.
    const ghost = await runCli(['users', 'workspaces', 'ops@example.test', '--other-workspaces', 'ws_0nowhere0000000000000000'], { env });
    expect(ghost.code).toBe(1);
    expect(ghost.stderr).toContain('No such workspace: ws_0nowhere0000000000000000');
    const none = await runCli(['users', 'workspaces', 'ops@example.test', '--other-workspaces', '', '--json'], { env });
    expect(JSON.parse(none.stdout).otherWorkspaceIds).toEqual([]);
    expect((await runCli(['users', 'workspaces', 'ops@example.test'], { env })).code).toBe(2);
    expect((await runCli(['users', 'workspaces', 'nobody@example.test', '--other-workspaces', ''], { env })).code).toBe(1);
  }, 180_000);
});
