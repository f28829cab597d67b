import { ManualClock, SecretRotationRunner, WebhookRotator, type Rotator } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { LOOPBACK_WEBHOOKS, startTestServer, type TestServer } from '../support/server.js';
import { signedWith, startWebhookReceiver, type Received, type WebhookReceiver } from '../support/webhook-receiver.js';

const at = (ms: number) => new Date(ms).toISOString();

/**
 * The webhook rotator against a real endpoint on loopback that checks Tessera's signature: a new
 * value only after both signed steps; a failing endpoint retried with backoff (on an injected
 * clock), audited and sent as a webhook event, the current version staying; and two runners on
 * one store rotating a due secret once. On SQLite and PostgreSQL.
 */
describe.each(DIALECTS)('webhook rotator (%s)', (dialect) => {
  let s: TestServer;
  let endpoint: WebhookReceiver;
  let alerts: WebhookReceiver;
  const clock = new ManualClock(Date.parse('2026-06-01T09:00:00Z'));
  let signingSecret = '';
  let made = 0;
  /** How the integrator's endpoint answers: create and confirm, each may fail. */
  const behaviour = { create: 200, confirm: 200 };
  const unsigned: string[] = [];
  const answer = (r: Received) => {
    if (!signedWith(signingSecret, r)) {
      unsigned.push(r.body);
      return { status: 401 };
    }
    const body = JSON.parse(r.body) as { type: string };
    if (body.type === 'secret.rotation.create')
      return behaviour.create === 200
        ? { status: 200, body: JSON.stringify({ value: `sk_rotated_${++made}_${'x'.repeat(20)}` }) }
        : { status: behaviour.create };
    return { status: behaviour.confirm, body: '{}' };
  };
  const value = async (name: string, version?: number) =>
    (await s.api('GET', `/v1/secrets/${name}${version ? `?version=${version}` : ''}`)).body as { value: string; version: number };
  const audit = async (action: string) =>
    (await s.api('GET', `/v1/audit?action=${action}&limit=50`)).body.items as { target: string; details: any }[];

  beforeAll(async () => {
    endpoint = await startWebhookReceiver({ answer });
    alerts = await startWebhookReceiver();
    s = await startTestServer(dialect, { clock, env: LOOPBACK_WEBHOOKS });
    expect((await s.api('POST', '/v1/webhooks', { url: alerts.url, events: ['secret.rotation_failed'] })).status).toBe(201);
  });
  afterAll(async () => {
    await s?.close();
    await endpoint?.close();
    await alerts?.close();
  });

  it('stores the new value only after the endpoint made it and confirmed it, both steps signed', async () => {
    await s.api('PUT', '/v1/secrets/payments/psp', { value: 'sk_initial_value_0000000000' });
    const set = await s.api('PUT', '/v1/secret-rotations/payments/psp', { rotator: 'webhook', url: endpoint.url, every: '12h' });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      secret: 'payments/psp',
      rotator: 'webhook',
      url: endpoint.url,
      every: '12h',
      nextRotationAt: at(clock.now() + 12 * 3_600_000),
    });
    signingSecret = set.body.signingSecret;
    expect(signingSecret).toMatch(/^whsec_/);
    // Set again: the signing secret is kept, and not shown again.
    const again = await s.api('PUT', '/v1/secret-rotations/payments/psp', { rotator: 'webhook', url: endpoint.url, every: '12h' });
    expect(again.body.signingSecret).toBeUndefined();

    const r = await s.api('POST', '/v1/secret-rotations/payments/psp');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ version: 2, lastResult: 'succeeded', attempts: 0, lastError: null, pending: false });
    expect(unsigned).toEqual([]);
    const [create, confirm] = endpoint.received.splice(0).map((x) => JSON.parse(x.body));
    expect(create).toMatchObject({ type: 'secret.rotation.create', secret: 'payments/psp', currentVersion: 1 });
    expect(confirm).toMatchObject({ type: 'secret.rotation.confirm', secret: 'payments/psp', version: 2, rotationId: create.rotationId });
    expect(await value('payments/psp')).toMatchObject({ version: 2, value: `sk_rotated_1_${'x'.repeat(20)}` });
    expect((await value('payments/psp', 1)).value).toBe('sk_initial_value_0000000000');
    const [rotated] = await audit('secret.rotated');
    expect(rotated).toMatchObject({
      target: 'payments/psp',
      details: { version: 2, previousVersion: 1, rotator: 'webhook', trigger: 'request' },
    });
  });

  it('keeps the current version when the endpoint fails, retries with backoff, audits and alerts each failure', async () => {
    behaviour.confirm = 500;
    const failed = await s.api('POST', '/v1/secret-rotations/payments/psp');
    expect(failed.body).toMatchObject({
      version: null,
      lastResult: 'failed',
      lastError: 'the endpoint answered HTTP 500 to confirm',
      attempts: 1,
      pending: false,
      nextRotationAt: at(clock.now() + 30_000),
    });
    expect((await value('payments/psp')).version).toBe(2); // the pending value was dropped
    const runner = s.services.secretRotation.runner;
    expect(await runner.runDue()).toBe(0); // not due before its backoff
    behaviour.create = 503;
    clock.advance(30_000);
    expect(await runner.runDue()).toBe(1);
    const state = (await s.api('GET', '/v1/secret-rotations/payments/psp')).body;
    expect(state).toMatchObject({
      attempts: 2,
      lastError: 'the endpoint answered HTTP 503 to create',
      nextRotationAt: at(clock.now() + 120_000),
    });
    const failures = await audit('secret.rotation_failed');
    expect(failures.map((f) => f.details.attempts)).toEqual([2, 1]);
    await s.services.monitoring.settle();
    const sent = alerts.received.splice(0).map((x) => JSON.parse(x.body) as { type: string; data: any });
    // Deliveries of one moment may arrive in either order.
    expect(sent.map((x) => [x.type, x.data.secret, x.data.attempts]).sort((a, b) => a[2] - b[2])).toEqual([
      ['secret.rotation_failed', 'payments/psp', 1],
      ['secret.rotation_failed', 'payments/psp', 2],
    ]);
    // The endpoint recovers: the retry after the backoff succeeds, and the schedule resumes.
    behaviour.create = 200;
    behaviour.confirm = 200;
    clock.advance(119_000);
    expect(await runner.runDue()).toBe(0);
    clock.advance(1_000);
    expect(await runner.runDue()).toBe(1);
    expect((await s.api('GET', '/v1/secret-rotations/payments/psp')).body).toMatchObject({
      attempts: 0,
      lastResult: 'succeeded',
      lastError: null,
      nextRotationAt: at(clock.now() + 12 * 3_600_000),
    });
    expect(await value('payments/psp')).toMatchObject({ version: 3 });
    const rotated = await audit('secret.rotated');
    expect(rotated[0]).toMatchObject({ details: { version: 3, attempts: 3, trigger: 'schedule' } });
    endpoint.received.length = 0;
  });

  it('rotates a due secret once when two runners share the store', async () => {
    const { store, keyring } = { store: s.db.store, keyring: s.services.keyring };
    const rotators: Record<'webhook' | 'postgres-alternating', Rotator> = {
      webhook: new WebhookRotator({ clock, policy: { allowHttp: true, allowPrivate: ['127.0.0.0/8'] }, timeoutMs: 5_000 }),
      'postgres-alternating': { create: () => Promise.reject(new Error('unused')), confirm: () => Promise.reject(new Error('unused')) },
    };
    const runners = [0, 1].map(() => new SecretRotationRunner({ store, keyring, clock, rotators }));
    clock.advance(12 * 3_600_000);
    const attempted = await Promise.all(runners.map((r) => r.runDue()));
    expect(attempted[0]! + attempted[1]!).toBe(1);
    expect(endpoint.received.filter((x) => JSON.parse(x.body).type === 'secret.rotation.create')).toHaveLength(1);
    expect(await value('payments/psp')).toMatchObject({ version: 4 });
    expect(await Promise.all(runners.map((r) => r.runDue()))).toEqual([0, 0]);
  });

  it('refuses bad settings and needs the secret first; clears a rotation and keeps the versions', async () => {
    expect((await s.api('PUT', '/v1/secret-rotations/nope', { rotator: 'webhook', url: endpoint.url, every: null })).status).toBe(404);
    expect((await s.api('PUT', '/v1/secret-rotations/payments/psp', { rotator: 'webhook', url: endpoint.url, every: '0d' })).status).toBe(
      400,
    );
    expect((await s.api('PUT', '/v1/secret-rotations/payments/psp', { rotator: 'webhook', url: 'ftp://x', every: null })).status).toBe(400);
    const pg = { rotator: 'postgres-alternating', connection: 'missing', usernames: ['a', 'b'], every: '30d' };
    expect((await s.api('PUT', '/v1/secret-rotations/payments/psp', pg)).status).toBe(400);
    expect((await s.api('DELETE', '/v1/secret-rotations/payments/psp')).status).toBe(204);
    expect((await s.api('GET', '/v1/secret-rotations/payments/psp')).status).toBe(404);
    expect((await s.api('GET', '/v1/secret-rotations')).body.items).toEqual([]);
    expect((await value('payments/psp')).version).toBe(4);
    // No value, nor the signing secret, in the audit log or the server log.
    const everything = JSON.stringify((await s.api('GET', '/v1/audit?limit=500')).body) + s.logs.join('');
    for (const secret of [signingSecret, 'sk_initial_value_0000000000', 'sk_rotated_1_']) expect(everything).not.toContain(secret);
  });
});
