import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, freePort, runCli, TESSERA_BIN } from '../support/cli.js';

const ROOT_KEY = /tessera_root_[0-9A-Za-z]{49}/;

/**
 * Runs `tessera …` with a pseudo-terminal as its stdout (util-linux `script`), as when a person
 * runs it; resolves with what it printed once `until` matches it or it exits, then ends it.
 */
function onTerminal(args: string[], until: RegExp): Promise<string> {
  const command = [process.execPath, TESSERA_BIN, ...args].map((a) => `'${a}'`).join(' ');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, TESSERA_LOG_LEVEL: 'info' };
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const done = () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      resolve(output);
    };
    const timer = setTimeout(done, 90_000);
    child.stdout!.on('data', (d) => {
      output += d;
      if (until.test(output)) {
        clearTimeout(timer);
        done();
      }
    });
    child.on('error', reject);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(output);
    });
  });
}

describe('the first root key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-first-key-'));
  beforeAll(() => buildOnce(), 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is printed by `init` on a terminal, and no file is written', async () => {
    const dataDir = join(dir, 'init-tty');
    const output = await onTerminal(['init', '--data-dir', dataDir], /keep it safe:[\s\S]*tessera_root_\w{49}/);
    expect(output).toMatch(ROOT_KEY);
    expect(existsSync(join(dataDir, 'keyring.json'))).toBe(true);
    expect(existsSync(join(dataDir, 'initial-root-key'))).toBe(false);
  }, 120_000);

  it('is written to a 0600 file by `init` when stdout is not a terminal, and never overwritten', async () => {
    const dataDir = join(dir, 'init-pipe');
    const r = await runCli(['init', '--data-dir', dataDir], { timeoutMs: 90_000 });
    expect(r.code).toBe(0);
    const file = join(dataDir, 'initial-root-key');
    expect(r.stdout).toBe(
      `Tessera is initialised. The first root key is in ${file} (mode 0600), not in this output: read it, keep it safe, then delete the file.\n`,
    );
    expect(r.stdout + r.stderr).not.toMatch(ROOT_KEY);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const key = readFileSync(file, 'utf8');
    expect(key).toMatch(new RegExp(`^${ROOT_KEY.source}\\n$`));
    expect((await runCli(['init', '--data-dir', dataDir], { timeoutMs: 90_000 })).code).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe(key);
  }, 120_000);

  it('is printed by `init --json` to a pipe, for scripts, and no file is written', async () => {
    const dataDir = join(dir, 'init-json');
    const r = await runCli(['init', '--data-dir', dataDir, '--json'], { timeoutMs: 90_000 });
    expect(JSON.parse(r.stdout).rootKey).toMatch(ROOT_KEY);
    expect(existsSync(join(dataDir, 'initial-root-key'))).toBe(false);
  }, 120_000);

  it('is printed by the first `serve` on a terminal, and no file is written', async () => {
    const dataDir = join(dir, 'serve-tty');
    const output = await onTerminal(['serve', '--data-dir', dataDir, '--port', String(await freePort())], /Tessera listening on/);
    expect(output).toMatch(/This is your root key\. It is shown once, now; keep it safe:\s+tessera_root_\w{49}/);
    expect(existsSync(join(dataDir, 'initial-root-key'))).toBe(false);
  }, 120_000);
});
