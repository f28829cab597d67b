import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../support/cli.js';
import { LOOPBACK_WEBHOOKS, startTestServer, type TestServer } from '../support/server.js';
import { signedWith, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

// The commands that reach the rest of the API: root keys, webhooks, monitoring, and `tessera api`,
// run in-process against a real server (the CLI's process start-up is covered by cli.test.ts).
describe('tessera root-keys, webhooks, anomalies, hygiene, analytics and api', () => {
  let s: TestServer;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    [s, receiver] = await Promise.all([startTestServer('sqlite', { env: { ...LOOPBACK_WEBHOOKS } }), startWebhookReceiver()]);
    process.env.TESSERA_URL = s.url;
    process.env.TESSERA_ROOT_KEY = s.rootKey;
  });
  afterAll(async () => {
    delete process.env.TESSERA_URL;
    delete process.env.TESSERA_ROOT_KEY;
    await Promise.all([s?.close(), receiver?.close()]);
  });

  const run = runInProcess;
  const json = async (...argv: string[]) => {
    const r = await run(...argv, '--json');
    expect(r, r.err).toMatchObject({ code: 0 });
    return JSON.parse(r.out);
  };

  it("prints one command's own lines for --help and help COMMAND", async () => {
    const keys = await run('keys', '--help');
    expect(keys.code).toBe(0);
    expect(keys.out).toContain('keys create --keyspace ID');
    expect(keys.out).toContain('keys rollovers');
    expect(keys.out).not.toContain('webhooks');
    const webhooks = await run('help', 'webhooks');
    expect(webhooks.out).toContain('webhooks deliveries ID');
    expect(webhooks.out).not.toContain('keys create');
    expect(await run('nonsense', '--help')).toMatchObject({ code: 2, err: expect.stringContaining('unknown command "nonsense"') });
  });

  it('creates a root key shown once, lists it without the key, rolls and revokes it', async () => {
    const created = await json('root-keys', 'create', '--name', 'deployer', '--permissions', 'keys:read,keys:create');
    expect(created.key).toMatch(/^tessera_root_/);
    const listed = await run('root-keys', 'list');
    expect(listed.out).toContain(created.id);
    expect(listed.out).toContain('keys:read,keys:create');
    expect(listed.out).not.toContain(created.key);
    const rolled = await json('root-keys', 'roll', created.id, '--grace', '0');
    expect(rolled.key).not.toBe(created.key);
    expect((await s.api('GET', '/v1/keyspaces', undefined, rolled.key)).status).toBe(403);
    const revoked = await json('root-keys', 'revoke', rolled.id);
    expect(revoked.revokedAt).not.toBeNull();
    expect((await s.api('GET', '/v1/keys?keyspaceId=ks_none', undefined, rolled.key)).status).toBe(401);
    expect(await run('root-keys', 'create', '--name', 'x')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--permissions is required'),
    });
  });

  it('subscribes a webhook, sends it a signed test event, disables, rotates and deletes it', async () => {
    const created = await json('webhooks', 'create', receiver.url, '--events', 'key.revoked,anomaly.detected');
    expect(created.secret).toMatch(/^whsec_/);
    expect((await run('webhooks', 'list')).out).toContain(created.id);
    const tested = await json('webhooks', 'test', created.id);
    expect(tested).toMatchObject({ webhookId: created.id, status: 'succeeded', responseStatus: 200 });
    expect(receiver.received.some((r) => signedWith(created.secret, r))).toBe(true);
    expect((await json('webhooks', 'disable', created.id)).enabled).toBe(false);
    const rotated = await json('webhooks', 'rotate-secret', created.id);
    expect(rotated.secret).not.toBe(created.secret);
    const deliveries = await json('webhooks', 'deliveries', created.id, '--all');
    expect(deliveries.items.map((d: { id: string }) => d.id)).toContain(tested.id);
    expect((await run('webhooks', 'delete', created.id)).code).toBe(0);
    expect(await run('webhooks', 'get', created.id)).toMatchObject({ code: 1, err: expect.stringContaining('NOT_FOUND') });
  });

  it('calls any endpoint with tessera api, and --all follows every page', async () => {
    const ks = await json('api', 'POST', '/v1/keyspaces', '--data', '{"name":"CLI pages","prefix":"clip"}');
    for (let i = 0; i < 3; i++) await json('api', 'POST', '/v1/keys', '--data', JSON.stringify({ keyspaceId: ks.id, ownerId: 'acme' }));
    const onePage = await json('api', 'GET', `/v1/keys?keyspaceId=${ks.id}&limit=1`);
    expect(onePage.items).toHaveLength(1);
    expect(onePage.nextCursor).toEqual(expect.any(String));
    const all = await json('api', 'GET', `/v1/keys?keyspaceId=${ks.id}&limit=1`, '--all');
    expect(new Set(all.items.map((k: { keyId: string }) => k.keyId)).size).toBe(3);
    const keys = await json('keys', 'list', '--keyspace', ks.id, '--limit', '2', '--all');
    expect(keys.items).toHaveLength(3);
    expect(await run('api', 'POST', '/v1/keyspaces', '--data', '{not json')).toMatchObject({ code: 2 });
    expect(await run('api', 'FETCH', '/v1/keyspaces')).toMatchObject({ code: 2 });
    expect(await run('api', 'POST', '/v1/keyspaces', '--all')).toMatchObject({ code: 2 });
    const refused = await run('api', 'POST', '/v1/keyspaces', '--data', '{"name":"x"}');
    expect(refused).toMatchObject({ code: 1, err: expect.stringContaining('VALIDATION_FAILED') });
  });

  it('shows hygiene, analytics from the roll-ups, anomalies and suspensions', async () => {
    const ks = await json('keyspaces', 'create', '--name', 'Watched', '--prefix', 'wat');
    const key = await json('keys', 'create', '--keyspace', ks.id, '--owner', 'globex', '--name', 'watched key');
    await s.api('POST', '/v1/keys/verify', { key: key.key });
    await s.api('POST', '/v1/keys/verify', { key: key.key, scopes: 'admin' });
    await s.services.monitoring.settle();

    const hygiene = await run('hygiene', '--keyspace', ks.id);
    expect(hygiene.out).toContain('1 live keys');
    expect(hygiene.out).toMatch(/Never expire \(1\):\n.*\n.*watched key/);
    expect((await json('hygiene', '--sweep')).constructor).toBe(Object);

    const series = await json('analytics', 'verifications', '--key', key.keyId, '--from', '1h', '--granularity', 'minute');
    expect(series.totals).toMatchObject({ total: 2, valid: 1 });
    expect((await run('analytics', 'verifications', '--key', key.keyId, '--from', '1h')).out).toMatch(/^2 verifications, 1 valid/);
    const top = await json('analytics', 'top', '--by', 'owner', '--from', '1h');
    expect(top.items).toContainEqual(expect.objectContaining({ subject: 'globex', count: 2 }));
    expect(await run('analytics', 'top', '--by', 'owner', '--from', 'yesterday')).toMatchObject({ code: 2 });

    expect((await json('anomalies', 'list', '--status', 'open')).items).toEqual(expect.any(Array));
    expect((await json('suspensions', 'list', '--active')).items).toEqual(expect.any(Array));
    expect(await run('anomalies', 'get', 'an_missing')).toMatchObject({ code: 1, err: expect.stringContaining('NOT_FOUND') });
  });
});
