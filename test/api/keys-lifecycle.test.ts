import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { inOneWindow } from '../support/windows.js';

describe.each(DIALECTS)('key lifecycle over HTTP (%s)', (dialect) => {
  let s: TestServer;
  let keyspaceId: string;
  beforeAll(async () => {
    s = await startTestServer(dialect);
    const ks = await s.api('POST', '/v1/keyspaces', { name: 'prod', prefix: 'sk_live' });
    expect(ks.status).toBe(201);
    keyspaceId = ks.body.id;
  });
  afterAll(() => s.close());

  const verify = async (body: Record<string, unknown>) => {
    const r = await s.api('POST', '/v1/keys/verify', body);
    expect(r.status).toBe(200);
    return r.body;
  };

  it('creates a key shown once and verifies it VALID', async () => {
    const created = await s.api('POST', '/v1/keys', {
      keyspaceId,
      ownerId: 'cust_1',
      name: 'main',
      scopes: ['documents:*'],
      meta: { plan: 'pro' },
    });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^sk_live_[0-9A-Za-z]{49}$/);
    const v = await verify({ key: created.body.key });
    expect(v).toMatchObject({ valid: true, code: 'VALID', keyId: created.body.keyId, ownerId: 'cust_1', meta: { plan: 'pro' } });
    const got = await s.api('GET', `/v1/keys/${created.body.keyId}`);
    expect(got.status).toBe(200);
    expect(JSON.stringify(got.body)).not.toContain(created.body.key);
    expect(got.body.start).toMatch(/^sk_live_.{4}….{4}$/);
  });

  it('answers MALFORMED for a bad checksum and NOT_FOUND for an unknown key', async () => {
    const { body } = await s.api('POST', '/v1/keys', { keyspaceId });
    const key: string = body.key;
    const flipped = key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a');
    expect((await verify({ key: flipped })).code).toBe('MALFORMED');
    expect((await verify({ key: 'nope' })).code).toBe('MALFORMED');
    await s.api('DELETE', `/v1/keys/${body.keyId}`);
    expect((await verify({ key })).code).toBe('NOT_FOUND');
  });

  it('checks scopes with wildcards and expressions', async () => {
    const { body } = await s.api('POST', '/v1/keys', { keyspaceId, scopes: ['documents:*', 'billing:read'] });
    expect((await verify({ key: body.key, scopes: 'documents:write and (billing:read or admin)' })).code).toBe('VALID');
    expect((await verify({ key: body.key, scopes: 'admin' })).code).toBe('INSUFFICIENT_SCOPE');
    const bad = await s.api('POST', '/v1/keys/verify', { key: body.key, scopes: 'a and (b' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
  });

  it('enforces IP allowlists for IPv4 and IPv6', async () => {
    const { body } = await s.api('POST', '/v1/keys', { keyspaceId, ipAllowlist: ['10.0.0.0/8', '2001:db8::/32'] });
    expect((await verify({ key: body.key, ip: '10.1.2.3' })).code).toBe('VALID');
    expect((await verify({ key: body.key, ip: '2001:db8::1' })).code).toBe('VALID');
    expect((await verify({ key: body.key, ip: '192.168.1.1' })).code).toBe('IP_NOT_ALLOWED');
    expect((await verify({ key: body.key })).code).toBe('IP_NOT_ALLOWED'); // caller is 127.0.0.1
  });

  it('rate limits and spends credits', async () => {
    const { body } = await s.api('POST', '/v1/keys', {
      keyspaceId,
      ratelimits: [{ name: 'burst', limit: 3, windowMs: 60_000 }],
      credits: { remaining: 10 },
    });
    const codes = [];
    await inOneWindow(60_000);
    for (let i = 0; i < 4; i++) codes.push((await verify({ key: body.key })).code);
    expect(codes).toEqual(['VALID', 'VALID', 'VALID', 'RATE_LIMITED']);
    const { body: k2 } = await s.api('POST', '/v1/keys', { keyspaceId, credits: { remaining: 3 } });
    expect((await verify({ key: k2.key, cost: 2 })).credits).toEqual({ remaining: 1 });
    expect((await verify({ key: k2.key, cost: 0 })).code).toBe('VALID');
    expect((await verify({ key: k2.key, cost: 2 })).code).toBe('USAGE_EXCEEDED');
    expect((await verify({ key: k2.key })).credits).toEqual({ remaining: 0 });
  });

  it('persists spent credits and last use in batches', async () => {
    const { body } = await s.api('POST', '/v1/keys', { keyspaceId, credits: { remaining: 5 } });
    await verify({ key: body.key, cost: 2 });
    await s.services.usage.flush();
    const got = await s.api('GET', `/v1/keys/${body.keyId}`);
    expect(got.body.credits.remaining).toBe(3);
    expect(got.body.usageCount).toBe(1);
    expect(got.body.lastUsedAt).not.toBeNull();
  });

  it('disables, enables, expires and revokes', async () => {
    const { body } = await s.api('POST', '/v1/keys', { keyspaceId, ownerId: 'cust_x' });
    expect((await s.api('PATCH', `/v1/keys/${body.keyId}`, { enabled: false })).body.enabled).toBe(false);
    expect((await verify({ key: body.key })).code).toBe('DISABLED');
    await s.api('PATCH', `/v1/keys/${body.keyId}`, { enabled: true });
    expect((await verify({ key: body.key })).code).toBe('VALID');
    await s.api('PATCH', `/v1/keys/${body.keyId}`, { expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect((await verify({ key: body.key })).code).toBe('EXPIRED');
    const revoked = await s.api('POST', `/v1/keys/${body.keyId}/revoke`, { reason: 'leaked' });
    expect(revoked.body.revokedAt).not.toBeNull();
    expect((await verify({ key: body.key })).code).toBe('REVOKED');
  });

  it('rolls a key with a grace period', async () => {
    const { body } = await s.api('POST', '/v1/keys', { keyspaceId, scopes: ['a'] });
    const rolled = await s.api('POST', `/v1/keys/${body.keyId}/roll`, { gracePeriodSeconds: 3600 });
    expect(rolled.status).toBe(201);
    expect((await verify({ key: rolled.body.key, scopes: 'a' })).code).toBe('VALID');
    expect((await verify({ key: body.key })).code).toBe('VALID');
    const old = await s.api('GET', `/v1/keys/${body.keyId}`);
    expect(old.body.rolledToKeyId).toBe(rolled.body.keyId);
    expect(Date.parse(old.body.expiresAt)).toBeGreaterThan(Date.now() + 3500_000);
    const { body: k2 } = await s.api('POST', '/v1/keys', { keyspaceId });
    await s.api('POST', `/v1/keys/${k2.keyId}/roll`, { gracePeriodSeconds: 0 });
    expect((await verify({ key: k2.key })).code).toBe('EXPIRED');
  });

  it('creates temporary keys with ttlSeconds', async () => {
    const { body } = await s.api('POST', '/v1/keys', { keyspaceId, ttlSeconds: 60 });
    const got = await s.api('GET', `/v1/keys/${body.keyId}`);
    expect(Date.parse(got.body.expiresAt) - Date.now()).toBeGreaterThan(50_000);
    const both = await s.api('POST', '/v1/keys', { keyspaceId, ttlSeconds: 60, expiresAt: new Date(Date.now() + 1e6).toISOString() });
    expect(both.status).toBe(400);
  });

  it('revokes every key of an owner at once', async () => {
    const a = await s.api('POST', '/v1/keys', { keyspaceId, ownerId: 'cust_bulk' });
    const b = await s.api('POST', '/v1/keys', { keyspaceId, ownerId: 'cust_bulk' });
    const r = await s.api('POST', '/v1/keys/revoke-by-owner', { ownerId: 'cust_bulk' });
    expect(r.body.revoked).toBe(2);
    expect((await verify({ key: a.body.key })).code).toBe('REVOKED');
    expect((await verify({ key: b.body.key })).code).toBe('REVOKED');
  });

  it('lists keys with cursor pagination', async () => {
    const ks = await s.api('POST', '/v1/keyspaces', { name: 'paging', prefix: 'pg' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await s.api('POST', '/v1/keys', { keyspaceId: ks.body.id })).body.keyId);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await s.api('GET', `/v1/keys?keyspaceId=${ks.body.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((k: { keyId: string }) => k.keyId));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(ids);
    expect((await s.api('GET', `/v1/keys?keyspaceId=${ks.body.id}&cursor=bogus`)).status).toBe(400);
  });

  it('records every change in an audit chain that verifies', async () => {
    const list = await s.api('GET', '/v1/audit?limit=5&action=key.revoked');
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(list.body.items.every((e: { action: string }) => e.action === 'key.revoked')).toBe(true);
    const v = await s.api('GET', '/v1/audit/verify');
    expect(v.body.ok).toBe(true);
    expect(v.body.checked).toBeGreaterThan(10);
  });
});
