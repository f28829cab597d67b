import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@tessera/server';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * `/metrics` names keyspaces, clients and traffic: open on loopback, and otherwise behind a bearer
 * token or on a listener of its own (both of which Prometheus can scrape). The servers below are
 * real, on loopback; `TESSERA_HOST=0.0.0.0` is the address the server is told it is bound to.
 */
const PUBLIC = { TESSERA_HOST: '0.0.0.0', TESSERA_INSECURE_HTTP: 'true' };
const TOKEN = 'metrics-token-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'tessera-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

async function withServer(env: Record<string, string>, fn: (s: TestServer) => Promise<void>): Promise<void> {
  const server = await startTestServer('sqlite', { env });
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

const scrape = (url: string, token?: string) => fetch(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

describe('/metrics', () => {
  it('is open on loopback', async () => {
    await withServer({}, async (s) => {
      const r = await scrape(`${s.url}/metrics`);
      expect(r.status).toBe(200);
      expect(await r.text()).toContain('tessera_verifications_total');
    });
  });

  it('is refused on an address others can reach when neither a token nor a listener is set', async () => {
    await withServer(PUBLIC, async (s) => {
      const r = await scrape(`${s.url}/metrics`);
      expect(r.status).toBe(403);
      expect(r.headers.get('content-type')).toMatch(/problem\+json/);
      const body = await r.json();
      expect(body.code).toBe('FORBIDDEN');
      expect(body.detail).toMatch(/TESSERA_METRICS_TOKEN or TESSERA_METRICS_LISTEN/);
      expect(await (await scrape(`${s.url}/metrics`, 'a guess')).status).toBe(403);
    });
  });

  it('requires the bearer token when one is set, read from the environment or a file', async () => {
    const file = join(dir, 'metrics-token');
    writeFileSync(file, `${TOKEN}\n`, { mode: 0o600 });
    for (const env of [{ TESSERA_METRICS_TOKEN: TOKEN }, { TESSERA_METRICS_TOKEN_FILE: file }]) {
      await withServer({ ...PUBLIC, ...env }, async (s) => {
        const none = await scrape(`${s.url}/metrics`);
        expect(none.status).toBe(401);
        expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect((await none.json()).code).toBe('UNAUTHORIZED');
        expect((await scrape(`${s.url}/metrics`, `${TOKEN}x`)).status).toBe(401);
        expect((await scrape(`${s.url}/metrics`, TOKEN.slice(0, -1))).status).toBe(401);
        expect((await scrape(`${s.url}/metrics`, s.rootKey)).status).toBe(401);
        const ok = await scrape(`${s.url}/metrics`, TOKEN);
        expect(ok.status).toBe(200);
        expect(await ok.text()).toContain('tessera_verifications_total');
        expect(s.logs.join('')).not.toContain(TOKEN);
      });
    }
    // On loopback too, once a token is set.
    await withServer({ TESSERA_METRICS_TOKEN: TOKEN }, async (s) => {
      expect((await scrape(`${s.url}/metrics`)).status).toBe(401);
    });
  });

  it('moves to a listener of its own with TESSERA_METRICS_LISTEN, which serves nothing else and closes with the server', async () => {
    const port = await freePort();
    const metricsUrl = `http://127.0.0.1:${port}`;
    await withServer({ ...PUBLIC, TESSERA_METRICS_LISTEN: `127.0.0.1:${port}` }, async (s) => {
      expect((await scrape(`${s.url}/metrics`)).status).toBe(404);
      const r = await scrape(`${metricsUrl}/metrics`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await r.text()).toContain('tessera_verifications_total');
      expect((await scrape(`${metricsUrl}/v1/keyspaces`, s.rootKey)).status).toBe(404);
      expect((await fetch(`${metricsUrl}/metrics`, { method: 'POST' })).status).toBe(404);
    });
    await expect(fetch(`${metricsUrl}/metrics`)).rejects.toThrow();

    await withServer({ ...PUBLIC, TESSERA_METRICS_LISTEN: `127.0.0.1:${port}`, TESSERA_METRICS_TOKEN: TOKEN }, async () => {
      expect((await scrape(`${metricsUrl}/metrics`)).status).toBe(401);
      expect((await scrape(`${metricsUrl}/metrics`, TOKEN)).status).toBe(200);
    });
  });

  it('refuses a metrics listener that is not host:port', async () => {
    for (const bad of ['127.0.0.1', '::1:9100', '127.0.0.1:99999', ':9100']) {
      expect(() => loadConfig({ TESSERA_METRICS_LISTEN: bad })).toThrow(/TESSERA_METRICS_LISTEN must be host:port/);
    }
    expect(loadConfig({ TESSERA_METRICS_LISTEN: '[::1]:9100' }).metricsListen).toBe('[::1]:9100');
  });
});
