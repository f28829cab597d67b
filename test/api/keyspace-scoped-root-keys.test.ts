import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Root keys limited to keyspaces (least privilege for administrators): a limited key sees and acts
 * on its keyspaces' keys only, every other keyspace's resources are 404 to it, routes that act on
 * the whole workspace are 403, and it cannot make, roll or revoke a key that reaches further.
 */
describe.each(DIALECTS)('root keys limited to keyspaces (%s)', (dialect) => {
  let s: TestServer;
  let mine: string;
  let theirs: string;
  let limited: { id: string; key: string };
  let myKey: { keyId: string; key: string };
  let theirKey: { keyId: string; key: string };
  const as = (method: string, path: string, body?: unknown) => s.api(method, path, body, limited.key);

  beforeAll(async () => {
    s = await startTestServer(dialect);
    mine = (await s.api('POST', '/v1/keyspaces', { name: 'mine', prefix: 'mn' })).body.id;
    theirs = (await s.api('POST', '/v1/keyspaces', { name: 'theirs', prefix: 'th' })).body.id;
    myKey = (await s.api('POST', '/v1/keys', { keyspaceId: mine, ownerId: 'o' })).body;
    theirKey = (await s.api('POST', '/v1/keys', { keyspaceId: theirs, ownerId: 'o' })).body;
    const r = await s.api('POST', '/v1/root-keys', {
      name: 'team mine',
      permissions: ['keys:*', 'keyspaces:read', 'root_keys:manage', 'audit:read'],
      keyspaceIds: [mine],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    limited = r.body;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('acts on the keys of its keyspaces', async () => {
    expect((await as('GET', `/v1/keys/${myKey.keyId}`)).status).toBe(200);
    expect((await as('GET', `/v1/keys?keyspaceId=${mine}`)).body.items.length).toBeGreaterThan(0);
    expect((await as('PATCH', `/v1/keys/${myKey.keyId}`, { name: 'renamed' })).status).toBe(200);
    expect((await as('POST', '/v1/keys', { keyspaceId: mine })).status).toBe(201);
    expect((await as('POST', '/v1/keys/verify', { key: myKey.key, cost: 0 })).body.code).toBe('VALID');
    expect((await as('GET', `/v1/keyspaces/${mine}`)).status).toBe(200);
    expect((await as('GET', '/v1/keyspaces')).body.items.map((k: { id: string }) => k.id)).toEqual([mine]);
  });

  it("another keyspace's keys and the keyspace itself are 404 to it, on every route, and nothing changes", async () => {
    const calls: [string, string, unknown?][] = [
      ['GET', `/v1/keys/${theirKey.keyId}`],
      ['PATCH', `/v1/keys/${theirKey.keyId}`, { enabled: false }],
      ['POST', `/v1/keys/${theirKey.keyId}/roll`, { gracePeriodSeconds: 0 }],
      ['POST', `/v1/keys/${theirKey.keyId}/revoke`, {}],
      ['DELETE', `/v1/keys/${theirKey.keyId}`],
      ['GET', `/v1/keys?keyspaceId=${theirs}`],
      ['POST', '/v1/keys', { keyspaceId: theirs }],
      ['GET', `/v1/keyspaces/${theirs}`],
    ];
    for (const [method, path, body] of calls) {
      const r = await as(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.body.code).toBe('NOT_FOUND');
    }
    // Verifying a key of another keyspace tells nothing and spends nothing.
    expect((await as('POST', '/v1/keys/verify', { key: theirKey.key })).body).toEqual({ valid: false, code: 'NOT_FOUND' });
    const still = (await s.api('GET', `/v1/keys/${theirKey.keyId}`)).body;
    expect(still).toMatchObject({ enabled: true, revokedAt: null, rolledToKeyId: null, usageCount: 0 });
  });

  it('routes that act on the whole workspace are refused (403), even with the permission', async () => {
    for (const [method, path, body] of [
      ['GET', '/v1/audit'],
      ['POST', '/v1/keys/revoke-by-owner', { ownerId: 'o' }],
    ] as const) {
      const r = await as(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body.code).toBe('FORBIDDEN');
    }
    expect((await s.api('POST', '/v1/keys/verify', { key: theirKey.key })).body.code).toBe('VALID');
  });

  it('cannot make, roll or revoke a root key that reaches beyond its keyspaces; sees only those within them', async () => {
    const wider = [{ keyspaceIds: [mine, theirs] }, { keyspaceIds: null }, {}];
    for (const reach of wider) {
      const r = await as('POST', '/v1/root-keys', { name: 'escalate', permissions: ['keys:read'], ...reach });
      expect(r.status, JSON.stringify(reach)).toBe(403);
    }
    const narrow = await as('POST', '/v1/root-keys', { name: 'narrow', permissions: ['keys:read'], keyspaceIds: [mine] });
    expect(narrow.status).toBe(201);
    const listed = (await as('GET', '/v1/root-keys')).body.items.map((k: { id: string }) => k.id);
    expect(listed).toContain(narrow.body.id);
    expect(listed).toContain(limited.id);
    const unlimited = (await s.api('GET', '/v1/root-keys')).body.items.filter((k: { keyspaceIds: unknown }) => k.keyspaceIds === null);
    for (const k of unlimited) {
      expect(listed).not.toContain(k.id);
      expect((await as('POST', `/v1/root-keys/${k.id}/revoke`)).status).toBe(403);
      expect((await as('POST', `/v1/root-keys/${k.id}/roll`, { gracePeriodSeconds: 0 })).status).toBe(403);
    }
    expect((await as('POST', `/v1/root-keys/${narrow.body.id}/revoke`)).status).toBe(200);
  });

  it('an unknown keyspace in the list is a 404; an empty list is a 400', async () => {
    expect((await s.api('POST', '/v1/root-keys', { name: 'x', permissions: ['keys:read'], keyspaceIds: ['ks_unknown0000'] })).status).toBe(
      404,
    );
    expect((await s.api('POST', '/v1/root-keys', { name: 'x', permissions: ['keys:read'], keyspaceIds: [] })).status).toBe(400);
  });
});
