import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { IDEMPOTENCY_ABANDONED_MS, IDEMPOTENCY_TTL_MS, ManualClock } from '@tessera/core';
import { createApp, createServices, loadConfig } from '@tessera/server';
import { KyselyStore, kyselyPorts } from '@tessera/store';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

interface Answer {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

describe.each(DIALECTS)('Idempotency-Key (%s)', (dialect) => {
  let s: TestServer;
  let keyspaceId: string;
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    s = await startTestServer(dialect, { clock });
    keyspaceId = (await s.api('POST', '/v1/keyspaces', { name: 'idem', prefix: 'ik' })).body.id;
  });
  afterAll(() => s.close());

  const call = async (method: string, path: string, body: unknown, key?: string, bearer = s.rootKey, url = s.url): Promise<Answer> => {
    const res = await fetch(url + path, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(key !== undefined && { 'idempotency-key': key }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, text, body: text === '' ? undefined : JSON.parse(text), headers: res.headers };
  };
  const keysOf = async (ownerId: string) =>
    (await s.api('GET', `/v1/keys?keyspaceId=${keyspaceId}&ownerId=${ownerId}`)).body.items as { keyId: string }[];
  const rootKeyIdOf = async (rootKey: string) => {
    const outcome = await s.services.rootKeys.authenticate(rootKey, '127.0.0.1');
    if (!outcome.ok) throw new Error(`root key refused: ${outcome.reason}`);
    return outcome.record.id;
  };
  const rows = () =>
    s.db.store.kysely
      .selectFrom('idempotency_keys' as never)
      .selectAll()
      .execute() as Promise<Record<string, unknown>[]>;

  describe('a retry gets the first outcome', () => {
    it('a create retried with the same key answers the same key, and only one exists', async () => {
      const key = randomUUID();
      const first = await call('POST', '/v1/keys', { keyspaceId, ownerId: 'retry-1' }, key);
      const again = await call('POST', '/v1/keys', { keyspaceId, ownerId: 'retry-1' }, key);
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.headers.get('content-type')).toContain('application/json');
      expect(again.body).toEqual(first.body);
      expect(again.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
      expect(await keysOf('retry-1')).toHaveLength(1);
      // The replayed key is the real one: it verifies.
      expect((await s.api('POST', '/v1/keys/verify', { key: again.body.key })).body.valid).toBe(true);
    });

    it('roll, revoke, update, root keys, keyspaces, secrets, OAuth clients and webhooks: one effect per key', async () => {
      const { keyId } = (await call('POST', '/v1/keys', { keyspaceId, ownerId: 'roll' })).body;
      const spareRootKeyId = (await call('POST', '/v1/root-keys', { name: 'to-roll', permissions: ['keys:read'] })).body.id;
      const cases: [string, string, unknown][] = [
        ['POST', `/v1/keys/${keyId}/roll`, { gracePeriodSeconds: 60 }],
        ['PATCH', `/v1/keys/${keyId}`, { name: 'renamed' }],
        ['POST', '/v1/root-keys', { name: 'idem-root', permissions: ['keys:read'] }],
        ['POST', `/v1/root-keys/${spareRootKeyId}/roll`, { gracePeriodSeconds: 60 }],
        ['POST', '/v1/keyspaces', { name: 'idem-ks', prefix: 'iks' }],
        ['PUT', '/v1/secrets/idem/one', { value: 'first-value' }],
        ['POST', '/v1/oauth/clients', { name: 'idem-client', grantTypes: ['client_credentials'] }],
        ['POST', '/v1/webhooks', { url: 'https://hooks.example.com/tessera', events: ['key.created'], enabled: false }],
        ['POST', `/v1/keys/${keyId}/revoke`, { reason: 'done' }],
      ];
      for (const [method, path, body] of cases) {
        const key = randomUUID();
        const first = await call(method, path, body, key);
        expect(first.status, `${method} ${path}: ${first.text}`).toBeLessThan(300);
        const again = await call(method, path, body, key);
        expect(again.status, `${method} ${path}`).toBe(first.status);
        expect(again.body, `${method} ${path}`).toEqual(first.body);
        expect(again.headers.get('idempotent-replayed'), `${method} ${path}`).toBe('true');
      }
      // One roll: the rolled key and one successor; one secret version; one client and one webhook.
      expect(await keysOf('roll')).toHaveLength(2);
      expect((await s.api('GET', '/v1/secrets/idem/one')).body.version).toBe(1);
      const clients = (await s.api('GET', '/v1/oauth/clients')).body.items as { name: string }[];
      expect(clients.filter((c) => c.name === 'idem-client')).toHaveLength(1);
      const hooks = (await s.api('GET', '/v1/webhooks')).body.items as { url: string }[];
      expect(hooks.filter((h) => h.url === 'https://hooks.example.com/tessera')).toHaveLength(1);
    });

    it('a client secret rotation retried answers the same secret, and the one it replaced still has its grace period', async () => {
      const created = await call('POST', '/v1/oauth/clients', { name: 'rotating', grantTypes: ['client_credentials'] });
      const key = randomUUID();
      const path = `/v1/oauth/clients/${created.body.clientId}/rotate-secret`;
      const first = await call('POST', path, { gracePeriodSeconds: 300 }, key);
      const again = await call('POST', path, { gracePeriodSeconds: 300 }, key);
      expect(first.status).toBe(200);
      expect(again.body.clientSecret).toBe(first.body.clientSecret);
    });

    it('an error outcome (4xx) is kept and replayed too', async () => {
      const key = randomUUID();
      const first = await call('POST', '/v1/keys/key_0000000000000000000000/revoke', {}, key);
      expect(first.status).toBe(404);
      const again = await call('POST', '/v1/keys/key_0000000000000000000000/revoke', {}, key);
      expect(again.status).toBe(404);
      expect(again.headers.get('content-type')).toContain('application/problem+json');
      expect(again.body).toEqual(first.body);
    });

    it('verify takes no key: one sent there keeps nothing and replays nothing', async () => {
      const created = await call('POST', '/v1/keys', { keyspaceId, ownerId: 'verify-none' });
      const before = (await rows()).length;
      const key = randomUUID();
      for (let i = 0; i < 2; i++) {
        const v = await call('POST', '/v1/keys/verify', { key: created.body.key }, key);
        expect(v.body.valid).toBe(true);
        expect(v.headers.get('idempotent-replayed')).toBeNull();
      }
      expect(await rows()).toHaveLength(before);
    });

    it('without a key, every request has its effect (nothing is kept)', async () => {
      const before = (await rows()).length;
      await call('POST', '/v1/keys', { keyspaceId, ownerId: 'no-key' });
      await call('POST', '/v1/keys', { keyspaceId, ownerId: 'no-key' });
      expect(await keysOf('no-key')).toHaveLength(2);
      expect(await rows()).toHaveLength(before);
    });
  });

  describe('a key is not reused for another request, nor by another caller', () => {
    it('the same key with another body, path or method: 422 IDEMPOTENCY_KEY_REUSED, no effect', async () => {
      const key = randomUUID();
      expect((await call('POST', '/v1/keys', { keyspaceId, ownerId: 'reuse' }, key)).status).toBe(201);
      const otherBody = await call('POST', '/v1/keys', { keyspaceId, ownerId: 'reuse-2' }, key);
      expect(otherBody.status).toBe(422);
      expect(otherBody.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', status: 422 });
      expect(otherBody.body.requestId).toBe(otherBody.headers.get('x-request-id'));
      expect((await call('POST', '/v1/keyspaces', { name: 'reuse', prefix: 'ru' }, key)).body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(await keysOf('reuse-2')).toHaveLength(0);
    });

    it("keys belong to their principal: another root key's same key and body has its own effect, never the first answer", async () => {
      const other = (await s.api('POST', '/v1/root-keys', { name: 'other', permissions: ['keys:create', 'keys:read'] })).body.key;
      const key = randomUUID();
      const mine = await call('POST', '/v1/keys', { keyspaceId, ownerId: 'scoped' }, key);
      const theirs = await call('POST', '/v1/keys', { keyspaceId, ownerId: 'scoped' }, key, other);
      expect(theirs.status).toBe(201);
      expect(theirs.headers.get('idempotent-replayed')).toBeNull();
      expect(theirs.body.key).not.toBe(mine.body.key);
      expect(await keysOf('scoped')).toHaveLength(2);
    });

    it('a malformed key is refused before anything runs', async () => {
      for (const bad of ['a'.repeat(256), 'with space']) {
        const r = await call('POST', '/v1/keys', { keyspaceId, ownerId: 'bad-key' }, bad);
        expect(r.status).toBe(400);
        expect(r.body.code).toBe('VALIDATION_FAILED');
      }
      expect(await keysOf('bad-key')).toHaveLength(0);
    });
  });

  describe('a retry while the first runs', () => {
    it('answers 409 IDEMPOTENCY_KEY_IN_PROGRESS with Retry-After, with no second effect', async () => {
      const key = randomUUID();
      const body = { keyspaceId, ownerId: 'busy' };
      const rootKeyId = await rootKeyIdOf(s.rootKey);
      // The first attempt holds the key (as a request on another node would while it runs).
      const held = await s.services.idempotency.begin({
        principal: `root_key:${rootKeyId}`,
        workspaceId: null,
        key,
        method: 'POST',
        path: '/v1/keys',
        body,
      });
      expect(held.kind).toBe('claimed');
      const r = await call('POST', '/v1/keys', body, key);
      expect(r.status).toBe(409);
      expect(r.body.code).toBe('IDEMPOTENCY_KEY_IN_PROGRESS');
      expect(r.headers.get('retry-after')).toBe('1');
      expect(await keysOf('busy')).toHaveLength(0);
    });

    it('a burst of the same request: exactly one key is made; every answer is that key or 409', async () => {
      const key = randomUUID();
      const answers = await Promise.all(Array.from({ length: 8 }, () => call('POST', '/v1/keys', { keyspaceId, ownerId: 'burst' }, key)));
      const made = await keysOf('burst');
      expect(made).toHaveLength(1);
      for (const a of answers) {
        if (a.status === 201) expect(a.body.keyId).toBe(made[0]!.keyId);
        else expect(a.body.code).toBe('IDEMPOTENCY_KEY_IN_PROGRESS');
      }
      expect(answers.filter((a) => a.status === 201 && a.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    });

    it('an attempt that failed on our side (5xx) lets the key go: the retry runs again', async () => {
      const key = randomUUID();
      const body = { keyspaceId, ownerId: 'released' };
      const input = {
        principal: `root_key:${await rootKeyIdOf(s.rootKey)}`,
        workspaceId: null,
        key,
        method: 'POST',
        path: '/v1/keys',
        body,
      };
      const held = await s.services.idempotency.begin(input);
      if (held.kind !== 'claimed') throw new Error(held.kind);
      expect((await call('POST', '/v1/keys', body, key)).status).toBe(409);
      await s.services.idempotency.release(held.claim); // what the hook does after a 5xx or 429
      const retry = await call('POST', '/v1/keys', body, key);
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBeNull();
      expect(await keysOf('released')).toHaveLength(1);
    });

    it('an attempt left unfinished (its node stopped) is taken over after a minute', async () => {
      const key = randomUUID();
      const body = { keyspaceId, ownerId: 'abandoned' };
      const rootKeyId = await rootKeyIdOf(s.rootKey);
      const input = { principal: `root_key:${rootKeyId}`, workspaceId: null, key, method: 'POST', path: '/v1/keys', body };
      expect((await s.services.idempotency.begin(input)).kind).toBe('claimed');
      expect((await call('POST', '/v1/keys', body, key)).status).toBe(409);
      clock.advance(IDEMPOTENCY_ABANDONED_MS);
      expect((await call('POST', '/v1/keys', body, key)).status).toBe(201);
      expect(await keysOf('abandoned')).toHaveLength(1);
    });
  });

  describe('records expire after 24 hours', () => {
    it('the sweep deletes expired records; the key then runs afresh', async () => {
      const key = randomUUID();
      const first = await call('POST', '/v1/keys', { keyspaceId, ownerId: 'expiry' }, key);
      clock.advance(IDEMPOTENCY_TTL_MS - 1000);
      expect((await s.services.idempotency.sweep()) >= 0).toBe(true);
      expect((await call('POST', '/v1/keys', { keyspaceId, ownerId: 'expiry' }, key)).body).toEqual(first.body);
      clock.advance(1000);
      const swept = await s.services.idempotency.sweep();
      expect(swept).toBeGreaterThanOrEqual(1);
      expect((await rows()).filter((r) => r.key === key)).toHaveLength(0);
      const fresh = await call('POST', '/v1/keys', { keyspaceId, ownerId: 'expiry' }, key);
      expect(fresh.status).toBe(201);
      expect(fresh.headers.get('idempotent-replayed')).toBeNull();
      expect(fresh.body.keyId).not.toBe(first.body.keyId);
      expect(await keysOf('expiry')).toHaveLength(2);
    });

    it('an expired record not yet swept does not replay either', async () => {
      const key = randomUUID();
      const first = await call('POST', '/v1/keys', { keyspaceId, ownerId: 'expired-unswept' }, key);
      clock.advance(IDEMPOTENCY_TTL_MS);
      const later = await call('POST', '/v1/keys', { keyspaceId, ownerId: 'expired-unswept' }, key);
      expect(later.status).toBe(201);
      expect(later.body.keyId).not.toBe(first.body.keyId);
    });
  });

  describe('what is kept', () => {
    it('the stored answer is a keyring ciphertext bound to its record: no key in the clear, and no use under another record', async () => {
      const key = randomUUID();
      const created = await call('POST', '/v1/keys', { keyspaceId, ownerId: 'kept' }, key);
      const all = await rows();
      const row = all.find((r) => r.key === key)!;
      expect(row.status).toBe(201);
      expect(String(row.response)).toMatch(/^v1\./);
      const dump = JSON.stringify(all);
      expect(dump).not.toContain(created.body.key);
      expect(dump).not.toContain(created.body.key.slice(-20));
      expect(dump).not.toContain(Buffer.from(created.body.key).toString('base64').slice(0, 24));
      // Moved onto another record of the same caller, the ciphertext does not decrypt.
      const other = randomUUID();
      await call('POST', '/v1/keys', { keyspaceId, ownerId: 'kept-2' }, other);
      await s.db.store.kysely
        .updateTable('idempotency_keys' as never)
        .set({ response: row.response } as never)
        .where('key' as never, '=', other as never)
        .execute();
      const tampered = await call('POST', '/v1/keys', { keyspaceId, ownerId: 'kept-2' }, other);
      expect(tampered.status).toBe(500);
      expect(tampered.body.code).toBe('DECRYPTION_FAILED');
      expect(tampered.text).not.toContain(created.body.key);
    });
  });
});

describe('Idempotency-Key across nodes sharing PostgreSQL', () => {
  let s: TestServer;
  let second: { app: FastifyInstance; store: KyselyStore; url: string };
  beforeAll(async () => {
    s = await startTestServer('postgres');
    const store = KyselyStore.open({ kind: 'postgres', url: s.db.url!, schema: s.db.schema, poolSize: 2 });
    const services = createServices({ ports: kyselyPorts(store), keyring: s.services.keyring });
    const config = loadConfig({ TESSERA_DATA_DIR: s.db.dataDir, TESSERA_LOG_REQUESTS: 'false' });
    const app = await createApp({ config, services, logStream: new Writable({ write: (_c, _e, cb) => cb() }) });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    second = { app, store, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
  });
  afterAll(async () => {
    await second?.app.close();
    await second?.store.close();
    await s?.close();
  });

  it('a retry sent to another node gets the first answer; a burst over both nodes makes one key', async () => {
    const keyspaceId = (await s.api('POST', '/v1/keyspaces', { name: 'nodes', prefix: 'nd' })).body.id;
    const send = (url: string, key: string, ownerId: string) =>
      fetch(`${url}/v1/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.rootKey}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ keyspaceId, ownerId }),
      }).then(async (r) => ({ status: r.status, body: await r.json(), replayed: r.headers.get('idempotent-replayed') }));
    const key = randomUUID();
    const first = await send(s.url, key, 'n1');
    const retry = await send(second.url, key, 'n1');
    expect(retry).toEqual({ ...first, replayed: 'true' });

    const burstKey = randomUUID();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => send(i % 2 === 0 ? s.url : second.url, burstKey, 'n2')));
    const made = (await s.api('GET', `/v1/keys?keyspaceId=${keyspaceId}&ownerId=n2`)).body.items as { keyId: string }[];
    expect(made).toHaveLength(1);
    for (const a of answers)
      expect(a.status === 201 ? a.body.keyId : a.body.code).toBe(a.status === 201 ? made[0]!.keyId : 'IDEMPOTENCY_KEY_IN_PROGRESS');
  });
});
