import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The keys listing narrowed on the server by text and state, paged with the same filters; decoys
 * marked and left out of hygiene; schema failures told as sentences about the field. The store's side runs on both backends in
 * test/store/contract/keys.test.ts.
 */
describe('the keys listing over HTTP', () => {
  let s: TestServer;
  let keyspaceId: string;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    s = await startTestServer('sqlite');
    keyspaceId = (await s.api('POST', '/v1/keyspaces', { name: 'prod', prefix: 'sk_live' })).body.id;
    for (const [name, ownerId] of [
      ['Billing worker', 'acme'],
      ['Search indexer', 'acme'],
      ['billing backup', 'globex'],
      ['Mailer', 'globex'],
      ['Billing cron', 'initech'],
    ] as const) {
      const r = await s.api('POST', '/v1/keys', { keyspaceId, name, ownerId });
      expect(r.status).toBe(201);
      ids[name] = r.body.keyId;
    }
    expect((await s.api('PATCH', `/v1/keys/${ids['billing backup']}`, { enabled: false })).status).toBe(200);
  });
  afterAll(() => s.close());

  const list = async (query: string) => {
    const r = await s.api('GET', `/v1/keys?keyspaceId=${keyspaceId}&${query}`);
    expect(r.status).toBe(200);
    return r.body as { items: { keyId: string; name: string }[]; nextCursor: string | null };
  };

  it('finds keys by text and state, and pages on within the same filters', async () => {
    expect((await list('q=BILLING')).items.map((k) => k.name)).toEqual(['Billing worker', 'billing backup', 'Billing cron']);
    expect((await list('q=billing&state=active')).items.map((k) => k.name)).toEqual(['Billing worker', 'Billing cron']);
    expect((await list('state=disabled')).items.map((k) => k.name)).toEqual(['billing backup']);
    expect((await list(`q=${ids.Mailer!.slice(-12)}`)).items.map((k) => k.name)).toEqual(['Mailer']);
    expect((await list('q=GLOBEX')).items.map((k) => k.name)).toEqual(['billing backup', 'Mailer']);
    const first = await list('q=billing&limit=2');
    expect(first.items.map((k) => k.name)).toEqual(['Billing worker', 'billing backup']);
    const rest = await list(`q=billing&limit=2&cursor=${first.nextCursor}`);
    expect(rest).toEqual({ items: [expect.objectContaining({ name: 'Billing cron' })], nextCursor: null });
  });

  it('finds keys across the keyspaces of the workspace when no keyspace is named, but not for a root key limited to one', async () => {
    const staging = (await s.api('POST', '/v1/keyspaces', { name: 'staging', prefix: 'sk_test' })).body.id;
    const mirror = await s.api('POST', '/v1/keys', { keyspaceId: staging, name: 'Billing mirror' });
    const all = await s.api('GET', '/v1/keys?q=billing&state=active');
    expect(all.body.items.map((k: { name: string }) => k.name)).toEqual(['Billing worker', 'Billing cron', 'Billing mirror']);
    expect(all.body.items[2]).toMatchObject({ keyId: mirror.body.keyId, keyspaceId: staging });
    const limited = await s.api('POST', '/v1/root-keys', { name: 'prod only', permissions: ['keys:read'], keyspaceIds: [keyspaceId] });
    expect(limited.status).toBe(201);
    expect((await s.api('GET', '/v1/keys?q=billing', undefined, limited.body.key)).status).toBe(404);
    expect((await s.api('GET', `/v1/keys?keyspaceId=${keyspaceId}&q=billing`, undefined, limited.body.key)).body.items).toHaveLength(3);
  });

  it('tells schema failures as sentences about the field, not the validator text', async () => {
    const bad = await s.api('GET', `/v1/keys?keyspaceId=${keyspaceId}&state=sleeping`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', detail: 'State must be one of: active, disabled, revoked, expired.' });
    const scopes = await s.api('POST', '/v1/keys', { keyspaceId, scopes: ['orders:read', 'orders read'] });
    expect(scopes.body.detail).toBe('Scopes may contain only letters, digits and _ . : / * -.');
    const long = await s.api('POST', '/v1/keys', { keyspaceId, name: 'n'.repeat(2000) });
    expect(long.body.detail).toMatch(/^Name may be at most \d+ characters long\.$/);
    const grace = await s.api('POST', `/v1/keys/${ids.Mailer}/roll`, { gracePeriodSeconds: 'soon' });
    expect(grace.body.detail).toBe('Grace period seconds must be a whole number.');
    const missing = await s.api('POST', '/v1/keys', {});
    expect(missing.body.detail).toBe('Keyspace id is required.');
    const extra = await s.api('POST', '/v1/keys', { keyspaceId, colour: 'blue' });
    expect(extra.body.detail).toBe('colour is not a field this request takes.');
  });

  it('marks a honeytoken as a decoy, and hygiene gives no advice about it', async () => {
    const decoy = await s.api('POST', '/v1/honeytokens', { keyspaceId, name: 'billing-prod (backup)' });
    expect(decoy.status).toBe(201);
    const listed = await list(`q=${encodeURIComponent('(backup)')}`);
    expect(listed.items).toEqual([expect.objectContaining({ keyId: decoy.body.keyId, decoy: true })]);
    expect((await s.api('GET', `/v1/keys/${decoy.body.keyId}`)).body.decoy).toBe(true);
    expect((await s.api('GET', `/v1/keys/${ids.Mailer}`)).body.decoy).toBe(false);
    const report = (await s.api('GET', `/v1/hygiene?keyspaceId=${keyspaceId}`)).body;
    expect(report.neverUsed.map((k: { keyId: string }) => k.keyId)).toContain(ids.Mailer);
    const named = JSON.stringify(report);
    expect(named).not.toContain(decoy.body.keyId);
    // The sweep does not expire it for disuse either (it would take the trap away).
    expect((await s.api('POST', '/v1/hygiene/sweep')).status).toBe(200);
    expect((await s.api('GET', `/v1/keys/${decoy.body.keyId}`)).body).toMatchObject({ expiresAt: null, enabled: true });
  });
});
