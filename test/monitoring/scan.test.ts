import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanGitHistory, scanPaths } from '../../apps/server/src/scan/scan-files.js';
import { buildOnce, runCli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
  });

/** A key with the right shape whose checksum is wrong: a scanner must not report it. */
function lookalike(key: string): string {
  const last = key[key.length - 1]!;
  return key.slice(0, -1) + (last === 'a' ? 'b' : 'a');
}

describe('tessera scan', () => {
  let dir: string;
  const inFile = generateKey('sk_live');
  const inHistory = generateKey('sk_test');
  const fake = lookalike(generateKey('sk_live'));

  beforeAll(() => {
    buildOnce();
    dir = mkdtempSync(join(tmpdir(), 'tessera-scan-'));
    git(dir, 'init', '-q', '-b', 'main');
    writeFileSync(join(dir, 'settings.py'), `DEBUG = True\nAPI_KEY = "${inHistory}"\n`);
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'oops');
    writeFileSync(join(dir, 'settings.py'), `DEBUG = True\nAPI_KEY = os.environ["API_KEY"]\n`);
    git(dir, 'commit', '-q', '-am', 'move the key out');
    writeFileSync(join(dir, '.env'), `# local\nNOT_A_KEY=${fake}\nTESSERA_KEY=${inFile}\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds keys in files and in git history, file:line with the key masked, and ignores a checksum-failing look-alike', async () => {
    const r = await runCli(['scan', dir]);
    expect(r.code).toBe(1);
    const commit = git(dir, 'rev-list', '--max-parents=0', 'HEAD').trim().slice(0, 12);
    expect(r.stdout).toContain(`.env:3:13  sk_live_${inFile.slice(8, 12)}…${inFile.slice(-4)}`);
    expect(r.stdout).toContain(`${commit} settings.py:2:12  sk_test_`);
    expect(r.stdout).toContain('2 places, 2 distinct keys.');
    for (const k of [inFile, inHistory, fake]) expect(r.stdout + r.stderr).not.toContain(k);
    expect(r.stdout).not.toContain(fake.slice(8, 12) + '…');
  });

  it('answers JSON, and exit code 0 when nothing is found', async () => {
    const r = await runCli(['scan', dir, '--files-only', '--json']);
    const out = JSON.parse(r.stdout);
    expect(out.findings).toEqual([
      { file: expect.stringMatching(/\.env$/), line: 3, column: 13, masked: expect.stringMatching(/^sk_live_.{4}….{4}$/) },
    ]);
    const clean = mkdtempSync(join(tmpdir(), 'tessera-scan-clean-'));
    writeFileSync(join(clean, 'a.txt'), `nothing here but ${fake}\n`);
    expect((await runCli(['scan', clean])).code).toBe(0);
    rmSync(clean, { recursive: true, force: true });
  });

  it('reports progress: files scanned, and commits read against the count git gives', async () => {
    const files: [number, number][] = [];
    scanPaths([dir], dir, (done, total) => files.push([done, total]));
    expect(files).toEqual([
      [1, 2],
      [2, 2],
    ]);
    const commits: [number, number][] = [];
    const found = await scanGitHistory(dir, (done, total) => commits.push([done, total]));
    expect(found.map((f) => f.key)).toEqual([inHistory]);
    expect(commits.at(-1)).toEqual([2, 2]);
    expect(commits.every(([done, total]) => done >= 1 && done <= total)).toBe(true);
  });

  it('on a large tree off a terminal, writes a progress line at every tenth to stderr and keeps stdout to the findings', async () => {
    const big = mkdtempSync(join(tmpdir(), 'tessera-scan-big-'));
    for (let i = 0; i < 2500; i++) writeFileSync(join(big, `f${i}.txt`), `line ${i}\n`);
    writeFileSync(join(big, 'leak.txt'), `KEY=${inFile}\n`);
    const r = await runCli(['scan', big]);
    rmSync(big, { recursive: true, force: true });
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('scanning files: '));
    expect(lines).toHaveLength(10);
    expect(lines.at(-1)).toBe('scanning files: 2501/2501');
    expect(r.stdout).not.toContain('scanning');
    expect(r.stdout).toContain('1 place, 1 distinct key.');
  });

  describe('--revoke', () => {
    let s: TestServer;
    beforeAll(async () => {
      s = await startTestServer('sqlite');
    });
    afterAll(async () => s?.close());

    it('revokes what it found, with a root key', async () => {
      const ks = (await s.api('POST', '/v1/keyspaces', { name: 'scan', prefix: 'sc_live' })).body.id;
      const { body } = await s.api('POST', '/v1/keys', { keyspaceId: ks });
      const repo = mkdtempSync(join(tmpdir(), 'tessera-scan-revoke-'));
      writeFileSync(join(repo, 'config.json'), JSON.stringify({ key: body.key }, null, 2));
      const r = await runCli(['scan', repo, '--revoke'], { env: { TESSERA_URL: s.url, TESSERA_ROOT_KEY: s.rootKey } });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/sc_live_.{4}….{4}\s+revoked \(key_/);
      expect(r.stdout).not.toContain(body.key);
      expect((await s.api('POST', '/v1/keys/verify', { key: body.key })).body.code).toBe('REVOKED');
      expect((await s.api('GET', `/v1/keys/${body.keyId}`)).body.revokeReason).toBe('leaked: tessera scan');
      rmSync(repo, { recursive: true, force: true });
    });
  });
});
