import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { alertOf, enterPortal, shownKey } from './support.js';

const DAY = 86_400;

describe.each(DIALECTS)('a key owner’s keys in the portal (%s)', (dialect) => {
  let s: TestServer;
  let keyspaceId: string;
  let otherKeyspaceId: string;
  const verify = async (key: string) => (await s.api('POST', '/v1/keys/verify', { key })).body;
  const keyIdOf = async (key: string) => (await verify(key)).keyId as string;

  beforeAll(async () => {
    s = await startTestServer(dialect);
    keyspaceId = (await s.api('POST', '/v1/keyspaces', { name: 'Acme', prefix: 'acme' })).body.id;
    otherKeyspaceId = (await s.api('POST', '/v1/keyspaces', { name: 'Other', prefix: 'other' })).body.id;
    const settings = await s.api('PATCH', `/v1/keyspaces/${keyspaceId}/portal`, {
      maxKeysPerOwner: 2,
      allowedScopes: ['billing:read', 'billing:write'],
      maxLifetimeSeconds: 30 * DAY,
      appName: 'Acme Cloud',
      brandColor: '#0a7d4f',
    });
    expect(settings.status).toBe(200);
  });
  afterAll(() => s?.close());

  it('keeps portal settings with sane defaults and refuses unsafe ones', async () => {
    const defaults = await s.api('GET', `/v1/keyspaces/${otherKeyspaceId}/portal`);
    expect(defaults.body).toMatchObject({
      maxKeysPerOwner: 5,
      allowedScopes: [],
      maxLifetimeSeconds: 90 * DAY,
      brandColor: null,
      updatedAt: null,
    });
    const set = await s.api('GET', `/v1/keyspaces/${keyspaceId}/portal`);
    expect(set.body).toMatchObject({ maxKeysPerOwner: 2, appName: 'Acme Cloud', brandColor: '#0a7d4f' });
    for (const body of [
      { brandColor: 'red;}body{display:none' },
      { brandColor: 'url(https://evil.example/x)' },
      { logoUrl: 'http://app.example.com/logo.png' },
      { logoUrl: 'javascript:alert(1)' },
      { maxKeysPerOwner: 0 },
      { allowedScopes: ['bad scope'] },
    ]) {
      const r = await s.api('PATCH', `/v1/keyspaces/${keyspaceId}/portal`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    const audit = await s.api('GET', `/v1/audit?action=keyspace.portal_updated&target=${keyspaceId}`);
    expect(audit.body.items[0].details.changed).toEqual(expect.arrayContaining(['maxKeysPerOwner', 'brandColor']));
  });

  it('creates a key within the limits, shown once, that verifies as the owner’s', async () => {
    const alice = await enterPortal(s, 'alice', keyspaceId);
    const page = await alice.create({ name: 'CI', scope: 'billing:read', lifetime: String(7 * DAY) });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/style-src 'sha256-[^']+' 'sha256-[^']+' 'sha256-[^']+'/);
    const key = shownKey(page);
    const v = await verify(key);
    expect(v).toMatchObject({ valid: true, ownerId: 'alice', scopes: ['billing:read'] });
    const got = (await s.api('GET', `/v1/keys/${v.keyId}`)).body;
    expect(got.keyspaceId).toBe(keyspaceId);
    expect(Date.parse(got.expiresAt) - Date.now()).toBeGreaterThan(7 * DAY * 1000 - 60_000);
    // Shown once: the portal lists it without the key.
    const listed = await alice.page();
    expect(listed.html).toContain('CI');
    expect(listed.html).not.toContain(key);
    const audit = await s.api('GET', `/v1/audit?action=key.created&target=${v.keyId}`);
    expect(audit.body.items.map((e: { actor: string }) => e.actor)).toEqual(['portal:alice']);
  });

  it('refuses scopes not offered, lifetimes past the maximum, and keys past the owner’s limit', async () => {
    const bob = await enterPortal(s, 'bob', keyspaceId);
    const scope = await bob.create({ name: 'x', scope: 'admin' });
    expect(scope.status).toBe(400);
    expect(alertOf(scope)).toBe('These scopes are not offered: admin.');
    const long = await bob.create({ name: 'x', lifetime: String(31 * DAY) });
    expect(long.status).toBe(422);
    expect(alertOf(long)).toMatch(/at most 30 days/);
    expect((await bob.create({ name: 'one' })).status).toBe(200);
    const second = await bob.create({ name: 'two' });
    expect(second.status).toBe(200);
    expect(second.html).toContain('You have the most keys allowed (2)');
    const third = await bob.create({ name: 'three' });
    expect(third.status).toBe(409);
    expect(alertOf(third)).toMatch(/most allowed/);
    const keys = (await s.api('GET', `/v1/keys?keyspaceId=${keyspaceId}&ownerId=bob`)).body.items;
    expect(keys.map((k: { name: string }) => k.name).sort()).toEqual(['one', 'two']);
    // Revoking one makes room again.
    await bob.revoke(keys[0].keyId);
    expect((await bob.create({ name: 'three' })).status).toBe(200);
  });

  it('rolls and revokes the owner’s key through the key service, audited with the owner as actor', async () => {
    const carol = await enterPortal(s, 'carol', keyspaceId);
    const first = shownKey(await carol.create({ name: 'deploy' }));
    const firstId = await keyIdOf(first);
    const rolled = await carol.roll(firstId);
    expect(rolled.status).toBe(200);
    expect(rolled.html).toContain('Your rolled key');
    const second = shownKey(rolled);
    expect(second).not.toBe(first);
    expect(await verify(second)).toMatchObject({ valid: true, ownerId: 'carol' });
    expect((await verify(first)).valid).toBe(true); // the grace period
    const secondId = await keyIdOf(second);
    const revoked = await carol.revoke(secondId);
    expect(revoked.status).toBe(200);
    expect(revoked.html).toContain('Revoked deploy');
    expect(await verify(second)).toMatchObject({ valid: false, code: 'REVOKED' });
    const actors = async (action: string, target: string) =>
      (await s.api('GET', `/v1/audit?action=${action}&target=${target}`)).body.items.map((e: { actor: string }) => e.actor);
    expect(await actors('key.rolled', firstId)).toEqual(['portal:carol']);
    expect(await actors('key.revoked', secondId)).toEqual(['portal:carol']);
    const byOwner = await s.api('GET', '/v1/audit?actor=portal:carol');
    expect(byOwner.body.items.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['portal.session_opened', 'key.created', 'key.rolled', 'key.revoked']),
    );
  });

  it('never shows or touches another owner’s key, nor a key of another keyspace', async () => {
    const dave = await enterPortal(s, 'dave', keyspaceId);
    const own = shownKey(await dave.create({ name: 'dave-own' }));
    const erin = await s.api('POST', '/v1/keys', { keyspaceId, ownerId: 'erin', name: 'erin-key' });
    const elsewhere = await s.api('POST', '/v1/keys', { keyspaceId: otherKeyspaceId, ownerId: 'dave', name: 'dave-elsewhere' });
    const page = await dave.page();
    expect(page.html).toContain('dave-own');
    expect(page.html).not.toContain('erin-key');
    expect(page.html).not.toContain(erin.body.keyId);
    expect(page.html).not.toContain('dave-elsewhere');
    expect(page.html).not.toContain(elsewhere.body.keyId);
    for (const keyId of [erin.body.keyId, elsewhere.body.keyId, 'key_0Hq3Zk2W7bD4sLmP9xTq1n']) {
      const roll = await dave.roll(keyId);
      expect(roll.status).toBe(404);
      expect(alertOf(roll)).toBe('No such key.');
      expect((await dave.revoke(keyId)).status).toBe(404);
    }
    expect((await verify(erin.body.key)).valid).toBe(true);
    expect((await verify(elsewhere.body.key)).valid).toBe(true);
    expect((await s.api('GET', `/v1/keys/${erin.body.keyId}`)).body.rolledToKeyId).toBeNull();
    expect((await verify(own)).valid).toBe(true);
  });

  it('shows each key’s verifications per day from the usage roll-ups', async () => {
    const frank = await enterPortal(s, 'frank', keyspaceId);
    const key = shownKey(await frank.create({ name: 'metered' }));
    for (let i = 0; i < 3; i++) await verify(key);
    await s.services.monitoring.recorder.flush();
    const today = new Date().toISOString().slice(0, 10);
    await expect
      .poll(
        async () => {
          const html = (await frank.page()).html;
          const row = /<h2 id="usage">[\s\S]*?<tr><th scope="row">metered<\/th>([\s\S]*?)<\/tr>/.exec(html)?.[1] ?? '';
          return {
            today: html.includes(`<th scope="col">${today}</th>`),
            cells: [...row.matchAll(/<td>(\d+)<\/td>/g)].map((m) => Number(m[1])),
          };
        },
        { timeout: 8000, interval: 250 },
      )
      .toMatchObject({ today: true, cells: [0, 0, 0, 0, 0, 0, 3] });
  });
});
