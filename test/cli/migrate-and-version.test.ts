import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, freePort, runCli as run, startServe } from '../support/cli.js';
import { installV010DataDir } from '../support/v010-fixture.js';

/** The machine may be busy: a CLI start can take seconds. */
const runCli = (args: string[], opts: Parameters<typeof run>[1] = {}) => run(args, { timeoutMs: 90_000, ...opts });
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** A copy of the SQLite data dir release 0.1.0 made (test/fixtures/v0.1.0), which later migrations upgrade. */
function v010DataDir(dataDir: string): void {
  installV010DataDir('sqlite', dataDir);
}

describe('tessera --version and tessera migrate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-migrate-'));
  beforeAll(() => buildOnce(), 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the version with the global --version flag', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`tessera ${version}\n`);
  }, 240_000);

  it('keeps `secrets get NAME --version N` for a secret version', async () => {
    const dataDir = join(dir, 'secrets');
    const { rootKey } = JSON.parse((await runCli(['init', '--data-dir', dataDir, '--json'])).stdout) as { rootKey: string };
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server = await startServe(['--data-dir', dataDir, '--port', String(port)], url);
    try {
      const env = { TESSERA_ROOT_KEY: rootKey, TESSERA_URL: url };
      expect((await runCli(['secrets', 'put', 'db/password', '--json'], { env, input: 'first value' })).code).toBe(0);
      expect((await runCli(['secrets', 'put', 'db/password', '--json'], { env, input: 'second value' })).code).toBe(0);
      expect((await runCli(['secrets', 'get', 'db/password', '--version', '1'], { env })).stdout).toBe('first value');
      expect((await runCli(['secrets', 'get', 'db/password'], { env })).stdout).toBe('second value');
      expect((await runCli(['secrets', 'get', 'db/password', '--version'], { env })).code).toBe(2);
    } finally {
      await server.stop();
    }
  }, 240_000);

  it('lists pending migrations with --dry-run without applying them, applies them, and the server says the same at start', async () => {
    const fresh = join(dir, 'fresh');
    expect((await runCli(['init', '--data-dir', fresh, '--json'])).code).toBe(0);
    expect((await runCli(['migrate', '--dry-run', '--data-dir', fresh])).stdout).toBe('The database schema is up to date.\n');

    const dataDir = join(dir, 'migrate');
    v010DataDir(dataDir);
    const { pending } = JSON.parse((await runCli(['migrate', '--dry-run', '--data-dir', dataDir, '--json'])).stdout) as {
      pending: string[];
    };
    expect(pending.length).toBeGreaterThan(0); // 0.1.0 knew migrations up to 0009
    for (const name of pending) expect(name > '0009').toBe(true);
    const listed = `Pending migrations (${pending.length}): ${pending.join(', ')}.\n`;
    expect((await runCli(['migrate', '--dry-run', '--data-dir', dataDir])).stdout).toBe(listed);
    expect((await runCli(['migrate', '--dry-run', '--data-dir', dataDir])).stdout).toBe(listed); // the dry run applied nothing
    const report = `Applied ${pending.length} database migration${pending.length === 1 ? '' : 's'}: ${pending.join(', ')}.`;
    const applied = await runCli(['migrate', '--data-dir', dataDir]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toBe(`${report}\n`);
    expect((await runCli(['migrate', '--data-dir', dataDir])).stdout).toBe('The database schema is up to date.\n');

    const served = join(dir, 'served');
    v010DataDir(served);
    const port = await freePort();
    const server = await startServe(['--data-dir', served, '--port', String(port)], `http://127.0.0.1:${port}`);
    for (let i = 0; i < 600 && !server.output().includes('migration'); i++) await new Promise((r) => setTimeout(r, 100));
    await server.stop();
    const line = server
      .output()
      .split('\n')
      .find((l) => l.includes('migration'));
    expect(JSON.parse(line!)).toMatchObject({ msg: report, migrations: pending });
  }, 240_000);

  it('refuses a dry run where no instance was initialised, creating nothing', async () => {
    const r = await runCli(['migrate', '--dry-run', '--data-dir', join(dir, 'nothing')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not initialised/);
  }, 240_000);
});
