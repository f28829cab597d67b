import {
  Tessera,
  TesseraError,
  type Anomaly,
  type HygieneReport,
  type KeyBrief,
  type KeyspacePolicy,
  type Rollover,
  type LeakOutcome,
  type OverPrivilegedKey,
  type Suspension,
  type SweepResult,
  type UsageEvent,
  type VerificationSeries,
  type Webhook,
  type WebhookDelivery,
} from '@tessera/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../support/databases.js';
import { LOOPBACK_WEBHOOKS, startTestServer, type TestServer } from '../support/server.js';
import { managementOperations } from './support/openapi-types.js';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js';
import { expectShape } from './support/expect-shape.js';
import { signedWith, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

// Every call of the client against a real Tessera on loopback. The requests the client makes are
// recorded; the last test checks that together they reach every operation the live OpenAPI
// document lists, so an operation without an SDK method fails here.
let server: TestServer;
let tessera: Tessera;
const sent: string[] = [];
const recordingFetch: typeof fetch = (input, init) => {
  sent.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
  return fetch(input, init);
};

beforeAll(async () => {
  server = await startTestServer('sqlite', { env: LOOPBACK_WEBHOOKS });
  tessera = new Tessera({ baseUrl: server.url, rootKey: server.rootKey, fetch: recordingFetch, retryBaseMs: 1 });
});
afterAll(() => server?.close());

/** The result of a call that must succeed. */
function ok<T>(r: { result?: T; error?: TesseraError }): T {
  if (r.error !== undefined) throw r.error;
  return r.result as T;
}

describe('keys and keyspaces', () => {
  let keyspaceId: string;
  let keyId: string;
  let key: string;

  it('creates, lists and reads keyspaces', async () => {
    const ks = ok(await tessera.keyspaces.create({ name: 'Orders', prefix: 'ord', recoverable: true }));
    keyspaceId = ks.id;
    expect(ks).toMatchObject({ name: 'Orders', prefix: 'ord', recoverable: true });
    expect(ok(await tessera.keyspaces.get(ks.id)).prefix).toBe('ord');
    expect(ok(await tessera.keyspaces.list()).items.map((k) => k.id)).toContain(ks.id);
  });

  it("reads and replaces a keyspace's gateway routes", async () => {
    expect(ok(await tessera.keyspaces.getGatewayRoutes(keyspaceId))).toMatchObject({ keyHeader: 'authorization', rules: [] });
    const rules = [{ methods: ['GET'], path: '/orders/**', scopes: 'orders:read' }, { path: '/status' }];
    expect(ok(await tessera.keyspaces.putGatewayRoutes(keyspaceId, { keyHeader: 'x-api-key', rules }))).toMatchObject({
      keyHeader: 'x-api-key',
      rules,
    });
    expect((await tessera.keyspaces.putGatewayRoutes(keyspaceId, { rules: [{ path: 'orders' }] })).error).toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('creates a key and reads, lists and updates it', async () => {
    const created = ok(await tessera.keys.create({ keyspaceId, ownerId: 'acme', scopes: ['orders:read'], meta: { plan: 'pro' } }));
    ({ keyId, key } = created);
    expect(key.startsWith('ord_')).toBe(true);
    const record = ok(await tessera.keys.get(keyId));
    expect(record).toMatchObject({ keyId, ownerId: 'acme', scopes: ['orders:read'], meta: { plan: 'pro' }, enabled: true });
    expect(JSON.stringify(record)).not.toContain(key);
    const page = ok(await tessera.keys.list({ keyspaceId, ownerId: 'acme', limit: 10 }));
    expect(page.items.map((k) => k.keyId)).toEqual([keyId]);
    expect(page.nextCursor).toBeNull();
    const updated = ok(await tessera.keys.update(keyId, { scopes: ['orders:read', 'orders:write'], name: 'ci' }));
    expect(updated).toMatchObject({ scopes: ['orders:read', 'orders:write'], name: 'ci' });
  });

  it('verifies on the server, and reads back a key of a recoverable keyspace', async () => {
    expect(ok(await tessera.keys.verify({ key, scopes: 'orders:write' }))).toMatchObject({
      valid: true,
      code: 'VALID',
      keyId,
      ownerId: 'acme',
    });
    expect(ok(await tessera.keys.verify({ key, scopes: 'admin' }))).toMatchObject({ valid: false, code: 'INSUFFICIENT_SCOPE' });
    expect(ok(await tessera.keys.recover(keyId))).toEqual({ keyId, key });
  });

  it('rolls, revokes, revokes by owner and deletes', async () => {
    const rolled = ok(await tessera.keys.roll(keyId, { gracePeriodSeconds: 60 }));
    expect(rolled.keyId).not.toBe(keyId);
    expect(ok(await tessera.keys.verify({ key: rolled.key })).valid).toBe(true);
    const revoked = ok(await tessera.keys.revoke(keyId, { reason: 'leaked in a log' }));
    expect(revoked.revokedAt).not.toBeNull();
    expect(ok(await tessera.keys.verify({ key })).code).toBe('REVOKED');
    const byOwner = ok(await tessera.keys.revokeByOwner({ ownerId: 'acme', reason: 'account closed' }));
    expect(byOwner.keyIds).toContain(rolled.keyId);
    expect(ok(await tessera.keys.delete(rolled.keyId))).toBeUndefined();
    const gone = await tessera.keys.get(rolled.keyId);
    expect(gone.error).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  it('rolls a key over by usage and follows the rollover', async () => {
    const old = ok(await tessera.keys.create({ keyspaceId, ownerId: 'initech' }));
    const next = ok(await tessera.keys.roll(old.keyId, { gracePeriodSeconds: 3600, retireWhenUnused: true, quietPeriodSeconds: 600 }));
    const rollover = ok(await tessera.keys.getRollover(old.keyId));
    expect(rollover).toMatchObject({
      predecessorKeyId: old.keyId,
      successorKeyId: next.keyId,
      state: 'pending_first_use',
      quietPeriodSeconds: 600,
    });
    expectShape<Rollover>(rollover, {
      predecessorKeyId: true,
      successorKeyId: true,
      keyspaceId: true,
      state: true,
      createdAt: true,
      quietPeriodSeconds: true,
      deadline: true,
      successorFirstUsedAt: true,
      predecessorLastUsedAt: true,
      retiresAt: true,
      retiredAt: true,
      retiredReason: true,
    });
    const open = ok(await tessera.keys.listRollovers({ keyspaceId, state: 'open' }));
    expect(open.items.map((r) => r.predecessorKeyId)).toEqual([old.keyId]);
    expect((await tessera.keys.getRollover(next.keyId)).error).toMatchObject({ code: 'NOT_FOUND' });
    ok(await tessera.keys.revoke(old.keyId)); // out of the hygiene sweep's count of expiring keys below
  });
});

describe('root keys, audit, secrets and OAuth clients', () => {
  it('creates, lists and revokes root keys', async () => {
    const rk = ok(await tessera.rootKeys.create({ name: 'verifier', permissions: ['keys:verify'] }));
    expect(ok(await tessera.rootKeys.list()).items.map((r) => r.id)).toContain(rk.id);
    const rolled = ok(await tessera.rootKeys.roll(rk.id, { gracePeriodSeconds: 0 }));
    expect(rolled.key).toMatch(/^tessera_root_/);
    expect(ok(await tessera.rootKeys.revoke(rolled.id)).revokedAt).not.toBeNull();
  });

  it('creates, lists, reads and renames workspaces, and acts in one with the workspace option', async () => {
    const made = ok(
      await tessera.workspaces.create({ name: 'sdk team', rootKey: { name: 'sdk admin', permissions: ['workspaces:read'] } }),
    );
    expect(made.rootKey?.key).toMatch(/^tessera_root_/);
    expect(ok(await tessera.workspaces.list({ limit: 1000 })).items.map((w) => w.id)).toContain(made.workspace.id);
    expect(ok(await tessera.workspaces.get(made.workspace.id)).name).toBe('sdk team');
    expect(ok(await tessera.workspaces.rename(made.workspace.id, 'sdk crew')).name).toBe('sdk crew');
    const theirs = new Tessera({ baseUrl: server.url, rootKey: made.rootKey!.key, retries: 0 });
    expect(ok(await theirs.workspaces.list()).items.map((w) => w.id)).toEqual([made.workspace.id]);
    const there = new Tessera({ baseUrl: server.url, rootKey: server.rootKey, workspace: made.workspace.id, retries: 0 });
    const ks = ok(await there.keyspaces.create({ name: 'sdk there', prefix: 'sk_sdkws' }));
    expect(ks.workspaceId).toBe(made.workspace.id);
    const refused = await new Tessera({
      baseUrl: server.url,
      rootKey: made.rootKey!.key,
      workspace: 'ws_default',
      retries: 0,
    }).workspaces.list();
    expect(refused.error?.code).toBe('FORBIDDEN');
  });

  it('reads, exports, checks and checkpoints the audit log', async () => {
    const page = ok(await tessera.audit.list({ limit: 5, action: 'key.created' }));
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((e) => e.action === 'key.created')).toBe(true);
    const checkpoint = ok(await tessera.audit.checkpoint());
    expect(checkpoint?.seq).toBeGreaterThan(0);
    expect(ok(await tessera.audit.verify()).ok).toBe(true);
    const lines = ok(await tessera.audit.export({ fromSeq: 1 }))
      .trim()
      .split('\n');
    expect(JSON.parse(lines[0]!)).toHaveProperty('seq', 1);
  });

  it('puts, reads, lists and deletes secrets, names with slashes included', async () => {
    expect(ok(await tessera.secrets.put('payments/stripe', { value: 'sk_live_123' })).version).toBe(1);
    expect(ok(await tessera.secrets.put('payments/stripe', { value: 'sk_live_456' })).version).toBe(2);
    expect(ok(await tessera.secrets.get('payments/stripe')).value).toBe('sk_live_456');
    expect(ok(await tessera.secrets.get('payments/stripe', { version: 1 })).value).toBe('sk_live_123');
    expect(ok(await tessera.secrets.list()).items.map((s) => s.name)).toContain('payments/stripe');
    ok(await tessera.secrets.delete('payments/stripe'));
    expect((await tessera.secrets.get('payments/stripe')).error?.status).toBe(404);
  });

  it('puts a secret on a webhook rotator, rotates it now, reads its state and clears it', async () => {
    const rotator = await startWebhookReceiver({
      answer: ({ body }) =>
        JSON.parse(body).type === 'secret.rotation.create'
          ? { status: 200, body: JSON.stringify({ value: 'sk_from_the_rotator_0123456789' }) }
          : { status: 204 },
    });
    try {
      ok(await tessera.secrets.put('psp/api', { value: 'sk_first_value_0123456789' }));
      const set = ok(await tessera.secrets.rotation.set('psp/api', { rotator: 'webhook', url: rotator.url, every: '12h' }));
      expect(set).toMatchObject({ secret: 'psp/api', rotator: 'webhook', every: '12h' });
      expect(set.signingSecret).toMatch(/^whsec_/);
      expect(ok(await tessera.secrets.rotation.rotateNow('psp/api'))).toMatchObject({ lastResult: 'succeeded' });
      expect(ok(await tessera.secrets.get('psp/api'))).toMatchObject({ version: 2, value: 'sk_from_the_rotator_0123456789' });
      expect(rotator.received.every((r) => signedWith(set.signingSecret!, r))).toBe(true);
      expect(ok(await tessera.secrets.rotation.get('psp/api')).attempts).toBe(0);
      expect(ok(await tessera.secrets.rotation.list()).items.map((r) => r.secret)).toContain('psp/api');
      ok(await tessera.secrets.rotation.clear('psp/api'));
      expect((await tessera.secrets.rotation.get('psp/api')).error?.status).toBe(404);
    } finally {
      await rotator.close();
    }
  });

  it('manages OAuth clients and lists and retires signing keys', async () => {
    const created = ok(
      await tessera.oauth.createClient({ name: 'billing', scopes: ['invoices:read'], grantTypes: ['client_credentials'] }),
    ) as { clientId: string; clientSecret: string };
    expect(created.clientId).toMatch(/^cli_/);
    expect(ok(await tessera.oauth.getClient(created.clientId)).name).toBe('billing');
    expect(ok(await tessera.oauth.listClients()).items.map((c) => c.clientId)).toContain(created.clientId);
    expect(ok(await tessera.oauth.updateClient(created.clientId, { name: 'billing-2' })).name).toBe('billing-2');
    const rotated = ok(await tessera.oauth.rotateClientSecret(created.clientId, { gracePeriodSeconds: 0 }));
    expect(rotated.clientSecret).not.toBe(created.clientSecret);
    const next = ok(await tessera.oauth.listSigningKeys()).items.find((k) => k.state === 'next')!;
    expect(ok(await tessera.oauth.retireSigningKey(next.kid, { reason: 'drill' }))).toEqual({
      kid: next.kid,
      state: 'next',
      successor: null,
    });
    expect(ok(await tessera.oauth.listSigningKeys()).items.map((k) => k.kid)).not.toContain(next.kid);
    ok(await tessera.oauth.deleteClient(created.clientId));
    expect((await tessera.oauth.getClient(created.clientId)).error?.status).toBe(404);
  });

  it('manages end users, and registers a public client for them', async () => {
    const pub = ok(
      await tessera.oauth.createClient({
        name: 'notes',
        grantTypes: ['authorization_code', 'refresh_token'],
        redirectUris: ['http://127.0.0.1/callback'],
        tokenEndpointAuthMethod: 'none',
      }),
    );
    expect(pub.redirectUris).toEqual(['http://127.0.0.1/callback']);
    const u = ok(await tessera.endUsers.create({ email: 'ada@example.com', password: 'correct horse battery staple', name: 'Ada' }));
    expect(ok(await tessera.endUsers.get(u.userId)).email).toBe('ada@example.com');
    expect(ok(await tessera.endUsers.list()).items.map((x) => x.userId)).toContain(u.userId);
    expect(ok(await tessera.endUsers.disable(u.userId)).disabled).toBe(true);
    expect(ok(await tessera.endUsers.enable(u.userId)).disabled).toBe(false);
    expect((await tessera.endUsers.resetSecondFactor(u.userId)).error?.status).toBe(404); // none enrolled
    expect(ok(await tessera.endUsers.grants(u.userId)).items).toEqual([]);
    expect(ok(await tessera.endUsers.endSessions(u.userId))).toEqual({ familiesRevoked: 0, consentsForgotten: 0 });
    expect((await tessera.endUsers.revokeGrant(u.userId, 'cli_none')).error?.status).toBe(404);
    ok(await tessera.endUsers.delete(u.userId));
    expect((await tessera.endUsers.get(u.userId)).error?.status).toBe(404);
  });

  it('manages database connections and roles, and issues, renews and revokes a credential', async () => {
    // The shared cluster trusts local logins, so this shows the client's calls only; the credentials
    // themselves are proven against a password-checking cluster in test/databases/.
    const target = new URL(TEST_DATABASE_URL);
    const connection = ok(
      await tessera.databases.putConnection('shared', {
        host: target.hostname,
        port: Number(target.port || 5432),
        database: target.pathname.slice(1),
        tlsMode: 'disable',
        username: decodeURIComponent(target.username),
        password: 'unused-by-trust',
      }),
    );
    expect(connection).toMatchObject({ name: 'shared', plugin: 'postgresql' });
    expect(ok(await tessera.databases.listConnections()).items.map((c) => c.name)).toEqual(['shared']);
    const role = ok(
      await tessera.databases.putRole('sdk', {
        connection: 'shared',
        creationStatements: 'CREATE ROLE {{name}} LOGIN PASSWORD {{password}} VALID UNTIL {{expiration}};',
        defaultTtlSeconds: 60,
        maxTtlSeconds: 120,
      }),
    );
    expect(role).toMatchObject({ name: 'sdk', connection: 'shared', maxTtlSeconds: 120 });
    expect(ok(await tessera.databases.listRoles()).items.map((r) => r.name)).toEqual(['sdk']);
    const credential = ok(await tessera.databases.requestCredential('sdk', { ttlSeconds: 30 }));
    expect(credential.username).toBe(credential.lease.login);
    const leaseId = credential.lease.leaseId;
    expect(ok(await tessera.databases.getLease(leaseId)).state).toBe('active');
    expect(ok(await tessera.databases.renewLease(leaseId, { incrementSeconds: 60 })).renewals).toBe(1);
    expect(ok(await tessera.databases.listLeases({ role: 'sdk' })).items.map((l) => l.leaseId)).toEqual([leaseId]);
    expect(ok(await tessera.databases.revokeLease(leaseId)).state).toBe('revoked');
    expect(JSON.stringify(ok(await tessera.databases.listLeases()))).not.toContain(credential.password);
    ok(await tessera.databases.deleteRole('sdk'));
    ok(await tessera.databases.deleteConnection('shared'));
    expect((await tessera.databases.deleteConnection('shared')).error).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  it('reaches an operation by name with call()', async () => {
    expect(ok(await tessera.call('GET /v1/keyspaces')).items.length).toBeGreaterThan(0);
  });
});

describe('errors are values and hold no secret', () => {
  it('answers a missing permission with FORBIDDEN, naming neither root key', async () => {
    const limited = ok(await tessera.rootKeys.create({ name: 'narrow', permissions: ['keys:verify'] }));
    const narrow = new Tessera({ baseUrl: server.url, rootKey: limited.key });
    const r = await narrow.keyspaces.list();
    expect(r.error).toBeInstanceOf(TesseraError);
    expect(r.error).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    expect(r.error!.message).not.toContain(limited.key);
    expect(r.error!.message).not.toContain(server.rootKey);
  });

  it('answers a bad root key with UNAUTHORIZED', async () => {
    const r = await new Tessera({ baseUrl: server.url, rootKey: 'nope' }).keyspaces.list();
    expect(r.error).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
  });

  it('keeps a key that ends up in a path out of the message', async () => {
    const ks = ok(await tessera.keyspaces.create({ name: 'Tmp', prefix: 'tmp' }));
    const { key } = ok(await tessera.keys.create({ keyspaceId: ks.id }));
    const r = await tessera.keys.get(key); // a key where its id belongs: refused or not found
    expect([400, 404]).toContain(r.error?.status);
    expect(r.error!.message).not.toContain(key);
    expect(r.error!.message).toContain('[redacted]');
  });

  it('refuses options that cannot work, at once', () => {
    expect(() => new Tessera({ baseUrl: 'not a url' })).toThrow(TypeError);
    expect(() => new Tessera({ baseUrl: 'ftp://x' })).toThrow(TypeError);
    expect(() => new Tessera({ baseUrl: server.url, timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => new Tessera({ baseUrl: server.url, retries: -1 })).toThrow(/retries/);
  });
});

describe('timeouts and retries (a fault-injecting proxy in front of the real server)', () => {
  let proxy: FaultProxy;
  let client: Tessera;
  beforeAll(async () => {
    proxy = await startFaultProxy(server.url);
    client = new Tessera({ baseUrl: proxy.url, rootKey: server.rootKey, retries: 2, retryBaseMs: 1, timeoutMs: 1000 });
  });
  afterAll(() => proxy?.close());
  const attempts = async (run: () => Promise<unknown>) => {
    proxy.seen.length = 0;
    const r = await run();
    return { r: r as { result?: unknown; error?: TesseraError }, count: proxy.seen.length };
  };

  it('retries a 5xx answer and succeeds', async () => {
    proxy.faults = [{ status: 503, retryAfter: 0 }, { status: 500 }];
    const { r, count } = await attempts(() => client.keyspaces.list());
    expect(r.error).toBeUndefined();
    expect(count).toBe(3);
  });

  it('retries a reset connection and succeeds', async () => {
    proxy.faults = ['reset'];
    const { r, count } = await attempts(() => client.keyspaces.list());
    expect(r.error).toBeUndefined();
    expect(count).toBe(2);
  });

  it('gives up after the retries with the last error', async () => {
    proxy.faults = [{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }];
    const { r, count } = await attempts(() => client.keyspaces.list());
    expect(r.error).toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503 });
    expect(count).toBe(3);
    proxy.faults = [];
  });

  it('does not retry a 4xx answer', async () => {
    const { r, count } = await attempts(() => client.keys.get('key_doesnotexist'));
    expect(r.error?.status).toBe(404);
    expect(count).toBe(1);
  });

  it('times out a hung request and does not repeat it', async () => {
    const quick = new Tessera({ baseUrl: proxy.url, rootKey: server.rootKey, retries: 2, timeoutMs: 200 });
    proxy.faults = ['hang'];
    const { r, count } = await attempts(() => quick.keyspaces.list());
    expect(r.error).toMatchObject({ code: 'TIMEOUT' });
    expect(count).toBe(1);
  });

  it('a create whose answer is lost is retried under the same Idempotency-Key: one key made, its answer returned', async () => {
    const keyspaceId = ok(await client.keyspaces.create({ name: 'Lost answers', prefix: 'lost' })).id;
    proxy.idempotencyKeys.length = 0;
    proxy.faults = ['lose-answer'];
    const { r, count } = await attempts(() => client.keys.create({ keyspaceId, ownerId: 'lost-answer' }));
    expect(count).toBe(2);
    const [first, retry] = proxy.idempotencyKeys;
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(retry).toBe(first);
    const made = ok(await tessera.keys.list({ keyspaceId, ownerId: 'lost-answer' })).items;
    expect(made).toHaveLength(1);
    const created = r.result as { keyId: string; key: string };
    expect(created.keyId).toBe(made[0]!.keyId);
    expect(ok(await tessera.verifyKey(created.key)).valid).toBe(true);
  });

  it('each call has a key of its own; a caller may give one; reads and verification send none', async () => {
    const keyspaceId = ok(await client.keyspaces.create({ name: 'Own keys', prefix: 'own' })).id;
    proxy.idempotencyKeys.length = 0;
    ok(await client.keys.create({ keyspaceId, ownerId: 'own' }));
    ok(await client.keys.create({ keyspaceId, ownerId: 'own' }));
    expect(new Set(proxy.idempotencyKeys).size).toBe(2);
    const given = { idempotencyKey: 'order-4711-key' };
    const a = ok(await client.keys.create({ keyspaceId, ownerId: 'given' }, given));
    const b = ok(await client.keys.create({ keyspaceId, ownerId: 'given' }, given));
    expect(b).toEqual(a);
    expect(proxy.idempotencyKeys.slice(-2)).toEqual(['order-4711-key', 'order-4711-key']);
    proxy.idempotencyKeys.length = 0;
    await client.keyspaces.list();
    await new Tessera({ baseUrl: proxy.url, rootKey: server.rootKey, cache: false }).verifyKey(a.key);
    expect(proxy.idempotencyKeys).toEqual([undefined, undefined]);
  });

  it('reports a server that is not there as NETWORK_ERROR after retrying', async () => {
    const closed = await startFaultProxy(server.url);
    await closed.close();
    const r = await new Tessera({ baseUrl: closed.url, rootKey: server.rootKey, retries: 1, retryBaseMs: 1 }).keyspaces.list();
    expect(r.error).toMatchObject({ code: 'NETWORK_ERROR' });
    expect(r.error!.message).not.toContain(server.rootKey);
  });
});

describe('monitoring: analytics, anomalies, suspensions, policies, hygiene, honeytokens, leak reports', () => {
  let keyspaceId: string;
  let keyId: string;
  let key: string;
  const settle = () => server.services.monitoring.settle();

  beforeAll(async () => {
    keyspaceId = ok(await tessera.keyspaces.create({ name: 'Monitoring', prefix: 'mon' })).id;
    ({ keyId, key } = ok(await tessera.keys.create({ keyspaceId, ownerId: 'globex', scopes: ['docs:read', 'docs:write'] })));
  });

  it('reads and changes a keyspace policy', async () => {
    const initial = ok(await tessera.keyspaces.getPolicy(keyspaceId));
    expect(initial).toEqual({
      keyspaceId,
      anomalyResponse: 'alert',
      suspendMinSeverity: 'high',
      autoExpireUnusedDays: null,
      autoExpireNoticeDays: 14,
      expiringNoticeDays: 7,
      creditsLowThreshold: null,
      maxKeyLifetimeDays: null,
      rotationIntervalDays: null,
      rotationNoticeDays: 7,
      rotationGraceDays: 7,
      detectionSensitivity: 1,
      quietHours: [],
      knownNetworks: [],
      updatedAt: null,
    });
    expectShape<KeyspacePolicy>(initial, {
      keyspaceId: true,
      anomalyResponse: true,
      suspendMinSeverity: true,
      autoExpireUnusedDays: true,
      autoExpireNoticeDays: true,
      expiringNoticeDays: true,
      creditsLowThreshold: true,
      maxKeyLifetimeDays: true,
      rotationIntervalDays: true,
      rotationNoticeDays: true,
      rotationGraceDays: true,
      detectionSensitivity: true,
      quietHours: true,
      knownNetworks: true,
      updatedAt: true,
    });
    const put = ok(
      await tessera.keyspaces.putPolicy(keyspaceId, { anomalyResponse: 'suspend', suspendMinSeverity: 'critical', expiringNoticeDays: 3 }),
    );
    expect(put).toMatchObject({
      anomalyResponse: 'suspend',
      suspendMinSeverity: 'critical',
      expiringNoticeDays: 3,
      autoExpireNoticeDays: 14,
    });
    expect(Date.parse(put.updatedAt!)).not.toBeNaN();
    expect(ok(await tessera.keyspaces.getPolicy(keyspaceId))).toEqual(put);
    const tuned = ok(
      await tessera.keyspaces.putPolicy(keyspaceId, { detectionSensitivity: 2, quietHours: [3, 1, 3], knownNetworks: ['203.0.113.0/24'] }),
    );
    expect(tuned).toMatchObject({
      detectionSensitivity: 2,
      quietHours: [1, 3],
      knownNetworks: ['203.0.113.0/24'],
      anomalyResponse: 'suspend',
    });
    expect((await tessera.keyspaces.putPolicy(keyspaceId, { knownNetworks: ['not a network'] })).error).toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect((await tessera.keyspaces.putPolicy(keyspaceId, { anomalyResponse: 'ignore' as 'alert' })).error).toMatchObject({
      code: 'VALIDATION_FAILED',
      status: 400,
    });
  });

  it('answers analytics from real verifications', async () => {
    for (let i = 0; i < 3; i++)
      expect(ok(await tessera.keys.verify({ key, scopes: 'docs:read', ip: '198.51.100.7', resource: '/docs/7', method: 'GET' })).code).toBe(
        'VALID',
      );
    expect(ok(await tessera.keys.verify({ key, scopes: 'admin', ip: '198.51.100.9' })).code).toBe('INSUFFICIENT_SCOPE');
    await settle();

    const series = ok(await tessera.analytics.verifications({ keyId, granularity: 'minute' }));
    expect(series).toMatchObject({ granularity: 'minute', dimension: 'key', subject: keyId });
    expect(series.totals).toEqual({ total: 4, valid: 3, cost: 3, outcomes: { VALID: 3, INSUFFICIENT_SCOPE: 1 } });
    expect(series.series.reduce((n, p) => n + p.total, 0)).toBe(4);
    expectShape<VerificationSeries>(series, {
      granularity: true,
      from: true,
      to: true,
      dimension: true,
      subject: true,
      totals: true,
      series: true,
    });
    expect(ok(await tessera.analytics.verifications({ ownerId: 'globex' })).totals.total).toBe(4);

    const top = ok(await tessera.analytics.top({ by: 'key', limit: 5 }));
    expect(top.by).toBe('key');
    expect(top.items.find((t) => t.subject === keyId)).toEqual({ subject: keyId, count: 4, cost: 3 });
    const refused = ok(await tessera.analytics.top({ by: 'network', outcome: 'INSUFFICIENT_SCOPE' })).items;
    expect(refused).toContainEqual({ subject: '198.51.100.0/24', count: 1 });
    expect(refused.map((t) => t.subject)).not.toContain('198.51.100.7'); // networks, not addresses

    const events = ok(await tessera.analytics.events({ keyId, limit: 10 }));
    // Alike verifications within one second are one event with their count.
    expect(events.items.flatMap((e) => Array<string>(e.count).fill(e.outcome)).sort()).toEqual([
      'INSUFFICIENT_SCOPE',
      'VALID',
      'VALID',
      'VALID',
    ]);
    const valid = events.items.find((e) => e.outcome === 'VALID')!;
    expect(valid).toMatchObject({
      keyId,
      keyspaceId,
      ownerId: 'globex',
      ip: '198.51.100.7',
      network: '198.51.100.0/24',
      resource: '/docs/7',
      method: 'GET',
      scopes: 'docs:read',
      cost: 1,
    });
    expectShape<UsageEvent>(
      valid,
      {
        ts: true,
        workspaceId: true,
        keyId: true,
        keyspaceId: true,
        ownerId: true,
        outcome: true,
        ip: true,
        network: true,
        userAgent: true,
        cost: true,
        resource: true,
        method: true,
        scopes: true,
        count: true,
      },
      { deleted: true },
    );
    expect(JSON.stringify(events)).not.toContain(key);
    expect((await tessera.analytics.verifications({ keyId, ownerId: 'globex' })).error).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('reports hygiene and runs the sweep', async () => {
    const idle = ok(
      await tessera.keys.create({ keyspaceId, name: 'idle', expiresAt: new Date(Date.now() + 2 * 86_400_000).toISOString() }),
    );
    // The earlier tests' verifications reach `lastUsedAt` through the usage batch: write it first.
    await server.services.usage.flush();
    const report = ok(await tessera.hygiene.report({ keyspaceId, expiringDays: 5 }));
    expect(report).toMatchObject({ keyspaceId, liveKeys: 2 });
    expectShape<HygieneReport>(report, {
      keyspaceId: true,
      generatedAt: true,
      liveKeys: true,
      neverUsed: true,
      unused: true,
      expiringSoon: true,
      noExpiry: true,
      overPrivileged: true,
    });
    expect(report.neverUsed.map((k) => k.keyId)).toEqual([idle.keyId]);
    expect(report.expiringSoon.map((k) => k.keyId)).toEqual([idle.keyId]);
    expect(report.noExpiry.map((k) => k.keyId)).toEqual([keyId]);
    expectShape<KeyBrief>(report.neverUsed[0]!, {
      keyId: true,
      start: true,
      name: true,
      ownerId: true,
      createdAt: true,
      lastUsedAt: true,
      expiresAt: true,
    });
    expect(report.neverUsed[0]).toMatchObject({ name: 'idle', lastUsedAt: null });
    // docs:write was granted and never needed: a smaller scope set is suggested.
    const over = report.overPrivileged.find((k) => k.keyId === keyId)!;
    expect(over).toMatchObject({
      granted: ['docs:read', 'docs:write'],
      exercised: ['docs:read'],
      unused: ['docs:write'],
      suggested: ['docs:read'],
    });
    expectShape<OverPrivilegedKey>(over, {
      keyId: true,
      start: true,
      name: true,
      ownerId: true,
      createdAt: true,
      lastUsedAt: true,
      expiresAt: true,
      granted: true,
      exercised: true,
      unused: true,
      suggested: true,
    });

    // The policy gives 3 days' notice: the key expiring in 2 days gets its notice, once.
    const sweep = ok(await tessera.hygiene.sweep());
    expectShape<SweepResult>(sweep, {
      expiring: true,
      creditsLow: true,
      scheduled: true,
      cancelled: true,
      rotationDue: true,
      rotationOverdue: true,
    });
    expect(sweep.expiring).toBe(1);
    expect(ok(await tessera.hygiene.sweep()).expiring).toBe(0);
    expect((await tessera.hygiene.report({} as { keyspaceId: string })).error).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('creates a honeytoken; its use is a critical anomaly, acknowledged then resolved', async () => {
    const decoy = ok(await tessera.honeytokens.create({ keyspaceId, name: 'backup-config' }));
    expect(decoy.key.startsWith('mon_')).toBe(true);
    ok(await tessera.keys.verify({ key: decoy.key, ip: '203.0.113.50' }));
    await settle();

    const found = ok(await tessera.anomalies.list({ keyId: decoy.keyId, kind: 'honeytoken_used' })).items;
    expect(found).toHaveLength(1);
    const anomaly = found[0]!;
    expect(anomaly).toMatchObject({
      kind: 'honeytoken_used',
      severity: 'critical',
      status: 'open',
      keyId: decoy.keyId,
      keyspaceId,
      count: 1,
      response: null,
    });
    expectShape<Anomaly>(anomaly, {
      id: true,
      kind: true,
      severity: true,
      status: true,
      keyId: true,
      keyspaceId: true,
      subject: true,
      explanation: true,
      details: true,
      count: true,
      firstEventAt: true,
      detectedAt: true,
      lastSeenAt: true,
      acknowledgedAt: true,
      acknowledgedBy: true,
      resolvedAt: true,
      resolvedBy: true,
      response: true,
      names: true,
    });
    // The key is named by its name; who acknowledges it, below, by the root key's.
    expect(anomaly.names).toEqual({ [decoy.keyId]: 'backup-config' });
    expect(JSON.stringify(found)).not.toContain(decoy.key);
    expect(ok(await tessera.anomalies.get(anomaly.id))).toEqual(anomaly);
    expect(ok(await tessera.anomalies.list({ status: 'open', kind: 'honeytoken_used' })).items.map((a) => a.id)).toEqual([anomaly.id]);

    const acked = ok(await tessera.anomalies.acknowledge(anomaly.id));
    expect(acked.status).toBe('acknowledged');
    expect(acked.acknowledgedBy).not.toBeNull();
    expect(acked.names[acked.acknowledgedBy!]).toEqual(expect.any(String));
    const resolved = ok(await tessera.anomalies.resolve(anomaly.id, { benign: false }));
    expect(resolved).toMatchObject({ status: 'resolved', acknowledgedAt: acked.acknowledgedAt });
    expect(resolved.resolvedAt).not.toBeNull();
    expect(ok(await tessera.anomalies.list({ status: 'open', kind: 'honeytoken_used' })).items).toEqual([]);
    expect((await tessera.anomalies.acknowledge(anomaly.id)).error?.status).toBeGreaterThanOrEqual(400);
    expect((await tessera.anomalies.get('anm_doesnotexist')).error).toMatchObject({ status: 404 });
  });

  it('quarantines a reported leaked key; the suspension is listed and undone', async () => {
    const leaked = ok(await tessera.keys.create({ keyspaceId, ownerId: 'globex' }));
    const report = ok(await tessera.keys.reportLeaked({ keys: [leaked.key, 'not-a-key'], source: 'a public gist' }));
    expect(report.items).toHaveLength(2);
    const [first, second] = report.items;
    expect(first).toMatchObject({ status: 'quarantined', keyId: leaked.keyId });
    expectShape<LeakOutcome>(first!, { start: true, status: true }, { keyId: true, anomalyId: true });
    expect(second).toEqual({ start: '-', status: 'invalid' });
    expect(JSON.stringify(report)).not.toContain(leaked.key);
    expect(ok(await tessera.keys.verify({ key: leaked.key })).code).toBe('DISABLED');
    expect(ok(await tessera.anomalies.get(first!.anomalyId!))).toMatchObject({
      kind: 'key_leaked',
      severity: 'critical',
      keyId: leaked.keyId,
    });

    const active = ok(await tessera.suspensions.list({ keyId: leaked.keyId, active: true })).items;
    expect(active).toHaveLength(1);
    expect(active[0]).toMatchObject({ keyId: leaked.keyId, anomalyId: first!.anomalyId, wasEnabled: true, undoneAt: null });
    expectShape<Suspension>(active[0]!, {
      id: true,
      keyId: true,
      anomalyId: true,
      reason: true,
      suspendedAt: true,
      wasEnabled: true,
      undoneAt: true,
      undoneBy: true,
    });
    const undone = ok(await tessera.suspensions.undo(active[0]!.id));
    expect(undone.undoneAt).not.toBeNull();
    expect(ok(await tessera.keys.verify({ key: leaked.key })).code).toBe('VALID');
    expect(ok(await tessera.suspensions.list({ keyId: leaked.keyId, active: true })).items).toEqual([]);
    expect(ok(await tessera.suspensions.list({ keyId: leaked.keyId })).items.map((s) => s.id)).toEqual([undone.id]);

    const revoked = ok(await tessera.keys.reportLeaked({ keys: [leaked.key], action: 'revoke' }));
    expect(revoked.items[0]).toMatchObject({ status: 'revoked', keyId: leaked.keyId });
    expect(ok(await tessera.keys.verify({ key: leaked.key })).code).toBe('REVOKED');
  });

  it('keeps the reported keys out of an error message, whatever the answer echoes', async () => {
    const secretish = 'internal-token-7f3a9c2e1b';
    const echoing: typeof fetch = async (_input, init) =>
      new Response(JSON.stringify({ code: 'VALIDATION_FAILED', detail: `cannot take ${String(init?.body)}` }), {
        status: 400,
        headers: { 'content-type': 'application/problem+json' },
      });
    const r = await new Tessera({ baseUrl: server.url, rootKey: server.rootKey, fetch: echoing }).keys.reportLeaked({ keys: [secretish] });
    expect(r.error).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    expect(r.error!.message).toContain('[redacted]');
    expect(r.error!.message).not.toContain(secretish);
  });
});

describe('webhooks, delivered to a real receiver on loopback', () => {
  let receiver: WebhookReceiver;
  let webhook: Webhook & { secret: string };
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(() => receiver?.close());

  it('creates a subscription, shows its secret once, reads and lists it', async () => {
    webhook = ok(await tessera.webhooks.create({ url: receiver.url, events: ['key.leaked', 'anomaly.detected'] }));
    expect(webhook).toMatchObject({ url: receiver.url, events: ['key.leaked', 'anomaly.detected'], enabled: true });
    expect(webhook.secret).toMatch(/^whsec_/);
    expect(webhook.secret.startsWith(webhook.secretStart.replace('…', ''))).toBe(true);
    const { secret, ...stored } = webhook;
    expectShape<Webhook>(stored, { id: true, url: true, events: true, enabled: true, secretStart: true, createdAt: true, updatedAt: true });
    expect(ok(await tessera.webhooks.get(webhook.id))).toEqual(stored);
    expect(ok(await tessera.webhooks.list()).items).toContainEqual(stored);
    expect(JSON.stringify(ok(await tessera.webhooks.list()))).not.toContain(secret);
  });

  it('sends a signed test delivery and logs it', async () => {
    const delivery = ok(await tessera.webhooks.test(webhook.id));
    expect(delivery).toMatchObject({
      webhookId: webhook.id,
      eventType: 'webhook.test',
      status: 'succeeded',
      attempts: 1,
      responseStatus: 200,
      lastError: null,
    });
    expectShape<WebhookDelivery>(delivery, {
      id: true,
      webhookId: true,
      eventId: true,
      eventType: true,
      status: true,
      attempts: true,
      nextAttemptAt: true,
      lastAttemptAt: true,
      responseStatus: true,
      lastError: true,
      createdAt: true,
      deliveredAt: true,
      payload: true,
    });
    const got = receiver.received.at(-1)!;
    expect(JSON.parse(got.body)).toEqual(delivery.payload);
    expect(signedWith(webhook.secret, got)).toBe(true);
    const log = ok(await tessera.webhooks.deliveries(webhook.id));
    expect(log.items.map((d) => d.id)).toEqual([delivery.id]);
    expect(log.nextCursor).toBeNull();
  });

  it('rotates the secret: the next delivery is signed with the new one only', async () => {
    const rotated = ok(await tessera.webhooks.rotateSecret(webhook.id));
    expect(rotated.id).toBe(webhook.id);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(webhook.secret);
    const delivery = ok(await tessera.webhooks.test(webhook.id));
    expect(delivery.status).toBe('succeeded');
    const got = receiver.received.at(-1)!;
    expect(signedWith(rotated.secret, got)).toBe(true);
    expect(signedWith(webhook.secret, got)).toBe(false);
    const first = ok(await tessera.webhooks.deliveries(webhook.id, { limit: 1 }));
    expect(first.items.map((d) => d.id)).toEqual([delivery.id]);
    const rest = ok(await tessera.webhooks.deliveries(webhook.id, { limit: 1, cursor: first.nextCursor! }));
    expect(rest.items).toHaveLength(1);
    expect(rest.items[0]!.id).not.toBe(delivery.id);
    webhook = rotated;
  });

  it('delivers a real event: a leaked key reported through the SDK', async () => {
    const ks = ok(await tessera.keyspaces.create({ name: 'Hooks', prefix: 'hook' }));
    const { key, keyId } = ok(await tessera.keys.create({ keyspaceId: ks.id }));
    ok(await tessera.keys.reportLeaked({ keys: [key], source: 'webhook test' }));
    await server.services.monitoring.settle();
    let leaked: WebhookDelivery | undefined;
    for (let i = 0; i < 100 && leaked === undefined; i++) {
      // This key's delivery: an earlier test's leak report has one of its own.
      leaked = ok(await tessera.webhooks.deliveries(webhook.id)).items.find(
        (d) => d.eventType === 'key.leaked' && d.status === 'succeeded' && JSON.stringify(d.payload).includes(keyId),
      );
      if (leaked === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    expect(leaked?.payload).toMatchObject({ type: 'key.leaked' });
    expect(JSON.stringify(leaked?.payload)).toContain(keyId);
    expect(JSON.stringify(receiver.received)).not.toContain(key);
  });

  it('updates, then deletes the subscription', async () => {
    const updated = ok(await tessera.webhooks.update(webhook.id, { enabled: false, events: ['*'] }));
    expect(updated).toMatchObject({ enabled: false, events: ['*'], url: receiver.url });
    expect(ok(await tessera.webhooks.delete(webhook.id))).toBeUndefined();
    expect((await tessera.webhooks.get(webhook.id)).error).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect((await tessera.webhooks.create({ url: 'ftp://x.example/hook', events: ['*'] })).error).toMatchObject({
      code: 'VALIDATION_FAILED',
      status: 400,
    });
  });

  it('keeps a webhook secret that ends up in a path out of the message', async () => {
    const { secret } = ok(await tessera.webhooks.create({ url: receiver.url, events: ['*'] }));
    const r = await tessera.webhooks.get(secret); // a secret where the id belongs
    expect([400, 404]).toContain(r.error?.status);
    expect(r.error!.message).not.toContain(secret);
    expect(r.error!.message).toContain('[redacted]');
  });
});

describe('the portal', () => {
  it('sets a keyspace’s portal settings and hands an owner a single-use link', async () => {
    const ks = ok(await tessera.keyspaces.create({ name: 'Portal', prefix: 'ptl' }));
    expect(ok(await tessera.portal.getSettings(ks.id))).toMatchObject({ maxKeysPerOwner: 5, updatedAt: null });
    const set = ok(
      await tessera.portal.updateSettings(ks.id, { maxKeysPerOwner: 3, allowedScopes: ['orders:read'], brandColor: '#0a6b44' }),
    );
    expect(set).toMatchObject({ maxKeysPerOwner: 3, allowedScopes: ['orders:read'], brandColor: '#0a6b44' });
    expect((await tessera.portal.updateSettings(ks.id, { brandColor: 'red' })).error?.code).toBe('VALIDATION_FAILED');
    const session = ok(await tessera.portal.createSession({ ownerId: 'acme', keyspaceId: ks.id, returnUrl: 'https://app.example.com/' }));
    expect(session.url).toMatch(/\/portal\/open\/[0-9a-f]{64}$/);
    const opened = await fetch(session.url, { redirect: 'manual' });
    expect(opened.status).toBe(303);
    expect((await fetch(session.url, { redirect: 'manual' })).status).toBe(410);
  });
});

describe('the hosted pages: branding and upstream providers', () => {
  it('sets the brand of the workspace, and refuses a colour that is not one', async () => {
    expect(ok(await tessera.workspaces.getBranding())).toEqual({ name: null, logoUrl: null, color: null });
    const brand = { name: 'Notes', logoUrl: 'https://notes.example/logo.png', color: '#0b6e4f' };
    expect(ok(await tessera.workspaces.updateBranding(brand))).toEqual(brand);
    expect((await tessera.workspaces.updateBranding({ color: 'red' })).error?.code).toBe('VALIDATION_FAILED');
    expect(ok(await tessera.workspaces.updateBranding({ name: null, logoUrl: null, color: null }))).toEqual({
      name: null,
      logoUrl: null,
      color: null,
    });
  });

  it('refuses an upstream provider whose issuer cannot be discovered, and answers 404 for one that does not exist', async () => {
    const refused = await tessera.oauth.createUpstreamProvider({
      name: 'nowhere',
      issuer: 'http://127.0.0.1:9/',
      clientId: 'tessera',
      clientSecret: 'not-a-real-secret',
    });
    expect(refused.error?.status).toBe(400);
    expect(ok(await tessera.oauth.listUpstreamProviders()).items).toEqual([]);
    expect((await tessera.oauth.getUpstreamProvider('idp_0Vd46Q4t4Q77wdQeieA45f')).error?.status).toBe(404);
    expect((await tessera.oauth.deleteUpstreamProvider('idp_0Vd46Q4t4Q77wdQeieA45f')).error?.status).toBe(404);
  });
});

describe('coverage of the live OpenAPI document', () => {
  it('has every documented management operation reached by a client method above', async () => {
    // The event stream is followed by the cache, not called: open it once through the client.
    const following = new Tessera({ baseUrl: server.url, rootKey: server.rootKey, events: true });
    expect(await following.eventsReady()).toBe(true);
    following.close();
    sent.push('GET /v1/events');
    // Forward auth is called by gateways with their own header, not by the client: asked once directly.
    const ks = ok(await tessera.keyspaces.list()).items[0]!.id;
    const asked = await fetch(`${server.url}/v1/keyspaces/${ks}/forward-auth`, {
      headers: { 'tessera-gateway-key': server.rootKey, 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/status' },
    });
    expect(asked.status).toBe(401); // no client key
    sent.push(`GET /v1/keyspaces/${ks}/forward-auth`);

    const doc = await (await fetch(`${server.url}/openapi.json`)).json();
    const ops = managementOperations(doc);
    const missing = ops
      .filter(({ method, path }) => {
        const pattern = new RegExp(`^${method} ${path.replace(/\{\*\}/g, '.+').replace(/\{[^}]+\}/g, '[^/]+')}$`);
        return !sent.some((s) => pattern.test(s));
      })
      .map((o) => o.op);
    expect(missing).toEqual([]);
  });
});
