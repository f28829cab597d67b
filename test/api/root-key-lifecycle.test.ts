import { ManualClock } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** Root keys get what API keys have: expiry, an IP allowlist, a last-used time, and rolling with a grace period. */
describe.each(DIALECTS)('root key lifecycle (%s)', (dialect) => {
  let s: TestServer;
  const clock = new ManualClock(Date.now());
  const iso = (ms: number) => new Date(ms).toISOString();
  const create = (body: Record<string, unknown>, bearer?: string) =>
    s.api('POST', '/v1/root-keys', { name: 'lifecycle', permissions: ['keys:read'], ...body }, bearer);
  const view = async (id: string) => (await s.api('GET', '/v1/root-keys')).body.items.find((k: { id: string }) => k.id === id);
  const works = async (key: string) => (await s.api('GET', '/v1/root-keys', undefined, key)).status !== 401;

  beforeAll(async () => {
    s = await startTestServer(dialect, { clock });
  });
  afterAll(async () => {
    await s?.close();
  });

  describe('expiry', () => {
    it('a root key with an expiry works until then, and is refused (401) after', async () => {
      const r = await create({ permissions: ['root_keys:manage'], expiresAt: iso(clock.now() + 60_000) });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(await works(r.body.key)).toBe(true);
      expect((await view(r.body.id)).expiresAt).toBe(iso(clock.now() + 60_000));
      clock.advance(60_001);
      const after = await s.api('GET', '/v1/root-keys', undefined, r.body.key);
      expect(after.status).toBe(401);
      expect(after.body.detail).toBe('The root key is not valid.');
    });

    it('an expiry in the past is refused; a key cannot outlive the root key that creates it', async () => {
      expect((await create({ expiresAt: iso(clock.now() - 1000) })).body.code).toBe('VALIDATION_FAILED');
      const parent = await create({ permissions: ['root_keys:manage', 'keys:read'], expiresAt: iso(clock.now() + 3_600_000) });
      const forever = await create({}, parent.body.key);
      expect(forever.status).toBe(403);
      expect((await create({ expiresAt: iso(clock.now() + 7_200_000) }, parent.body.key)).status).toBe(403);
      expect((await create({ expiresAt: iso(clock.now() + 1_800_000) }, parent.body.key)).status).toBe(201);
    });
  });

  describe('IP allowlist', () => {
    it('a root key limited to other networks is refused (401) from here; one that lists loopback works', async () => {
      const elsewhere = await create({ permissions: ['root_keys:manage'], ipAllowlist: ['203.0.113.0/24', '2001:db8::/32'] });
      expect(elsewhere.status, JSON.stringify(elsewhere.body)).toBe(201);
      expect(await works(elsewhere.body.key)).toBe(false);
      const here = await create({ permissions: ['root_keys:manage'], ipAllowlist: ['127.0.0.0/8'] });
      expect(await works(here.body.key)).toBe(true);
      expect((await view(here.body.id)).ipAllowlist).toEqual(['127.0.0.0/8']);
    });

    it('a malformed CIDR is a 400', async () => {
      for (const cidr of ['10.0.0.0/33', 'not-an-ip', '::1/129'])
        expect((await create({ ipAllowlist: [cidr] })).body.code, cidr).toBe('VALIDATION_FAILED');
    });
  });

  describe('last used', () => {
    it('is written (off the request path, in a batch) once the root key is used', async () => {
      const r = await create({ permissions: ['root_keys:manage'] });
      expect((await view(r.body.id)).lastUsedAt).toBeNull();
      expect(await works(r.body.key)).toBe(true);
      await s.services.usage.flush();
      expect((await view(r.body.id)).lastUsedAt).toBe(iso(clock.now()));
      const row = await s.services.store.getRootKey(r.body.id);
      expect(row?.lastUsedAt).toBe(clock.now());
    });
  });

  describe('rolling', () => {
    it('gives a new key with the same permissions; the old one works for the grace period, then expires', async () => {
      const old = await create({ permissions: ['root_keys:manage', 'keys:read'], ipAllowlist: ['127.0.0.1'] });
      const rolled = await s.api('POST', `/v1/root-keys/${old.body.id}/roll`, { gracePeriodSeconds: 60 });
      expect(rolled.status, JSON.stringify(rolled.body)).toBe(201);
      expect(rolled.body.key).toMatch(/^tessera_root_/);
      expect(rolled.body.id).not.toBe(old.body.id);
      const fresh = await view(rolled.body.id);
      expect(fresh).toMatchObject({ permissions: ['root_keys:manage', 'keys:read'], ipAllowlist: ['127.0.0.1'], expiresAt: null });
      expect(await view(old.body.id)).toMatchObject({ rolledToId: rolled.body.id, expiresAt: iso(clock.now() + 60_000) });
      expect(await works(old.body.key)).toBe(true);
      expect(await works(rolled.body.key)).toBe(true);
      clock.advance(60_001);
      expect(await works(old.body.key)).toBe(false);
      expect(await works(rolled.body.key)).toBe(true);
      const audit = (await s.api('GET', '/v1/audit?action=root_key.rolled')).body.items;
      expect(audit[0]).toMatchObject({ target: old.body.id, details: { rolledToId: rolled.body.id, gracePeriodSeconds: 60 } });
      expect(JSON.stringify(audit)).not.toContain(rolled.body.key);
    });

    it('needs every permission of the key rolled (the caller receives a copy of it); a revoked or rolled key is a 409', async () => {
      const manager = await create({ permissions: ['root_keys:manage'] });
      const broader = await create({ permissions: ['root_keys:manage', 'audit:read'] });
      // Usage-driven rollovers are for API keys: a root key's roll refuses them rather than ignore them.
      const byUsage = await s.api('POST', `/v1/root-keys/${broader.body.id}/roll`, { gracePeriodSeconds: 60, retireWhenUnused: true });
      expect(byUsage.status).toBe(400);
      expect(byUsage.body.code).toBe('VALIDATION_FAILED');
      const r = await s.api('POST', `/v1/root-keys/${broader.body.id}/roll`, { gracePeriodSeconds: 0 }, manager.body.key);
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('FORBIDDEN');
      const once = await s.api('POST', `/v1/root-keys/${broader.body.id}/roll`, { gracePeriodSeconds: 0 });
      expect(once.status).toBe(201);
      expect((await s.api('POST', `/v1/root-keys/${broader.body.id}/roll`, { gracePeriodSeconds: 0 })).body.code).toBe('CONFLICT');
      await s.api('POST', `/v1/root-keys/${once.body.id}/revoke`);
      expect((await s.api('POST', `/v1/root-keys/${once.body.id}/roll`, { gracePeriodSeconds: 0 })).body.code).toBe('CONFLICT');
      expect((await s.api('POST', '/v1/root-keys/rk_unknown000/roll', { gracePeriodSeconds: 0 })).status).toBe(404);
    });
  });
});
