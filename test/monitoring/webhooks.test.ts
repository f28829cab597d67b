import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock, verifyWebhookSignature } from '@tessera/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { LOOPBACK_WEBHOOKS, startTestServer, type TestServer } from '../support/server.js';

/**
 * The receiver's side, written here from the documented scheme and nothing of Tessera's:
 * `Tessera-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, and a
 * timestamp within five minutes.
 */
function referenceVerify(secret: string, header: string | undefined, rawBody: string, nowSeconds: number): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (m === null) return false;
  if (Math.abs(nowSeconds - Number(m[1])) > 300) return false;
  const mac = createHmac('sha256', secret).update(`${m[1]}.${rawBody}`).digest();
  return timingSafeEqual(mac, Buffer.from(m[2]!, 'hex'));
}

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on loopback that fails the first `failures` requests with 500. */
class Receiver {
  received: Received[] = [];
  failures = 0;
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        this.received.push({ headers: req.headers, body });
        if (this.failures > 0) {
          this.failures--;
          res.writeHead(500).end('not now');
        } else res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/tessera?token=abc`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe.each(DIALECTS)('webhooks (%s)', (dialect) => {
  let s: TestServer;
  const clock = new ManualClock(Date.parse('2026-04-01T08:00:00Z'));
  const receiver = new Receiver();
  let hook: { id: string; secret: string };
  let keyspaceId: string;

  beforeAll(async () => {
    await receiver.start();
    s = await startTestServer(dialect, { clock, env: LOOPBACK_WEBHOOKS });
    keyspaceId = (await s.api('POST', '/v1/keyspaces', { name: 'hooks', prefix: 'wh_live' })).body.id;
    const r = await s.api('POST', '/v1/webhooks', {
      url: receiver.url,
      events: ['key.created', 'key.revoked', 'key.suspended', 'anomaly.detected'],
    });
    expect(r.status).toBe(201);
    expect(r.body.secret).toMatch(/^whsec_/);
    hook = { id: r.body.id, secret: r.body.secret };
  });
  afterAll(async () => {
    await s?.close();
    await receiver.close();
  });
  beforeEach(() => {
    receiver.received = [];
    receiver.failures = 0;
  });

  const settle = () => s.services.monitoring.settle();

  it('delivers key events signed with HMAC-SHA256 over a timestamp, which a reference implementation verifies', async () => {
    const created = await s.api('POST', '/v1/keys', { keyspaceId, ownerId: 'acme' });
    await settle();
    expect(receiver.received).toHaveLength(1);
    const [d] = receiver.received;
    expect(d!.headers['tessera-event']).toBe('key.created');
    expect(d!.headers['content-type']).toBe('application/json');
    const body = JSON.parse(d!.body);
    expect(body).toMatchObject({
      type: 'key.created',
      workspaceId: expect.any(String),
      data: { keyId: created.body.keyId, keyspaceId, ownerId: 'acme' },
    });
    expect(body.id).toMatch(/^wev_/);
    const now = Math.floor(clock.now() / 1000);
    expect(referenceVerify(hook.secret, d!.headers['tessera-signature'] as string, d!.body, now)).toBe(true);
    // A changed body, another secret, or a replay ten minutes later do not verify.
    expect(referenceVerify(hook.secret, d!.headers['tessera-signature'] as string, d!.body.replace('acme', 'evil'), now)).toBe(false);
    expect(referenceVerify(`${hook.secret}x`, d!.headers['tessera-signature'] as string, d!.body, now)).toBe(false);
    expect(referenceVerify(hook.secret, d!.headers['tessera-signature'] as string, d!.body, now + 600)).toBe(false);
    // Tessera's own helper agrees with the reference.
    expect(verifyWebhookSignature(hook.secret, d!.headers['tessera-signature'] as string, d!.body, now)).toBe(true);
    expect(verifyWebhookSignature(hook.secret, d!.headers['tessera-signature'] as string, d!.body, now + 600)).toBe(false);
    expect(d!.body).not.toContain(created.body.key);
  });

  it('retries with backoff after failures and stops once a delivery succeeds', async () => {
    const { body: key } = await s.api('POST', '/v1/keys', { keyspaceId });
    await settle();
    receiver.received = [];
    receiver.failures = 2;
    await s.api('POST', `/v1/keys/${key.keyId}/revoke`, { reason: 'test' });
    await settle();
    expect(receiver.received).toHaveLength(1); // attempt 1: 500
    // Ids made in the same millisecond do not sort by creation: find the delivery by its event.
    const log = async () =>
      (await s.api('GET', `/v1/webhooks/${hook.id}/deliveries`)).body.items.find((d: any) => d.eventType === 'key.revoked');
    expect(await log()).toMatchObject({
      eventType: 'key.revoked',
      status: 'pending',
      attempts: 1,
      responseStatus: 500,
      lastError: 'http_status',
    });
    await settle();
    expect(receiver.received).toHaveLength(1); // not due yet
    clock.advance(10_000);
    await settle();
    expect(receiver.received).toHaveLength(2); // attempt 2, after 10 s: 500
    expect((await log()).nextAttemptAt).toBe(new Date(clock.now() + 30_000).toISOString());
    clock.advance(30_000);
    await settle();
    expect(receiver.received).toHaveLength(3); // attempt 3, after 30 s more: 204
    expect(await log()).toMatchObject({
      status: 'succeeded',
      attempts: 3,
      responseStatus: 204,
      nextAttemptAt: null,
      deliveredAt: new Date(clock.now()).toISOString(),
    });
    clock.advance(24 * 3_600_000);
    await settle();
    expect(receiver.received).toHaveLength(3); // nothing more once it succeeded
    expect(new Set(receiver.received.map((r) => r.headers['tessera-delivery'])).size).toBe(1);
    expect(JSON.parse(receiver.received[2]!.body)).toMatchObject({ type: 'key.revoked', data: { keyId: key.keyId, reason: 'test' } });
  });

  it('gives up after the last attempt and keeps the failure in the delivery log', async () => {
    const w = s.services.monitoring.webhooks.deliverer;
    receiver.failures = 1000;
    await s.api('POST', '/v1/keys', { keyspaceId });
    await settle();
    for (let i = 0; i < 10; i++) {
      clock.advance(3 * 3_600_000);
      await w.runDue();
    }
    expect(receiver.received).toHaveLength(8);
    const items = (await s.api('GET', `/v1/webhooks/${hook.id}/deliveries`)).body.items.filter((d: any) => d.eventType === 'key.created');
    expect(items.filter((d: any) => d.status === 'failed')).toHaveLength(1);
    expect(items.find((d: any) => d.status === 'failed')).toMatchObject({ attempts: 8, nextAttemptAt: null, responseStatus: 500 });
  });

  it('sends anomalies: a honeytoken being used reaches the receiver as anomaly.detected', async () => {
    const honey = await s.api('POST', '/v1/honeytokens', { keyspaceId });
    await s.api('POST', '/v1/keys/verify', { key: honey.body.key, ip: '203.0.113.99' });
    await settle();
    const anomaly = receiver.received.map((r) => JSON.parse(r.body)).find((b) => b.type === 'anomaly.detected');
    expect(anomaly.data).toMatchObject({ kind: 'honeytoken_used', severity: 'critical', keyId: honey.body.keyId });
    expect(anomaly.data.explanation).toContain('203.0.113.99');
  });

  it('sends a test delivery on request and answers with its outcome', async () => {
    const r = await s.api('POST', `/v1/webhooks/${hook.id}/test`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ eventType: 'webhook.test', status: 'succeeded', attempts: 1, responseStatus: 204 });
    expect(receiver.received.map((x) => x.headers['tessera-event'])).toEqual(['webhook.test']);
  });

  it('keeps the signing secret encrypted, shows it once, and a rotated secret signs from then on', async () => {
    const got = await s.api('GET', `/v1/webhooks/${hook.id}`);
    expect(JSON.stringify(got.body)).not.toContain(hook.secret);
    const { rows } = await sql<{ secret_ciphertext: string }>`select secret_ciphertext from webhooks`.execute(s.db.store.kysely);
    expect(rows[0]!.secret_ciphertext).not.toContain(hook.secret.slice(6));
    const audit = (await s.api('GET', '/v1/audit?action=webhook.created')).body.items[0];
    expect(audit.details.url).toBe(receiver.url.split('?')[0]);
    const rotated = await s.api('POST', `/v1/webhooks/${hook.id}/rotate-secret`);
    expect(rotated.body.secret).not.toBe(hook.secret);
    await s.api('POST', `/v1/webhooks/${hook.id}/test`);
    const d = receiver.received[0]!;
    expect(referenceVerify(rotated.body.secret, d.headers['tessera-signature'] as string, d.body, Math.floor(clock.now() / 1000))).toBe(
      true,
    );
    expect(referenceVerify(hook.secret, d.headers['tessera-signature'] as string, d.body, Math.floor(clock.now() / 1000))).toBe(false);
  });

  it('sends expiring-soon and credits-low notices from the hygiene sweep, once each', async () => {
    const notices = await s.api('POST', '/v1/webhooks', { url: receiver.url, events: ['key.expiring', 'key.credits_low'] });
    await s.api('PUT', `/v1/keyspaces/${keyspaceId}/policy`, { expiringNoticeDays: 3, creditsLowThreshold: 10 });
    const expiring = await s.api('POST', '/v1/keys', { keyspaceId, ttlSeconds: 2 * 86_400 });
    const low = await s.api('POST', '/v1/keys', { keyspaceId, credits: { remaining: 11 } });
    await s.api('POST', '/v1/keys/verify', { key: low.body.key, cost: 2 });
    await s.services.usage.flush();
    await settle();
    receiver.received = [];
    await s.api('POST', '/v1/hygiene/sweep');
    await s.api('POST', '/v1/hygiene/sweep');
    await settle();
    const got = receiver.received.filter((r) => r.headers['tessera-event'] !== 'key.created').map((r) => JSON.parse(r.body));
    expect(got.map((b) => [b.type, b.data.keyId]).sort()).toEqual(
      [
        ['key.credits_low', low.body.keyId],
        ['key.expiring', expiring.body.keyId],
      ].sort(),
    );
    expect(got.find((b) => b.type === 'key.credits_low').data).toMatchObject({ remaining: 9, threshold: 10 });
    await s.api('DELETE', `/v1/webhooks/${notices.body.id}`);
  });

  it('delivers to a receiver named by host name', async () => {
    const url = new URL(receiver.url);
    url.hostname = 'localhost';
    const byName = await s.api('POST', '/v1/webhooks', { url: url.href, events: ['key.unsuspended'] });
    const r = await s.api('POST', `/v1/webhooks/${byName.body.id}/test`);
    expect(r.body).toMatchObject({ status: 'succeeded', attempts: 1, responseStatus: 204, lastError: null });
    expect(receiver.received.map((x) => [x.headers.host, x.headers['tessera-event']])).toEqual([[url.host, 'webhook.test']]);
    await s.api('DELETE', `/v1/webhooks/${byName.body.id}`);
  });

  it('counts a redirect and a refused connection as failed attempts, and records why', async () => {
    const redirecting = createServer((req, res) => {
      req.resume();
      res.writeHead(302, { location: receiver.url }).end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    const { port } = redirecting.address() as AddressInfo;
    try {
      const moved = await s.api('POST', '/v1/webhooks', { url: `http://localhost:${port}/hooks`, events: ['key.unsuspended'] });
      expect((await s.api('POST', `/v1/webhooks/${moved.body.id}/test`)).body).toMatchObject({
        status: 'pending',
        responseStatus: 302,
        lastError: 'http_status',
      });
      expect(receiver.received).toHaveLength(0); // not followed
      await new Promise((resolve) => redirecting.close(resolve));
      const refused = await s.api('POST', `/v1/webhooks/${moved.body.id}/test`);
      expect(refused.body).toMatchObject({ status: 'pending', responseStatus: null });
      expect(refused.body.lastError).toBe('connection_failed'); // the socket error is in the server log only
      expect(s.logs.join('\n')).toMatch(new RegExp(`connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\b`));
      await s.api('DELETE', `/v1/webhooks/${moved.body.id}`);
    } finally {
      if (redirecting.listening) redirecting.close();
    }
  });

  it('refuses unknown event types and URLs with credentials', async () => {
    expect((await s.api('POST', '/v1/webhooks', { url: receiver.url, events: ['key.exploded'] })).body.code).toBe('VALIDATION_FAILED');
    expect((await s.api('POST', '/v1/webhooks', { url: 'http://user:pw@127.0.0.1/x', events: ['*'] })).body.code).toBe('VALIDATION_FAILED');
  });
});
