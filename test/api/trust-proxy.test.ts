import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@tessera/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, freePort, startServe } from '../support/cli.js';
import { startTestServer } from '../support/server.js';

/**
 * Behind a proxy, the client's address comes from X-Forwarded-For. `TESSERA_TRUST_PROXY=true`
 * takes its left-most entry, which the client writes itself: every IP allowlist, rate limit by
 * address, audit entry and anomaly detector then sees whatever address a caller claims.
 */
describe('TESSERA_TRUST_PROXY', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-proxy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The source address the audit log recorded for a change made with these headers. */
  async function seenAs(trustProxy: string, forwardedFor: string): Promise<string> {
    const s = await startTestServer('sqlite', { env: { TESSERA_TRUST_PROXY: trustProxy } });
    try {
      const res = await fetch(`${s.url}/v1/keyspaces`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.rootKey}`, 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
        body: JSON.stringify({ name: 'proxied', prefix: 'px' }),
      });
      expect(res.status).toBe(201);
      return (await s.api('GET', '/v1/audit?action=keyspace.created')).body.items[0].ip;
    } finally {
      await s.close();
    }
  }

  it('takes the address the trusted proxies saw: by hop count, or by their addresses', async () => {
    // The client claims 198.51.100.7; the one proxy in front (loopback here) saw 203.0.113.9.
    expect(await seenAs('1', '198.51.100.7, 203.0.113.9')).toBe('203.0.113.9');
    expect(await seenAs('127.0.0.1/8, ::1', '198.51.100.7, 203.0.113.9')).toBe('203.0.113.9');
    expect(await seenAs('true', '198.51.100.7, 203.0.113.9')).toBe('198.51.100.7'); // what the warning is about
  });

  it('refuses a list entry that is not an address, a CIDR or a named range', () => {
    const env = { TESSERA_DATA_DIR: dir };
    expect(() => loadConfig({ ...env, TESSERA_TRUST_PROXY: '10.0.0.0/8, proxy.internal' })).toThrow(/TESSERA_TRUST_PROXY/);
    expect(() => loadConfig({ ...env, TESSERA_TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TESSERA_TRUST_PROXY/);
    expect(loadConfig({ ...env, TESSERA_TRUST_PROXY: '10.0.0.0/8,loopback, fd00::/8' }).trustProxy).toBe('10.0.0.0/8,loopback, fd00::/8');
  });

  describe('at start-up', () => {
    beforeAll(() => buildOnce(), 120_000);

    it('warns loudly when it is true', async () => {
      const port = await freePort();
      const s = await startServe(['--data-dir', join(dir, 'serve'), '--port', String(port)], `http://127.0.0.1:${port}`, {
        TESSERA_TRUST_PROXY: 'true',
      });
      try {
        // Start-up on a loaded machine can outlast the helper's wait for /healthz: wait for the line itself.
        await expect.poll(() => s.output(), { timeout: 60_000, interval: 200 }).toMatch(/INSECURE: TESSERA_TRUST_PROXY=true/);
      } finally {
        await s.stop();
      }
    }, 90_000);
  });
});
