import { PERMISSIONS, type Permission } from '@tessera/api';
import { generateKey, newId, ROOT_KEY_PREFIX, type RootKeyRecord } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { send, type RawResponse } from '../security/raw-http.js';

/**
 * One suite for authentication and permissions of every management route:
 * no credentials or bad ones → 401 with WWW-Authenticate; a root key without the route's
 * permission → 403 FORBIDDEN, with it → through; unknown ids → 404; no escalation through
 * root-key creation; and no way into another workspace.
 */

interface Row {
  method: string;
  /** `:id` is filled with a real id of the right kind, or an unknown one. */
  path: string;
  permission: Permission;
  /** Further permissions the route needs besides `permission`: all of them are required. */
  also?: Permission[];
  body?: (ids: Ids) => unknown;
  /** The kind of id in the path, for the 404 check. */
  id?: 'key' | 'keyspace' | 'rootKey';
}

interface Ids {
  keyspaceId: string;
  keyId: string;
  rootKeyId: string;
}

const ROWS: Row[] = [
  // Asks for no more than the permission itself, so that holding it alone is enough.
  {
    method: 'POST',
    path: '/v1/root-keys',
    permission: 'root_keys:manage',
    body: () => ({ name: 'made', permissions: ['root_keys:manage'] }),
  },
  { method: 'GET', path: '/v1/root-keys', permission: 'root_keys:manage' },
  { method: 'POST', path: '/v1/root-keys/:id/revoke', permission: 'root_keys:manage', id: 'rootKey' },
  {
    method: 'POST',
    path: '/v1/keyspaces',
    permission: 'keyspaces:manage',
    body: () => ({ name: 'made', prefix: `p${Math.random().toString(36).slice(2, 8)}` }),
  },
  { method: 'GET', path: '/v1/keyspaces', permission: 'keyspaces:read' },
  { method: 'GET', path: '/v1/keyspaces/:id', permission: 'keyspaces:read', id: 'keyspace' },
  { method: 'POST', path: '/v1/keys', permission: 'keys:create', body: (ids) => ({ keyspaceId: ids.keyspaceId }) },
  { method: 'GET', path: '/v1/keys?keyspaceId=:keyspaceId', permission: 'keys:read' },
  { method: 'GET', path: '/v1/keys/:id', permission: 'keys:read', id: 'key' },
  { method: 'PATCH', path: '/v1/keys/:id', permission: 'keys:update', body: () => ({ name: 'renamed' }), id: 'key' },
  {
    method: 'POST',
    path: '/v1/keys/:id/roll',
    permission: 'keys:create',
    also: ['keys:update'],
    body: () => ({ gracePeriodSeconds: 60 }),
    id: 'key',
  },
  { method: 'POST', path: '/v1/keys/:id/revoke', permission: 'keys:revoke', body: () => ({ reason: 'test' }), id: 'key' },
  { method: 'DELETE', path: '/v1/keys/:id', permission: 'keys:delete', id: 'key' },
  { method: 'POST', path: '/v1/keys/revoke-by-owner', permission: 'keys:revoke', body: () => ({ ownerId: 'nobody' }) },
  { method: 'POST', path: '/v1/keys/verify', permission: 'keys:verify', body: () => ({ key: generateKey('sk') }) },
  { method: 'GET', path: '/v1/audit', permission: 'audit:read' },
  { method: 'GET', path: '/v1/audit/verify', permission: 'audit:read' },
  // Signing vouches for the head as it stands: not something a reader of the log may ask for.
  { method: 'POST', path: '/v1/audit/checkpoints', permission: 'audit:checkpoint' },
];

const label = (r: Pick<Row, 'method' | 'path'>) => `${r.method} ${r.path}`;

describe.each(DIALECTS)('authentication and permissions of every management route (%s)', (dialect) => {
  let s: TestServer;
  let ids: Ids;
  let revokedRootKey: string;
  /** A root key holding exactly the given permissions. */
  const rootKeyWith = async (permissions: string[]): Promise<string> => (await newRootKey(permissions)).key;
  const newRootKey = async (permissions: string[]): Promise<{ id: string; key: string }> => {
    const r = await s.api('POST', '/v1/root-keys', { name: `holds ${permissions.length}`, permissions });
    expect(r.status).toBe(201);
    return r.body;
  };
  /** Calls a row with fresh targets so that an earlier call (a delete, a revoke) never changes the answer. */
  const callRow = async (row: Row, bearer: string | null, which: 'real' | 'unknown' = 'real'): Promise<RawResponse> => {
    const target =
      which === 'unknown' ? { key: newId('key'), keyspace: newId('keyspace'), rootKey: newId('rootKey') } : await freshTargets();
    const path = row.path.replace(':keyspaceId', ids.keyspaceId).replace(':id', row.id === undefined ? '' : target[row.id]);
    const body = row.body?.(ids);
    return send(s.url, {
      method: row.method,
      path,
      headers: { ...(bearer !== null && { authorization: bearer }), ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  };
  const freshTargets = async () => {
    const key = await s.api('POST', '/v1/keys', { keyspaceId: ids.keyspaceId, ownerId: 'owner' });
    // Revoking a root key needs all of its permissions: this one is covered by root_keys:manage alone.
    const rk = await s.api('POST', '/v1/root-keys', { name: 'target', permissions: ['root_keys:manage'] });
    return { key: key.body.keyId as string, keyspace: ids.keyspaceId, rootKey: rk.body.id as string };
  };
  const expectProblem = (res: RawResponse, status: number, code: string, where: string) => {
    expect(res.status, `${where} → ${res.text.slice(0, 200)}`).toBe(status);
    expect(res.headers['content-type'], where).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.text), where).toMatchObject({
      status,
      code,
      type: expect.any(String),
      title: expect.any(String),
      detail: expect.any(String),
    });
    if (status === 401) expect(res.headers['www-authenticate'], where).toMatch(/^Bearer realm=/);
  };

  beforeAll(async () => {
    s = await startTestServer(dialect);
    const ks = await s.api('POST', '/v1/keyspaces', { name: 'auth', prefix: 'sk' });
    const key = await s.api('POST', '/v1/keys', { keyspaceId: ks.body.id });
    const rk = await s.api('POST', '/v1/root-keys', { name: 'spare', permissions: ['keys:read'] });
    ids = { keyspaceId: ks.body.id, keyId: key.body.keyId, rootKeyId: rk.body.id };
    const doomed = await newRootKey(['*']);
    revokedRootKey = doomed.key;
    expect((await s.api('POST', `/v1/root-keys/${doomed.id}/revoke`)).status).toBe(200);
  });
  afterAll(async () => {
    await s?.close();
  });

  describe.each(ROWS)('$method $path', (row) => {
    it('without Authorization: 401 UNAUTHORIZED with WWW-Authenticate', async () => {
      expectProblem(await callRow(row, null, 'unknown'), 401, 'UNAUTHORIZED', label(row));
    });

    it('with a malformed, unknown, revoked or non-root key, or another scheme: 401', async () => {
      const bearers = [
        'Bearer',
        'Bearer ',
        'Bearer not-a-key',
        `Bearer ${s.rootKey.slice(0, -1)}${s.rootKey.endsWith('A') ? 'B' : 'A'}`, // bad checksum
        `Bearer ${generateKey(ROOT_KEY_PREFIX)}`, // well-formed, unknown
        `Bearer ${revokedRootKey}`,
        `Bearer ${generateKey('sk')}`, // an API key is not a root key
        `Basic ${Buffer.from(`x:${s.rootKey}`).toString('base64')}`,
        s.rootKey, // no scheme
      ];
      for (const bearer of bearers)
        expectProblem(await callRow(row, bearer, 'unknown'), 401, 'UNAUTHORIZED', `${label(row)} with "${bearer.slice(0, 20)}…"`);
    });

    it('accepts the scheme name in any case (RFC 9110 §11.1)', async () => {
      const key = await rootKeyWith(['*']);
      expect((await callRow(row, `bearer ${key}`)).status, label(row)).toBeLessThan(300);
    });

    it.each([row.permission, ...(row.also ?? [])])('without "%s" (every other permission held): 403 FORBIDDEN', async (lacking) => {
      const key = await rootKeyWith(PERMISSIONS.filter((p) => p !== lacking));
      expectProblem(await callRow(row, `Bearer ${key}`), 403, 'FORBIDDEN', label(row));
    });

    it(`with "${[row.permission, ...(row.also ?? [])].join('" and "')}" alone, or a wildcard that covers it: through`, async () => {
      const [resource] = row.permission.split(':');
      for (const grant of [[row.permission, ...(row.also ?? [])], [`${resource}:*`], ['*']]) {
        const key = await rootKeyWith(grant);
        const res = await callRow(row, `Bearer ${key}`);
        expect(res.status, `${label(row)} with ${grant.join(',')} → ${res.text.slice(0, 200)}`).toBeLessThan(300);
      }
    });

    if (row.id !== undefined) {
      it('with an unknown id: 404 NOT_FOUND', async () => {
        expectProblem(await callRow(row, `Bearer ${s.rootKey}`, 'unknown'), 404, 'NOT_FOUND', label(row));
      });
    }
  });

  it('unknown ids in bodies and queries are 404 too', async () => {
    for (const [method, path, body] of [
      ['POST', '/v1/keys', { keyspaceId: newId('keyspace') }],
      ['GET', `/v1/keys?keyspaceId=${newId('keyspace')}`, undefined],
    ] as const) {
      const res = await send(s.url, {
        method,
        path,
        headers: { authorization: `Bearer ${s.rootKey}`, ...(body && { 'content-type': 'application/json' }) },
        ...(body && { body: JSON.stringify(body) }),
      });
      expectProblem(res, 404, 'NOT_FOUND', `${method} ${path}`);
    }
  });

  it('every route in the OpenAPI document that needs a root key answers 401 without one and 403 without its permission', async () => {
    // Routes added later are covered too: without knowing their permission, a key that holds
    // only keys:verify and one that holds only audit:read cannot both be allowed in.
    const doc = JSON.parse((await send(s.url, { method: 'GET', path: '/openapi.json' })).text) as {
      paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>;
    };
    const narrow = [await rootKeyWith(['keys:verify']), await rootKeyWith(['audit:read'])];
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        // A root key's routes: those whose security names it (the console's name its session instead).
        .filter(([, op]) => op.security === undefined || op.security.some((r) => 'rootKey' in r))
        .map(([m]) => ({ method: m.toUpperCase(), path })),
    );
    expect(routes.length).toBeGreaterThanOrEqual(ROWS.length);
    for (const r of routes) {
      const path = r.path
        .replace(/\{\*\}/g, 'some/name')
        .replace(/\{[^}]+\}/g, (m) => (m.includes('key') && !m.includes('space') ? newId('key') : newId('keyspace')));
      expectProblem(await send(s.url, { method: r.method, path }), 401, 'UNAUTHORIZED', `${r.method} ${r.path}`);
      const answers = await Promise.all(
        narrow.map((k) => send(s.url, { method: r.method, path, headers: { authorization: `Bearer ${k}` } })),
      );
      expect(
        answers.map((a) => a.status),
        `${r.method} ${r.path}`,
      ).toContain(403);
      for (const a of answers) expect(a.status, `${r.method} ${r.path}`).not.toBe(401);
    }
  });

  describe('no escalation through root keys', () => {
    it('a root key cannot create a root key with a permission it does not hold', async () => {
      const manager = await rootKeyWith(['root_keys:manage', 'keys:read']);
      for (const permissions of [['keys:create'], ['*'], ['keys:*'], ['keys:read', 'audit:read'], ['root_keys:manage', 'keys:delete']]) {
        const res = await callRow(
          { method: 'POST', path: '/v1/root-keys', permission: 'root_keys:manage', body: () => ({ name: 'escalate', permissions }) },
          `Bearer ${manager}`,
        );
        expectProblem(res, 403, 'FORBIDDEN', permissions.join(','));
      }
      const ok = await s.api('POST', '/v1/root-keys', { name: 'subset', permissions: ['keys:read'] }, manager);
      expect(ok.status).toBe(201);
    });

    it('a wildcard holder can grant what its wildcard covers, not beyond', async () => {
      const keysAdmin = await rootKeyWith(['keys:*', 'root_keys:manage']);
      expect(
        (await s.api('POST', '/v1/root-keys', { name: 'covered', permissions: ['keys:create', 'keys:revoke'] }, keysAdmin)).status,
      ).toBe(201);
      expect((await s.api('POST', '/v1/root-keys', { name: 'beyond', permissions: ['keyspaces:manage'] }, keysAdmin)).body.code).toBe(
        'FORBIDDEN',
      );
    });

    it('a root key cannot create a root key in another workspace', async () => {
      const res = await s.api('POST', '/v1/root-keys', { name: 'elsewhere', permissions: ['keys:read'], workspaceId: newId('workspace') });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    });

    it('a revoked root key stops working at once', async () => {
      const { id, key } = await newRootKey(['keys:read']);
      expect((await s.api('GET', `/v1/keys/${ids.keyId}`, undefined, key)).status).toBe(200);
      await s.api('POST', `/v1/root-keys/${id}/revoke`);
      expectProblem(
        await send(s.url, { method: 'GET', path: `/v1/keys/${ids.keyId}`, headers: { authorization: `Bearer ${key}` } }),
        401,
        'UNAUTHORIZED',
        'revoked',
      );
    });
  });

  describe('workspaces are isolated', () => {
    let other: string;
    let otherKeyspaceId: string;
    let otherKey: { keyId: string; key: string };
    let mine: { keyId: string; key: string };
    let myRootKeyId: string;

    beforeAll(async () => {
      // A second workspace and its first root key, made through the domain (the API makes none).
      const workspaceId = newId('workspace');
      await s.services.store.transaction((tx) => tx.insertWorkspace({ id: workspaceId, name: 'other', createdAt: Date.now() }));
      const creator: RootKeyRecord = {
        id: 'rk_system',
        workspaceId,
        name: 'system',
        hash: '',
        pepperVersion: 1,
        start: '',
        permissions: ['*'],
        createdAt: 0,
        revokedAt: null,
        lastUsedAt: null,
        expiresAt: null,
        ipAllowlist: [],
        keyspaceIds: null,
        rolledToId: null,
        otherWorkspaceIds: [],
      };
      other = (
        await s.services.rootKeys.create({ id: 'system', workspaceId, ip: null }, creator, { name: 'other admin', permissions: ['*'] })
      ).key;
      const ks = await s.api('POST', '/v1/keyspaces', { name: 'theirs', prefix: 'ot' }, other);
      expect(ks.status).toBe(201);
      otherKeyspaceId = ks.body.id;
      otherKey = (await s.api('POST', '/v1/keys', { keyspaceId: otherKeyspaceId, ownerId: 'shared_owner' }, other)).body;
      mine = (await s.api('POST', '/v1/keys', { keyspaceId: ids.keyspaceId, ownerId: 'shared_owner' })).body;
      myRootKeyId = ids.rootKeyId;
    });

    it("another workspace's keys, keyspaces and root keys are 404 to it, on every route", async () => {
      const calls: [string, string, unknown?][] = [
        ['GET', `/v1/keys/${mine.keyId}`],
        ['PATCH', `/v1/keys/${mine.keyId}`, { name: 'hijacked' }],
        ['POST', `/v1/keys/${mine.keyId}/roll`, { gracePeriodSeconds: 0 }],
        ['POST', `/v1/keys/${mine.keyId}/revoke`, {}],
        ['DELETE', `/v1/keys/${mine.keyId}`],
        ['GET', `/v1/keyspaces/${ids.keyspaceId}`],
        ['GET', `/v1/keys?keyspaceId=${ids.keyspaceId}`],
        ['POST', '/v1/keys', { keyspaceId: ids.keyspaceId }],
        ['POST', `/v1/root-keys/${myRootKeyId}/revoke`],
      ];
      for (const [method, path, body] of calls) {
        const res = await send(s.url, {
          method,
          path,
          headers: { authorization: `Bearer ${other}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        });
        expectProblem(res, 404, 'NOT_FOUND', `${method} ${path}`);
      }
      // Nothing was changed by those calls.
      expect((await s.api('POST', '/v1/keys/verify', { key: mine.key })).body.code).toBe('VALID');
      expect((await s.api('GET', `/v1/keys/${mine.keyId}`)).body.name).toBeNull();
    });

    it('verification, lists, bulk revocation and the audit log stay inside the workspace', async () => {
      expect((await s.api('POST', '/v1/keys/verify', { key: mine.key }, other)).body).toEqual({ valid: false, code: 'NOT_FOUND' });
      expect((await s.api('POST', '/v1/keys/verify', { key: otherKey.key })).body).toEqual({ valid: false, code: 'NOT_FOUND' });
      expect((await s.api('POST', '/v1/keys/verify', { key: otherKey.key }, other)).body.code).toBe('VALID');

      const theirSpaces = (await s.api('GET', '/v1/keyspaces', undefined, other)).body.items.map((k: { id: string }) => k.id);
      expect(theirSpaces).toEqual([otherKeyspaceId]);
      expect((await s.api('GET', '/v1/keyspaces')).body.items.map((k: { id: string }) => k.id)).not.toContain(otherKeyspaceId);
      const theirRootKeys = (await s.api('GET', '/v1/root-keys', undefined, other)).body.items;
      expect(theirRootKeys).toHaveLength(1);

      const bulk = await s.api('POST', '/v1/keys/revoke-by-owner', { ownerId: 'shared_owner' }, other);
      expect(bulk.body.keyIds).toEqual([otherKey.keyId]);
      expect((await s.api('POST', '/v1/keys/verify', { key: mine.key })).body.code).toBe('VALID');

      const audit = (await s.api('GET', '/v1/audit?limit=1000', undefined, other)).body.items as {
        workspaceId: string | null;
        target: string | null;
      }[];
      expect(audit.length).toBeGreaterThan(0);
      expect(audit.map((e) => e.target)).not.toContain(mine.keyId);
      expect(new Set(audit.map((e) => e.workspaceId))).toEqual(new Set([theirRootKeys[0].workspaceId]));
    });
  });
});
