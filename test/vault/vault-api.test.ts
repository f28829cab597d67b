import { ManualClock } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe.each(DIALECTS)('secrets vault over HTTP (%s)', (dialect) => {
  let s: TestServer;
  const clock = new ManualClock(Date.parse('2026-03-01T00:00:00Z'));
  beforeAll(async () => {
    s = await startTestServer(dialect, { clock });
  });
  afterAll(() => s.close());

  const rootKeyWith = async (...permissions: string[]) => {
    const r = await s.api('POST', '/v1/root-keys', { name: permissions.join(' '), permissions });
    expect(r.status).toBe(201);
    return r.body.key as string;
  };

  describe('writes and reads', () => {
    it('stores versions and reads the current one or any kept one', async () => {
      expect((await s.api('PUT', '/v1/secrets/payments/stripe', { value: 'sk_live_one' })).body).toEqual({
        name: 'payments/stripe',
        version: 1,
        rotateBy: null,
      });
      expect((await s.api('PUT', '/v1/secrets/payments/stripe', { value: 'sk_live_two' })).body.version).toBe(2);
      const current = await s.api('GET', '/v1/secrets/payments/stripe');
      expect(current.status).toBe(200);
      expect(current.body).toMatchObject({ name: 'payments/stripe', version: 2, value: 'sk_live_two' });
      expect((await s.api('GET', '/v1/secrets/payments/stripe?version=1')).body.value).toBe('sk_live_one');
      expect((await s.api('GET', '/v1/secrets/payments%2Fstripe')).body.value).toBe('sk_live_two');
    });

    it('answers 404 for an unknown secret or version, 400 for a bad name or body', async () => {
      expect((await s.api('GET', '/v1/secrets/nope')).body.code).toBe('NOT_FOUND');
      expect((await s.api('GET', '/v1/secrets/payments/stripe?version=9')).body.code).toBe('NOT_FOUND');
      expect((await s.api('PUT', '/v1/secrets/bad..//name', { value: 'x' })).body.code).toBe('VALIDATION_FAILED');
      expect((await s.api('PUT', `/v1/secrets/${'x'.repeat(201)}`, { value: 'x' })).status).toBe(400);
      expect((await s.api('PUT', '/v1/secrets/ok', { value: '' })).body.code).toBe('VALIDATION_FAILED');
      expect((await s.api('PUT', '/v1/secrets/ok', { value: 'x', extra: 1 })).status).toBe(400);
    });

    it('lists names and versions, never values', async () => {
      const r = await s.api('GET', '/v1/secrets');
      expect(r.status).toBe(200);
      const item = r.body.items.find((i: { name: string }) => i.name === 'payments/stripe');
      expect(item).toMatchObject({ version: 2, versions: [1, 2], rotation: 'none' });
      expect(JSON.stringify(r.body)).not.toContain('sk_live_');
    });

    it('deletes a secret and destroys every version it kept', async () => {
      await s.api('PUT', '/v1/secrets/temp/token', { value: 'tmp-1' });
      await s.api('PUT', '/v1/secrets/temp/token', { value: 'tmp-2' });
      expect((await s.api('DELETE', '/v1/secrets/temp/token')).status).toBe(204);
      expect((await s.api('GET', '/v1/secrets/temp/token?version=1')).status).toBe(404);
      const left = await s.db.store.kysely
        .selectFrom('secret_versions')
        .innerJoin('secrets', 'secrets.id', 'secret_versions.secret_id')
        .select('name')
        .where('name', '=', 'temp/token')
        .execute();
      expect(left).toEqual([]);
      // A new secret of the same name starts over, under a new id.
      expect((await s.api('PUT', '/v1/secrets/temp/token', { value: 'tmp-3' })).body.version).toBe(1);
      expect((await s.api('DELETE', '/v1/secrets/never/was')).status).toBe(404);
    });
  });

  describe('rotation due dates', () => {
    it('reports secrets due (within 7 days) and overdue', async () => {
      const day = 86_400_000;
      await s.api('PUT', '/v1/secrets/rot/fresh', { value: 'a', rotateBy: new Date(clock.now() + 30 * day).toISOString() });
      await s.api('PUT', '/v1/secrets/rot/soon', { value: 'b', rotateBy: new Date(clock.now() + 3 * day).toISOString() });
      await s.api('PUT', '/v1/secrets/rot/late', { value: 'c', rotateBy: new Date(clock.now() - day).toISOString() });
      const due = await s.api('GET', '/v1/secrets?rotation=due');
      const byName = Object.fromEntries(due.body.items.map((i: { name: string; rotation: string }) => [i.name, i.rotation]));
      expect(byName).toEqual({ 'rot/soon': 'due', 'rot/late': 'overdue' });
      // Writing a new version keeps the due date unless told; a new date clears the report.
      await s.api('PUT', '/v1/secrets/rot/late', { value: 'c2', rotateBy: new Date(clock.now() + 90 * day).toISOString() });
      clock.advance(28 * day);
      const later = await s.api('GET', '/v1/secrets?rotation=due');
      expect(later.body.items.map((i: { name: string }) => i.name).sort()).toEqual(['rot/fresh', 'rot/soon']);
    });
  });

  describe('permissions per name pattern', () => {
    it('lets secrets:read:payments/* read payments/… only, and never write', async () => {
      const key = await rootKeyWith('secrets:read:payments/*');
      await s.api('PUT', '/v1/secrets/webhooks/github', { value: 'whsec_gh' });
      expect((await s.api('GET', '/v1/secrets/payments/stripe', undefined, key)).status).toBe(200);
      const other = await s.api('GET', '/v1/secrets/webhooks/github', undefined, key);
      expect(other.status).toBe(403);
      expect(other.body.code).toBe('FORBIDDEN');
      expect((await s.api('PUT', '/v1/secrets/payments/stripe', { value: 'nope' }, key)).status).toBe(403);
      const list = await s.api('GET', '/v1/secrets', undefined, key);
      expect(list.body.items.map((i: { name: string }) => i.name)).toEqual(['payments/stripe']);
    });

    it('lets secrets:write:ci/* write there but not read back', async () => {
      const key = await rootKeyWith('secrets:write:ci/*');
      expect((await s.api('PUT', '/v1/secrets/ci/deploy', { value: 'deploy-token' }, key)).status).toBe(200);
      expect((await s.api('PUT', '/v1/secrets/payments/stripe', { value: 'x' }, key)).status).toBe(403);
      expect((await s.api('GET', '/v1/secrets/ci/deploy', undefined, key)).status).toBe(403);
      expect((await s.api('DELETE', '/v1/secrets/ci/deploy', undefined, key)).status).toBe(204);
    });

    it('refuses keys without any secrets permission, and unknown grant shapes', async () => {
      const key = await rootKeyWith('keys:read');
      expect((await s.api('GET', '/v1/secrets', undefined, key)).status).toBe(403);
      expect((await s.api('GET', '/v1/secrets/payments/stripe', undefined, key)).status).toBe(403);
      expect((await s.api('POST', '/v1/root-keys', { name: 'bad', permissions: ['secrets:peek:x'] })).status).toBe(400);
      expect((await s.api('GET', '/v1/secrets/payments/stripe', undefined, null)).status).toBe(401);
    });
  });

  describe('audit', () => {
    it('writes an entry for every read, naming the version, never the value', async () => {
      await s.api('GET', '/v1/secrets/payments/stripe?version=1');
      const r = await s.api('GET', '/v1/audit?action=secret.read&limit=1');
      expect(r.body.items[0]).toMatchObject({ action: 'secret.read', target: 'payments/stripe', details: { version: 1 } });
      const all = await s.api('GET', '/v1/audit?limit=1000');
      const text = JSON.stringify(all.body);
      for (const v of ['sk_live_one', 'sk_live_two', 'whsec_gh', 'deploy-token']) expect(text).not.toContain(v);
      expect(all.body.items.some((e: { action: string }) => e.action === 'secret.deleted')).toBe(true);
      expect(all.body.items.filter((e: { action: string }) => e.action === 'secret.written').length).toBeGreaterThanOrEqual(8);
    });

    it('keeps values out of the logs', () => {
      const logs = s.logs.join('');
      for (const v of ['sk_live_one', 'sk_live_two', 'whsec_gh', 'deploy-token']) expect(logs).not.toContain(v);
    });
  });

  describe('recoverable keys', () => {
    it('reads a key back only with keys:recover, audited; other keyspaces keep nothing', async () => {
      const ks = await s.api('POST', '/v1/keyspaces', { name: 'partners', prefix: 'pt_live', recoverable: true });
      const plain = await s.api('POST', '/v1/keyspaces', { name: 'plain', prefix: 'pl_live' });
      const k = await s.api('POST', '/v1/keys', { keyspaceId: ks.body.id });
      const rolled = await s.api('POST', `/v1/keys/${k.body.keyId}/roll`, { gracePeriodSeconds: 60 });
      const other = await s.api('POST', '/v1/keys', { keyspaceId: plain.body.id });
      expect((await s.api('GET', `/v1/keys/${k.body.keyId}/recover`)).body).toEqual({ keyId: k.body.keyId, key: k.body.key });
      expect((await s.api('GET', `/v1/keys/${rolled.body.keyId}/recover`)).body.key).toBe(rolled.body.key);
      expect((await s.api('GET', `/v1/keys/${other.body.keyId}/recover`)).body.code).toBe('CONFLICT');
      const reader = await rootKeyWith('keys:read');
      expect((await s.api('GET', `/v1/keys/${k.body.keyId}/recover`, undefined, reader)).status).toBe(403);
      const audit = await s.api('GET', '/v1/audit?action=key.recovered');
      expect(audit.body.items.map((e: { target: string }) => e.target)).toEqual([rolled.body.keyId, k.body.keyId]);
      expect(JSON.stringify(audit.body)).not.toContain(k.body.key);
      await s.api('POST', `/v1/keys/${k.body.keyId}/revoke`, {});
      expect((await s.api('GET', `/v1/keys/${k.body.keyId}/recover`)).body.code).toBe('CONFLICT');
    });
  });
});
