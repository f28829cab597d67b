import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { LOOPBACK_WEBHOOKS } from '../support/server.js';
import { startOAuthServer, type OAuthTestServer } from './support.js';

const DAY = 86_400_000;

describe.each(DIALECTS)('OAuth client-secret rotation schedules (%s)', (dialect) => {
  let s: OAuthTestServer;
  let receiver: Server;
  const received: { event: string; body: string }[] = [];
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ event: String(req.headers['tessera-event']), body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    s = await startOAuthServer(dialect, LOOPBACK_WEBHOOKS);
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    expect((await s.api('POST', '/v1/webhooks', { url, events: ['oauth_client.secret_rotation_due'] })).status).toBe(201);
  });
  afterAll(async () => {
    await s?.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  const works = async (id: string, secret: string) =>
    (await s.form('/oauth/token', { grant_type: 'client_credentials' }, { authorization: s.basic(id, secret) })).status === 200;

  it('refuses schedules that cannot work', async () => {
    for (const secretRotation of [
      { intervalDays: 0 },
      { intervalDays: 366 },
      { intervalDays: 1, overlapSeconds: 86_400 }, // the overlap must be shorter than the interval
      { intervalDays: 30, overlapSeconds: 31 * 86_400 },
    ]) {
      const r = await s.api('POST', '/v1/oauth/clients', { name: 'x', scopes: ['a'], secretRotation });
      expect(r.status, JSON.stringify(secretRotation)).toBe(400);
      expect(r.body.code).toBe('VALIDATION_FAILED');
    }
    const jwt = await s.api('POST', '/v1/oauth/clients', {
      name: 'x',
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: { keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }] },
      secretRotation: { intervalDays: 30 },
    });
    expect(jwt.status).toBe(400);
    expect(jwt.body.detail).toContain('no secret to rotate');
  });

  it('tells the owner once when the secret falls due (no secret in the webhook); rotate-secret keeps the overlap', async () => {
    const { clientId, clientSecret, view } = await s.client({ scopes: ['a'], secretRotation: { intervalDays: 30 } });
    expect(view.secretRotation).toEqual({ intervalDays: 30, overlapSeconds: 7 * 86_400 });
    expect(Date.parse(view.secretRotationDueAt)).toBe(Date.parse(view.createdAt) + 30 * DAY);
    const other = await s.client({ scopes: ['a'] });
    expect(other.view).toMatchObject({ secretRotation: null, secretRotationDueAt: null });

    // Not due yet: nothing is said.
    s.clock.advance(29 * DAY);
    await s.services.oauth.maintain();
    await s.services.monitoring.settle();
    expect(received).toHaveLength(0);
    // Due: one notice, however often the maintenance runs, and on whichever node.
    s.clock.advance(DAY + 1000);
    await s.services.oauth.maintain();
    await s.services.oauth.maintain();
    await s.services.monitoring.settle();
    expect(received.map((r) => r.event)).toEqual(['oauth_client.secret_rotation_due']);
    const event = JSON.parse(received[0]!.body);
    expect(event.data).toMatchObject({ clientId, intervalDays: 30, overlapSeconds: 7 * 86_400, dueAt: view.secretRotationDueAt });
    expect(received[0]!.body).not.toContain('tessera_cs_');
    // The schedule rotates nothing by itself: the secret still works.
    expect(await works(clientId, clientSecret!)).toBe(true);
    const [audit] = await s.services.store.listAudit({ limit: 1, action: 'oauth_client.secret_rotation_due' });
    expect(audit).toMatchObject({ actor: 'system', target: clientId });

    // The owner rotates without naming a grace: both secrets work for the overlap, then only the new one.
    const rotated = await s.api('POST', `/v1/oauth/clients/${clientId}/rotate-secret`, {});
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.clientSecret as string;
    expect(await works(clientId, clientSecret!)).toBe(true);
    expect(await works(clientId, fresh)).toBe(true);
    const after = (await s.api('GET', `/v1/oauth/clients/${clientId}`)).body;
    expect(Date.parse(after.secretRotationDueAt)).toBe(s.clock.now() + 30 * DAY);
    s.clock.advance(7 * DAY + 1000);
    expect(await works(clientId, clientSecret!)).toBe(false);
    expect(await works(clientId, fresh)).toBe(true);
    // The next due date is a new notice.
    s.clock.advance(23 * DAY);
    await s.services.oauth.maintain();
    await s.services.monitoring.settle();
    expect(received.filter((r) => r.body.includes(clientId))).toHaveLength(2);
  });

  it('a schedule set later counts from the current secret; null removes it', async () => {
    const { clientId } = await s.client({ scopes: ['a'] });
    const issuedAt = s.clock.now();
    s.clock.advance(10 * DAY);
    const set = await s.api('PATCH', `/v1/oauth/clients/${clientId}`, { secretRotation: { intervalDays: 14, overlapSeconds: 3600 } });
    expect(set.body.secretRotation).toEqual({ intervalDays: 14, overlapSeconds: 3600 });
    expect(Date.parse(set.body.secretRotationDueAt)).toBe(issuedAt + 14 * DAY);
    const off = await s.api('PATCH', `/v1/oauth/clients/${clientId}`, { secretRotation: null });
    expect(off.body).toMatchObject({ secretRotation: null, secretRotationDueAt: null });
  });
});
