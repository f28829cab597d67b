import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, freePort, startServe } from '../support/cli.js';
import { DIALECTS, TEST_DATABASE_URL } from '../support/databases.js';

/**
 * A usage-driven rollover end to end against a real `tessera serve` on the real clock, nothing
 * called in process: the server's own usage recorder sees the new key's first use, and its own
 * jobs retire the old key. The same flow on an injected clock is usage-driven-rollover.test.ts.
 */
describe.each(DIALECTS)('usage-driven rollover against tessera serve (%s)', (dialect) => {
  const schema = `tessera_roll_${randomBytes(5).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'tessera-rollover-'));
  let url: string;
  let rootKey: string;
  let server: Awaited<ReturnType<typeof startServe>> | undefined;
  const withPg = async (sql: string) => {
    const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${rootKey}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const verify = async (key: string) => (await api('POST', '/v1/keys/verify', { key })).body.code as string;

  beforeAll(async () => {
    buildOnce();
    if (dialect === 'postgres') await withPg(`create schema ${schema}`);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const env: Record<string, string> =
      dialect === 'postgres' ? { TESSERA_DATABASE_URL: TEST_DATABASE_URL, TESSERA_DATABASE_SCHEMA: schema } : {};
    server = await startServe(['--data-dir', dir, '--port', String(port)], url, env);
    rootKey = readFileSync(join(dir, 'initial-root-key'), 'utf8').trim();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    if (dialect === 'postgres') await withPg(`drop schema if exists ${schema} cascade`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the old key working until the new one is used, then retires it by itself, shown over the API', async () => {
    const keyspaceId = (await api('POST', '/v1/keyspaces', { name: 'served', prefix: 'sv' })).body.id as string;
    const old = (await api('POST', '/v1/keys', { keyspaceId })).body as { keyId: string; key: string };
    const rolled = await api('POST', `/v1/keys/${old.keyId}/roll`, {
      gracePeriodSeconds: 3600,
      retireWhenUnused: true,
      quietPeriodSeconds: 0,
    });
    expect(rolled.status).toBe(201);
    const next = rolled.body as { keyId: string; key: string };
    // The client has not switched: the old key works, and the server's recorder writes its use.
    expect(await verify(old.key)).toBe('VALID');
    await expect
      .poll(async () => (await api('GET', `/v1/keys/${old.keyId}/rollover`)).body, { timeout: 15_000, interval: 250 })
      .toMatchObject({ state: 'pending_first_use', predecessorLastUsedAt: expect.any(String) });
    expect(await verify(old.key)).toBe('VALID');
    const open = (await api('GET', `/v1/rollovers?keyspaceId=${keyspaceId}&state=open`)).body.items as { predecessorKeyId: string }[];
    expect(open.map((r) => r.predecessorKeyId)).toEqual([old.keyId]);
    // The client switches: with no quiet period, the old key stops at the new one's first use.
    await expect
      .poll(
        async () => {
          expect(await verify(next.key)).toBe('VALID');
          return verify(old.key);
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe('REVOKED');
    const over = (await api('GET', `/v1/keys/${old.keyId}/rollover`)).body;
    expect(over).toMatchObject({ state: 'retired', retiredReason: 'quiet', successorFirstUsedAt: expect.any(String) });
    const entry = (await api('GET', '/v1/audit?action=key.retired&limit=1')).body.items[0];
    expect(entry).toMatchObject({ actor: 'system:rotation', target: old.keyId, details: { successorKeyId: next.keyId } });
    expect((await api('GET', `/v1/rollovers?keyspaceId=${keyspaceId}&state=open`)).body.items).toEqual([]);
    expect(await verify(next.key)).toBe('VALID');
  }, 60_000);
});
