import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';

// `tessera workspaces …` and `--workspace`, run in-process against a real server.
describe('tessera workspaces', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
    process.env.TESSERA_URL = s.url;
    process.env.TESSERA_ROOT_KEY = s.rootKey;
  });
  afterAll(async () => {
    delete process.env.TESSERA_URL;
    delete process.env.TESSERA_ROOT_KEY;
    await s?.close();
  });

  const run = runInProcess;
  const json = async (...argv: string[]) => {
    const r = await run(...argv, '--json');
    expect(r, r.err).toMatchObject({ code: 0 });
    return JSON.parse(r.out);
  };

  it('creates a workspace with its first root key shown once, lists and renames it', async () => {
    const made = await run('workspaces', 'create', 'payments', '--root-key-permissions', 'keyspaces:read,workspaces:read');
    expect(made.code, made.err).toBe(0);
    const id = /Created workspace (ws_\w+) \(payments\)/.exec(made.out)![1]!;
    const key = /\n {2}(tessera_root_\w+)\n/.exec(made.out)![1]!;
    const mine = await json('workspaces', 'list', '--root-key', key);
    expect(mine.items).toMatchObject([{ id, name: 'payments' }]);
    const listed = await run('workspaces', 'list');
    expect(listed.out).toContain(id);
    expect(listed.out).toContain('ws_default');
    expect(await json('workspaces', 'rename', id, 'payments team')).toMatchObject({ id, name: 'payments team' });
    expect((await json('workspaces', 'list', '--root-key', key)).items[0].name).toBe('payments team');
  });

  it('pages with --limit, and follows every page with --all', async () => {
    for (const n of [1, 2, 3]) await json('workspaces', 'create', `paged ${n}`);
    const page = await run('workspaces', 'list', '--limit', '2', '--json');
    expect(JSON.parse(page.out).items).toHaveLength(2);
    expect(page.err).toContain('--all');
    const all = await json('workspaces', 'list', '--limit', '2', '--all');
    expect(all.items.length).toBeGreaterThanOrEqual(4);
    expect(all.nextCursor).toBeNull();
  });

  it('acts in another workspace the root key reaches with --workspace, and not in one it does not', async () => {
    const made = await json('workspaces', 'create', 'elsewhere');
    const ks = await json('keyspaces', 'create', '--name', 'there', '--prefix', 'sk_there', '--workspace', made.workspace.id);
    expect(ks.workspaceId).toBe(made.workspace.id);
    const home = await json('keyspaces', 'list');
    expect(JSON.stringify(home)).not.toContain(ks.id);
    const other = await json('workspaces', 'create', 'closed', '--root-key-permissions', 'keyspaces:read');
    const refused = await run('keyspaces', 'list', '--root-key', other.rootKey.key, '--workspace', made.workspace.id);
    expect(refused).toMatchObject({ code: 1, err: expect.stringContaining('FORBIDDEN') });
    // A root key made to reach the other workspace too acts there.
    const both = await json(
      'root-keys',
      'create',
      '--name',
      'both',
      '--permissions',
      'keyspaces:read',
      '--other-workspaces',
      made.workspace.id,
    );
    const there = await json('keyspaces', 'list', '--root-key', both.key, '--workspace', made.workspace.id);
    expect(JSON.stringify(there)).toContain(ks.id);
  });

  it('prints its own help lines and refuses a bad call', async () => {
    const help = await run('workspaces', '--help');
    expect(help.out).toContain('workspaces create NAME');
    expect(help.out).toContain('workspaces rename ID NAME');
    expect(await run('workspaces', 'rename')).toMatchObject({ code: 2 });
    expect(await run('workspaces', 'create', 'x', '--root-key-name', 'y')).toMatchObject({ code: 2 });
  });
});
