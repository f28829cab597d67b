import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../support/certificates.js';
import { buildOnce, freePort, runCli, startServe } from '../support/cli.js';

describe('the tessera command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
  beforeAll(() => buildOnce(), 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('init creates a 0600 keyring and prints the root key once; a second init fails clearly', async () => {
    const dataDir = join(dir, 'init');
    const first = await runCli(['init', '--data-dir', dataDir, '--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).rootKey).toMatch(/^tessera_root_[0-9A-Za-z]{49}$/);
    expect(statSync(join(dataDir, 'keyring.json')).mode & 0o777).toBe(0o600);
    const again = await runCli(['init', '--data-dir', dataDir, '--json']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already initialised/);
  });

  it('refuses a keyring that other users can read', async () => {
    const dataDir = join(dir, 'loose');
    expect((await runCli(['init', '--data-dir', dataDir])).code).toBe(0);
    chmodSync(join(dataDir, 'keyring.json'), 0o644);
    const r = await runCli(['migrate', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/readable by other users.*chmod 600/);
  });

  it('answers usage errors with exit code 2 and help', async () => {
    expect((await runCli([])).code).toBe(2);
    const r = await runCli(['keys', 'frobnicate'], { env: { TESSERA_ROOT_KEY: 'x' } });
    expect(r.code).toBe(2);
    expect((await runCli(['--bogus-flag'])).code).toBe(2);
    expect((await runCli(['--help'])).stdout).toMatch(/Usage: tessera/);
    const unreachable = await runCli(['keyspaces', 'list', '--url', 'http://127.0.0.1:1'], { env: { TESSERA_ROOT_KEY: 'tessera_root_x' } });
    expect(unreachable.code).toBe(3);
  });

  it('refuses unknown TESSERA_* settings (typos never pass silently)', async () => {
    const r = await runCli(['migrate', '--data-dir', join(dir, 'typo')], { env: { TESSERA_PROT: '1' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown configuration variable.*TESSERA_PROT/);
  });

  it('refuses plain HTTP off loopback unless --insecure-http is given', async () => {
    const r = await runCli(['serve', '--data-dir', join(dir, 'public'), '--host', '0.0.0.0', '--port', String(await freePort())]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Refusing to serve plain HTTP/);
    const port = await freePort();
    const s = await startServe(
      ['--data-dir', join(dir, 'public2'), '--host', '0.0.0.0', '--port', String(port), '--insecure-http'],
      `http://127.0.0.1:${port}`,
      { TESSERA_CONSOLE_ORIGIN: 'https://tessera.example.test' },
    );
    // Log lines go out in batches, and a loaded machine starts slowly: wait for the line.
    await expect.poll(() => s.output(), { timeout: 30_000 }).toMatch(/INSECURE/);
    // Metrics are not public on an address others can reach, unless a token or a listener of their own is set.
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.status).toBe(403);
    for (let i = 0; i < 50 && !s.output().includes('/metrics is not served'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(s.output()).toMatch(/metrics is not served on 0\.0\.0\.0/);
    await s.stop();
  });

  it("sizes libuv's thread pool to the cores but one (1 to 4) unless UV_THREADPOOL_SIZE is set, and says so at start", async () => {
    const expected = Math.max(1, Math.min(4, availableParallelism() - 1));
    const chosen = process.env.UV_THREADPOOL_SIZE;
    delete process.env.UV_THREADPOOL_SIZE; // this process's own pool is running already; only the child reads it
    const threads: Record<string, number> = {};
    try {
      for (const [name, env, size] of [
        ['default', {}, String(expected)],
        ['three', { UV_THREADPOOL_SIZE: '3' }, '3'],
      ] as const) {
        const port = await freePort();
        const s = await startServe(['--data-dir', join(dir, 'pool'), '--port', String(port)], `http://127.0.0.1:${port}`, env);
        // The pool's threads are real: the process has as many more threads as the size says.
        threads[name] = readdirSync(`/proc/${s.child.pid}/task`).length;
        await s.stop();
        const started = s
          .output()
          .split('\n')
          .filter((l) => l.includes('Tessera listening on'))
          .map((l) => JSON.parse(l) as { threadPool: string });
        expect(started.map((l) => l.threadPool)).toEqual([size]);
      }
      expect(threads.default! - threads.three!).toBe(expected - 3);
    } finally {
      if (chosen !== undefined) process.env.UV_THREADPOOL_SIZE = chosen;
    }
  });

  it('writes log lines in batches, yet a lone line reaches stdout without waiting for others', async () => {
    const port = await freePort();
    const s = await startServe(['--data-dir', join(dir, 'log'), '--port', String(port)], `http://127.0.0.1:${port}`);
    try {
      const before = Date.now();
      await fetch(`http://127.0.0.1:${port}/readyz`);
      // Without the flush timer the line would wait for 4 KiB of others, here until the process exits.
      while (!s.output().includes('"path":"/readyz"') && Date.now() - before < 2000) await new Promise((r) => setTimeout(r, 10));
      expect(s.output()).toContain('"path":"/readyz","status":200');
    } finally {
      await s.stop();
    }
  });

  it('keeps issuing tokens while nobody reads its stdout: log writes never hold the thread pool', async () => {
    const dataDir = join(dir, 'stalled-stdout');
    const { rootKey } = JSON.parse((await runCli(['init', '--data-dir', dataDir, '--json'])).stdout) as { rootKey: string };
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // One pool thread, as on a 2-core machine: were a log write to block on the pipe, signing would wait behind it.
    const s = await startServe(['--data-dir', dataDir, '--port', String(port)], base, { UV_THREADPOOL_SIZE: '1' });
    try {
      const created = await fetch(`${base}/v1/oauth/clients`, {
        method: 'POST',
        headers: { authorization: `Bearer ${rootKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'stalled stdout', scopes: ['read'] }),
      });
      const { clientId, clientSecret } = (await created.json()) as { clientId: string; clientSecret: string };
      const token = () =>
        fetch(`${base}/oauth/token`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: 'grant_type=client_credentials',
          signal: AbortSignal.timeout(5000),
        });
      s.child.stdout!.pause(); // the reader stalls; the pipe (64 KiB) fills with access lines
      const longPath = `/nowhere/${'x'.repeat(8000)}`;
      for (let i = 0; i < 400; i++) expect((await fetch(base + longPath)).status).toBe(404);
      await new Promise((r) => setTimeout(r, 300)); // past the flush timer: the writes have met the full pipe
      for (let i = 0; i < 20; i++) expect((await token()).status).toBe(200);
      s.child.stdout!.resume();
      const lines = () =>
        s
          .output()
          .split('\n')
          .filter((l) => l.includes('"path":"/oauth/token"')).length;
      for (let i = 0; i < 50 && lines() < 20; i++) await new Promise((r) => setTimeout(r, 100));
      expect(lines()).toBe(20); // nothing was lost meanwhile
    } finally {
      s.child.stdout!.resume();
      await s.stop();
    }
  }, 30_000);

  it('serves HTTPS with HSTS when given a certificate', async () => {
    const { cert, key } = selfSignedCertificate(dir);
    const port = await freePort();
    const env = { TESSERA_TLS_CERT: cert, TESSERA_TLS_KEY: key, NODE_TLS_REJECT_UNAUTHORIZED: '0' };
    // The certificate is self-signed: this process's fetch (startServe's readiness check too) takes it.
    const prev = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    const restore = () => {
      if (prev === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = prev;
    };
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    let s: Awaited<ReturnType<typeof startServe>> | undefined;
    try {
      s = await startServe(['--data-dir', join(dir, 'tls'), '--port', String(port)], `https://127.0.0.1:${port}`, env);
      const res = await fetch(`https://127.0.0.1:${port}/healthz`);
      expect(res.status).toBe(200);
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    } finally {
      restore();
      await s?.stop();
    }
  });

  describe('against a running server', () => {
    const dataDir = join(dir, 'served');
    let port: number;
    let url: string;
    let server: Awaited<ReturnType<typeof startServe>>;
    let env: Record<string, string>;

    beforeAll(async () => {
      port = await freePort();
      url = `http://127.0.0.1:${port}`;
      server = await startServe(['--data-dir', dataDir, '--port', String(port)], url);
      const keyFile = join(dataDir, 'initial-root-key');
      const rootKey = readFileSync(keyFile, 'utf8').trim();
      expect(rootKey).toMatch(/^tessera_root_[0-9A-Za-z]{49}$/);
      env = { TESSERA_ROOT_KEY_FILE: keyFile, TESSERA_URL: url };
    });
    afterAll(() => server.stop());

    it('writes the first root key to a 0600 file in the data dir when stdout is no terminal, and logs where, never the key', async () => {
      const keyFile = join(dataDir, 'initial-root-key');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      for (let i = 0; i < 100 && !server.output().includes('first root key'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(server.output()).not.toMatch(/tessera_root_/);
      expect(server.output()).toContain(`The first root key is in ${keyFile}`);
      await server.stop();
      server = await startServe(['--data-dir', dataDir, '--port', String(port)], url);
      expect(server.output()).not.toMatch(/tessera_root_|first root key/);
    });

    it('creates, verifies, rolls and revokes a key', async () => {
      const ks = JSON.parse((await runCli(['keyspaces', 'create', '--name', 'cli', '--prefix', 'cli', '--json'], { env })).stdout);
      const created = await runCli(['keys', 'create', '--keyspace', ks.id, '--owner', 'o1', '--scopes', 'a,b', '--json'], { env });
      expect(created.code).toBe(0);
      const { keyId, key } = JSON.parse(created.stdout);

      const ok = await runCli(['verify', '--scopes', 'a and b'], { env, input: `${key}\n` });
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/^VALID/);
      const scope = await runCli(['verify', '--scopes', 'c', '--json'], { env, input: key });
      expect(scope.code).toBe(1);
      expect(JSON.parse(scope.stdout).code).toBe('INSUFFICIENT_SCOPE');

      const list = await runCli(['keys', 'list', '--keyspace', ks.id], { env });
      expect(list.stdout).toContain(keyId);
      expect(list.stdout).not.toContain(key);

      const rolled = JSON.parse((await runCli(['keys', 'roll', keyId, '--grace', '60', '--json'], { env })).stdout);
      expect(rolled.key).not.toBe(key);
      expect((await runCli(['keys', 'revoke', keyId], { env })).code).toBe(0);
      const revoked = await runCli(['verify', '--json'], { env, input: key });
      expect(JSON.parse(revoked.stdout).code).toBe('REVOKED');
      expect((await runCli(['verify'], { env, input: rolled.key })).code).toBe(0);

      const got = JSON.parse((await runCli(['keys', 'get', keyId, '--json'], { env })).stdout);
      expect(got.revokedAt).not.toBeNull();
      expect(server.output()).not.toContain(key);
    });

    it('verifies the audit chain online and offline', async () => {
      const online = await runCli(['audit', 'verify'], { env });
      expect(online.code).toBe(0);
      expect(online.stdout).toMatch(/Audit chain intact: \d+ entries/);
      const offline = await runCli(['audit', 'verify', '--offline', '--data-dir', dataDir, '--json']);
      expect(JSON.parse(offline.stdout)).toMatchObject({ ok: true });
    });

    it('prints the audit signing keys as a JWK Set, from the server and from the keyring alike', async () => {
      const online = await runCli(['audit', 'public-key'], { env });
      expect(online.code).toBe(0);
      const offline = await runCli(['audit', 'public-key', '--offline', '--data-dir', dataDir]);
      expect(offline.code).toBe(0);
      const jwks = JSON.parse(online.stdout);
      expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', kid: expect.any(String) })]);
      expect(JSON.parse(offline.stdout)).toEqual(jwks);
      expect(online.stdout).not.toMatch(/"d"/);
    });

    it('reports API errors with their code and exit code 1', async () => {
      const r = await runCli(['keys', 'get', 'key_doesnotexist000000000'], { env });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/NOT_FOUND/);
      const bad = await runCli(['keyspaces', 'list'], { env: { TESSERA_URL: url, TESSERA_ROOT_KEY: 'tessera_root_wrong' } });
      expect(bad.stderr).toMatch(/UNAUTHORIZED/);
    });
  });
});
