import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Permission rules beyond "the route's one permission" (docs/security.md, "Administrators"):
 * rolling a key needs both `keys:create` and `keys:update`; undoing a suspension never overrides
 * a later explicit change; revoking a root key needs every permission it holds.
 */
describe.each(DIALECTS)('permission hardening (%s)', (dialect) => {
  let s: TestServer;
  let ks: string;
  const rootKey = async (permissions: string[]): Promise<{ id: string; key: string }> => {
    const r = await s.api('POST', '/v1/root-keys', { name: `holds ${permissions.join(',')}`, permissions });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  };
  const newKey = async (): Promise<{ keyId: string; key: string }> => (await s.api('POST', '/v1/keys', { keyspaceId: ks })).body;

  beforeAll(async () => {
    s = await startTestServer(dialect);
    ks = (await s.api('POST', '/v1/keyspaces', { name: 'hardening', prefix: 'hk' })).body.id;
  });
  afterAll(async () => {
    await s?.close();
  });

  describe('rolling a key', () => {
    it('with keys:create alone: 403, and the old key keeps its expiry', async () => {
      const { keyId } = await newKey();
      const { key } = await rootKey(['keys:create', 'keys:read']);
      const r = await s.api('POST', `/v1/keys/${keyId}/roll`, { gracePeriodSeconds: 0 }, key);
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ code: 'FORBIDDEN' });
      expect(r.body.detail).toContain('keys:update');
      expect(JSON.stringify(r.body)).not.toMatch(/"key":/);
      expect((await s.api('GET', `/v1/keys/${keyId}`)).body).toMatchObject({ expiresAt: null, rolledToKeyId: null });
    });

    it('with keys:update alone: 403', async () => {
      const { keyId } = await newKey();
      const { key } = await rootKey(['keys:update']);
      const r = await s.api('POST', `/v1/keys/${keyId}/roll`, { gracePeriodSeconds: 0 }, key);
      expect(r.status).toBe(403);
      expect(r.body.detail).toContain('keys:create');
    });

    it('with keys:create and keys:update (or keys:*): 201', async () => {
      for (const grant of [['keys:create', 'keys:update'], ['keys:*']]) {
        const { keyId } = await newKey();
        const { key } = await rootKey(grant);
        const r = await s.api('POST', `/v1/keys/${keyId}/roll`, { gracePeriodSeconds: 60 }, key);
        expect(r.status, grant.join(',')).toBe(201);
      }
    });
  });

  describe('undoing a suspension', () => {
    const quarantine = async (): Promise<{ keyId: string; suspensionId: string }> => {
      const k = await newKey();
      expect((await s.api('POST', '/v1/keys/leaked', { keys: [k.key] })).body.items[0].status).toBe('quarantined');
      const list = await s.api('GET', `/v1/suspensions?keyId=${k.keyId}&active=true`);
      return { keyId: k.keyId, suspensionId: list.body.items[0].id };
    };

    it('re-enables a key nobody touched since', async () => {
      const { keyId, suspensionId } = await quarantine();
      expect((await s.api('POST', `/v1/suspensions/${suspensionId}/undo`)).status).toBe(200);
      expect((await s.api('GET', `/v1/keys/${keyId}`)).body.enabled).toBe(true);
    });

    it('does not re-enable a key an administrator disabled (or otherwise changed) after the suspension: 409', async () => {
      for (const patch of [{ enabled: false }, { name: 'looked at' }]) {
        const { keyId, suspensionId } = await quarantine();
        await new Promise((r) => setTimeout(r, 5)); // a later change, at a later millisecond
        expect((await s.api('PATCH', `/v1/keys/${keyId}`, patch)).status).toBe(200);
        const undo = await s.api('POST', `/v1/suspensions/${suspensionId}/undo`);
        expect(undo.status, JSON.stringify(patch)).toBe(409);
        expect(undo.body).toMatchObject({ code: 'CONFLICT' });
        expect((await s.api('GET', `/v1/keys/${keyId}`)).body.enabled).toBe(false);
        // The suspension stays active, and the key can be enabled explicitly.
        expect((await s.api('GET', `/v1/suspensions?keyId=${keyId}&active=true`)).body.items).toHaveLength(1);
      }
    });
  });

  describe('revoking a root key', () => {
    it('a root_keys:manage key cannot revoke the initial * key, nor any key holding more than it does', async () => {
      const manager = await rootKey(['root_keys:manage']);
      const initial = (await s.api('GET', '/v1/root-keys')).body.items.find((k: { name: string }) => k.name === 'initial root key');
      const r = await s.api('POST', `/v1/root-keys/${initial.id}/revoke`, undefined, manager.key);
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ code: 'FORBIDDEN' });
      const broader = await rootKey(['root_keys:manage', 'keys:read']);
      expect((await s.api('POST', `/v1/root-keys/${broader.id}/revoke`, undefined, manager.key)).status).toBe(403);
      expect((await s.api('GET', '/v1/keyspaces', undefined, broader.key)).status).toBe(403); // still its own permissions
      expect((await s.api('GET', '/v1/root-keys', undefined, s.rootKey)).status).toBe(200); // the initial key still works
    });

    it('a root key may revoke one whose permissions it covers, itself included', async () => {
      const manager = await rootKey(['root_keys:manage', 'keys:*']);
      const narrower = await rootKey(['keys:read', 'keys:update']);
      expect((await s.api('POST', `/v1/root-keys/${narrower.id}/revoke`, undefined, manager.key)).status).toBe(200);
      expect((await s.api('POST', `/v1/root-keys/${manager.id}/revoke`, undefined, manager.key)).status).toBe(200);
      expect((await s.api('GET', '/v1/root-keys', undefined, manager.key)).status).toBe(401);
    });
  });
});
