import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, freePort, runCli, startServe } from '../support/cli.js';
import { DIALECTS, TEST_DATABASE_URL, type Dialect } from '../support/databases.js';
import { codeOf, startLoad, type Ledger } from '../support/load-generator.js';

/**
 * The restore drill: a real server under a load generator that creates, verifies, rolls and
 * revokes keys and writes secrets; `tessera backup` runs meanwhile (and a KEK rotation with it);
 * the backup is restored into an empty place and a server started on it. Every write the first
 * server acknowledged before the backup began must be there, every key must verify with the
 * code it had, and the audit chain and its checkpoints must verify.
 */
const PASSPHRASE = 'drill passphrase: correct horse battery staple\n';

function databaseUrl(name: string): string {
  const u = new URL(TEST_DATABASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin(sqlText: string): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  try {
    await c.query(sqlText);
  } finally {
    await c.end();
  }
}

/** Waits for a server to answer /healthz (a loaded machine starts it slowly). */
async function waitUp(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (
      await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no answer from ${url}`);
}

async function api(url: string, rootKey: string, method: string, path: string, body?: unknown) {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${rootKey}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: JSON.parse((await res.text()) || 'null') };
}

/** The archives the drills made, for the tests of refusals and tampering below. */
const archives: Partial<Record<Dialect, { file: string; env: Record<string, string> }>> = {};
const root = mkdtempSync(join(tmpdir(), 'tessera-drill-'));
const databases: string[] = [];

beforeAll(() => buildOnce(), 180_000);
afterAll(async () => {
  for (const name of databases) await admin(`drop database if exists ${name} with (force)`);
  rmSync(root, { recursive: true, force: true });
});

describe.each(DIALECTS)('backup and restore drill on %s', (dialect) => {
  it('restores everything acknowledged before the backup began, taken under load with a KEK rotation', async () => {
    const tag = randomBytes(4).toString('hex');
    const src = join(root, `${dialect}-src`);
    const dst = join(root, `${dialect}-dst`);
    const env: Record<string, string> = { TESSERA_AUDIT_CHECKPOINT_ENTRIES: '40', TESSERA_LOG_LEVEL: 'warn' };
    let dstEnv: Record<string, string> = { TESSERA_LOG_LEVEL: 'warn' };
    if (dialect === 'postgres') {
      const [s, d] = [`tessera_drill_src_${tag}`, `tessera_drill_dst_${tag}`];
      databases.push(s, d);
      await admin(`create database ${s}`);
      await admin(`create database ${d}`);
      env.TESSERA_DATABASE_URL = databaseUrl(s);
      dstEnv = { ...dstEnv, TESSERA_DATABASE_URL: databaseUrl(d) };
    }
    const init = await runCli(['init', '--data-dir', src, '--json'], { env, timeoutMs: 60_000 });
    expect(init.code, init.stderr).toBe(0);
    const { rootKey } = JSON.parse(init.stdout) as { rootKey: string };
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server = await startServe(['--data-dir', src, '--port', String(port)], url, env);
    await waitUp(url);
    let ledger: Ledger;
    let t0: number;
    let tEnd: number;
    const file = join(root, `${dialect}.tbk`);
    try {
      const ks = await api(url, rootKey, 'POST', '/v1/keyspaces', { name: 'drill', prefix: 'drill' });
      expect(ks.status).toBe(201);
      const load = startLoad({ url, rootKey, keyspaceId: ks.body.id });
      // Load first, so the backup starts from a database with some history (at least 3 s and 100 writes).
      const loadStart = Date.now();
      while (Date.now() - loadStart < 3000 || (load.ledger.writes.length < 100 && Date.now() - loadStart < 60_000)) {
        await new Promise((r) => setTimeout(r, 100));
      }
      t0 = performance.now();
      const rotation = new Promise((r) => setTimeout(r, 300)).then(() =>
        runCli(['keyring', 'rotate', '--data-dir', src], { env, timeoutMs: 120_000 }),
      );
      const backup = await runCli(['backup', '--out', file, '--data-dir', src, '--json'], { env, input: PASSPHRASE, timeoutMs: 120_000 });
      tEnd = performance.now();
      const rotated = await rotation;
      ledger = await load.stop();
      expect(backup.code, backup.stderr).toBe(0);
      expect(rotated.code, rotated.stderr).toBe(0);
      expect(ledger.errors).toEqual([]);
      expect(ledger.verifyMismatches).toEqual([]);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readdirSync(root).filter((f) => f.includes('.tmp') || f.includes('.work-'))).toEqual([]);
      const report = JSON.parse(backup.stdout);
      const before = ledger.writes.filter((at) => at < t0).length;
      const during = ledger.writes.filter((at) => at >= t0 && at <= tEnd).length;
      console.log(
        `[${dialect}] backup took ${report.ms} ms (${(report.size / 1024).toFixed(0)} KiB, KEK versions ${report.header.keyring.kekVersions.join(',')}` +
          `${report.restarts ? `, ${report.restarts} copy restart(s)` : ''}); writes acknowledged before it began: ${before}, during it: ${during}; ` +
          `live verifications: ${ledger.verifies}`,
      );
      expect(before).toBeGreaterThanOrEqual(100);
      // The source instance records that a backup was taken.
      const exported = await runCli(['audit', 'export', '--url', url], { env: { TESSERA_ROOT_KEY: rootKey } });
      expect(exported.stdout).toMatch(/"action":"backup\.created"/);
    } finally {
      await server.stop();
    }
    archives[dialect] = { file, env: dstEnv };

    const verified = await runCli(['backup', 'verify', file, '--json'], { env: dstEnv, input: PASSPHRASE, timeoutMs: 120_000 });
    expect(verified.code, verified.stderr).toBe(0);

    const restored = await runCli(['restore', file, '--data-dir', dst, '--json'], { env: dstEnv, input: PASSPHRASE, timeoutMs: 120_000 });
    expect(restored.code, restored.stderr).toBe(0);
    expect(statSync(join(dst, 'keyring.json')).mode & 0o777).toBe(0o600);

    const port2 = await freePort();
    const url2 = `http://127.0.0.1:${port2}`;
    const again = await startServe(['--data-dir', dst, '--port', String(port2)], url2, dstEnv);
    await waitUp(url2);
    try {
      let keysChecked = 0;
      let exact = 0;
      let writesChecked = 0;
      for (const [keyId, entry] of ledger.keys) {
        const acked = entry.events.filter((e) => e.at < t0);
        if (acked.length === 0) continue; // made after the backup began: may or may not be in it
        const later = entry.events.filter((e) => e.at >= t0);
        const allowed = new Set([acked[acked.length - 1]!.state, ...later.map((e) => e.state)].map(codeOf));
        const v = await api(url2, rootKey, 'POST', '/v1/keys/verify', { key: entry.key });
        expect(v.status).toBe(200);
        const code = v.body.valid ? 'VALID' : v.body.code;
        expect(allowed, `key ${keyId} verified ${code}`).toContain(code);
        if (later.length === 0) exact++;
        keysChecked++;
        writesChecked += acked.length - (entry.fromRoll ? 1 : 0);
      }
      let secretsChecked = 0;
      for (const [name, versions] of ledger.secrets) {
        for (const [version, { value, at }] of versions) {
          if (at >= t0) continue;
          const got = await api(url2, rootKey, 'GET', `/v1/secrets/${name}?version=${version}`);
          expect(got.status, `${name} v${version}`).toBe(200);
          expect(got.body.value).toBe(value);
          secretsChecked++;
          writesChecked++;
        }
      }
      const audit = await api(url2, rootKey, 'GET', '/v1/audit/verify');
      expect(audit.body.ok).toBe(true);
      expect(audit.body.checkpoints.checked).toBeGreaterThan(0);
      const writesBefore = ledger.writes.filter((at) => at < t0).length;
      // Every write acknowledged before the backup began was checked above, none left out.
      expect(writesChecked).toBe(writesBefore);
      console.log(
        `[${dialect}] after restore: ${keysChecked} keys verified (${exact} with no later change), ${secretsChecked} secret versions read back, ` +
          `audit chain of ${audit.body.checked} entries and ${audit.body.checkpoints.checked} checkpoints intact; ${writesChecked} of the ${writesBefore} writes acknowledged before the backup checked and present`,
      );
      expect(keysChecked).toBeGreaterThan(0);
      expect(secretsChecked).toBeGreaterThan(0);
    } finally {
      await again.stop();
    }

    if (dialect === 'postgres') {
      // The target schema holds the restored instance now: a second restore into it is refused.
      const twice = await runCli(['restore', file, '--data-dir', join(root, 'pg-twice')], {
        env: dstEnv,
        input: PASSPHRASE,
        timeoutMs: 60_000,
      });
      expect(twice.code).toBe(1);
      expect(twice.stderr).toMatch(/schema public of the target database is not empty/);
      expect(existsSync(join(root, 'pg-twice', 'keyring.json'))).toBe(false);
    }
  }, 600_000);
});

describe('backup archives that must be refused', () => {
  const sqlite = () => archives.sqlite!;

  it('restores only into an empty data dir, and leaves a non-empty one as it was', async () => {
    const target = join(root, 'occupied');
    mkdirSync(target);
    writeFileSync(join(target, 'notes.txt'), 'mine');
    const r = await runCli(['restore', sqlite().file, '--data-dir', target], { input: PASSPHRASE, timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/data dir .* is not empty/);
    expect(readdirSync(target)).toEqual(['notes.txt']);
  }, 120_000);

  it('says clearly when the passphrase is wrong, and restores nothing', async () => {
    const v = await runCli(['backup', 'verify', sqlite().file], { input: 'not the right passphrase\n', timeoutMs: 60_000 });
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/the backup passphrase is wrong/);
    const target = join(root, 'wrong-pass');
    const r = await runCli(['restore', sqlite().file, '--data-dir', target], { input: 'not the right passphrase\n', timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the backup passphrase is wrong/);
    expect(existsSync(join(target, 'tessera.db'))).toBe(false);
    const short = await runCli(['backup', 'verify', sqlite().file], { input: 'short\n', timeoutMs: 60_000 });
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/at least 12 characters/);
  }, 120_000);

  it('fails backup verify on an archive altered anywhere: database part, header, keyring part, length', async () => {
    const original = readFileSync(sqlite().file);
    const headerEnd = original.indexOf(0x0a, original.indexOf(0x0a) + 1);
    const header = JSON.parse(original.subarray(original.indexOf(0x0a) + 1, headerEnd).toString('utf8'));
    const dbStart = headerEnd + 1 + header.parts[0].length;
    const cases: [string, Buffer, RegExp][] = [
      ['a byte of the database part', flip(original, dbStart + 5000), /does not match its checksum/],
      [
        'the header',
        Buffer.from(original.toString('latin1').replace(`"auditSeq":${header.auditSeq}`, `"auditSeq":${header.auditSeq + 1}`), 'latin1'),
        /header or keyring part was altered/,
      ],
      ['a byte of the keyring part', flip(original, headerEnd + 20), /header or keyring part was altered/],
      ['its end', original.subarray(0, original.length - 100), /truncated/],
    ];
    for (const [what, bytes, message] of cases) {
      const file = join(root, 'tampered.tbk');
      writeFileSync(file, bytes);
      const r = await runCli(['backup', 'verify', file], { input: PASSPHRASE, timeoutMs: 60_000 });
      expect(r.code, what).toBe(1);
      expect(r.stderr, what).toMatch(message);
    }
  }, 180_000);
});

function flip(buf: Buffer, at: number): Buffer {
  const copy = Buffer.from(buf);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}
