import { keyChecksum, RANDOM_LENGTH } from '@tessera/api';
import { ManualClock, randomBase62 } from '@tessera/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DAY = 86_400_000;

describe.each(DIALECTS)('monitoring over the API (%s)', (dialect) => {
  let s: TestServer;
  const clock = new ManualClock(Date.parse('2026-03-02T10:00:00Z'));
  const plainKeys: string[] = [];
  let n = 0;

  beforeAll(async () => {
    s = await startTestServer(dialect, { clock });
  });
  afterAll(async () => {
    await s?.close();
  });

  const keyspace = async (body: Record<string, unknown> = {}) => {
    const r = await s.api('POST', '/v1/keyspaces', { name: `ks${++n}`, prefix: `mon${n}`, ...body });
    expect(r.status).toBe(201);
    return r.body.id as string;
  };
  const createKey = async (keyspaceId: string, body: Record<string, unknown> = {}) => {
    const r = await s.api('POST', '/v1/keys', { keyspaceId, ...body });
    expect(r.status).toBe(201);
    plainKeys.push(r.body.key);
    return { keyId: r.body.keyId as string, key: r.body.key as string };
  };
  const verify = async (key: string, body: Record<string, unknown> = {}) => (await s.api('POST', '/v1/keys/verify', { key, ...body })).body;
  const settle = () => s.services.monitoring.settle();
  const anomalies = async (q = '') => (await s.api('GET', `/v1/anomalies${q}`)).body.items as any[];
  const audit = async (action: string) => (await s.api('GET', `/v1/audit?action=${action}`)).body.items as any[];

  it('records a usage event per verification, rolls them up per key, owner and keyspace, and answers analytics', async () => {
    const ks = await keyspace();
    const { keyId, key } = await createKey(ks, { ownerId: 'acme', scopes: ['documents:read'] });
    for (let i = 0; i < 3; i++)
      expect((await verify(key, { ip: '203.0.113.7', resource: '/docs/1', method: 'GET', userAgent: 'acme-app/2.1' })).code).toBe('VALID');
    expect((await verify(key, { ip: '203.0.113.8', scopes: 'billing:read' })).code).toBe('INSUFFICIENT_SCOPE');
    await settle();

    const from = new Date(clock.now() - 60_000).toISOString();
    const to = new Date(clock.now() + 60_000).toISOString();
    for (const q of [`keyId=${keyId}`, 'ownerId=acme', `keyspaceId=${ks}`]) {
      const r = await s.api('GET', `/v1/analytics/verifications?${q}&granularity=minute&from=${from}&to=${to}`);
      expect(r.status).toBe(200);
      expect(r.body.totals).toEqual({ total: 4, valid: 3, cost: 3, outcomes: { VALID: 3, INSUFFICIENT_SCOPE: 1 } });
      expect(r.body.series.map((p: any) => p.time)).toEqual([
        '2026-03-02T09:59:00.000Z',
        '2026-03-02T10:00:00.000Z',
        '2026-03-02T10:01:00.000Z',
      ]);
      expect(r.body.series.reduce((a: number, p: any) => a + p.total, 0)).toBe(4);
    }
    const hourly = await s.api('GET', `/v1/analytics/verifications?keyId=${keyId}&granularity=hour`);
    expect(hourly.body.totals.total).toBe(4);
    expect(hourly.body.series).toHaveLength(25); // from 10:00 yesterday to 10:00 today, both included

    const top = await s.api('GET', `/v1/analytics/top?by=key&from=${new Date(clock.now() - 3_600_000).toISOString()}&to=${to}`);
    expect(top.body.items[0]).toEqual({ subject: keyId, count: 4, cost: 3 });
    const nets = await s.api('GET', `/v1/analytics/top?by=network&from=${from}&to=${to}`);
    expect(nets.body.items).toEqual([{ subject: '203.0.113.0/24', count: 4 }]);

    // The three alike verifications (the clock stood still) are one stored event with their count.
    const events = await s.api('GET', `/v1/analytics/events?keyId=${keyId}&from=${from}&to=${to}`);
    expect(events.body.items).toHaveLength(2);
    expect(events.body.items.find((e: any) => e.outcome === 'VALID')).toMatchObject({
      keyId,
      ownerId: 'acme',
      ip: '203.0.113.7',
      network: '203.0.113.0/24',
      resource: '/docs/1',
      method: 'GET',
      userAgent: 'acme-app/2.1',
      cost: 1,
      count: 3,
    });
    expect(events.body.items.find((e: any) => e.outcome === 'INSUFFICIENT_SCOPE')).toMatchObject({ ip: '203.0.113.8', count: 1 });

    await s.services.usage.flush();
    expect((await s.api('GET', `/v1/keys/${keyId}`)).body.lastUsedAt).toBe(new Date(clock.now()).toISOString());
  });

  it('counts every later use of revoked keys on their open findings, batch after batch, many keys at once', async () => {
    const ks = await keyspace();
    const keys = await Promise.all(Array.from({ length: 30 }, () => createKey(ks)));
    for (const k of keys) expect((await s.api('POST', `/v1/keys/${k.keyId}/revoke`, {})).status).toBe(200);
    for (const k of keys) expect((await verify(k.key)).code).toBe('REVOKED');
    await settle(); // one finding per key
    // Two more batches of uses: each only counted on its key's finding, all keys' repeats in one write.
    for (let round = 0; round < 2; round++) {
      for (const [i, k] of keys.entries()) for (let j = 0; j <= i % 3; j++) await verify(k.key);
      await settle();
    }
    for (const [i, k] of keys.entries()) {
      const found = await anomalies(`?keyId=${k.keyId}`);
      expect(found.map((a) => [a.kind, a.count])).toEqual([['revoked_key_used', 1 + 2 * ((i % 3) + 1)]]);
    }
  });

  it('loses no count in a large batch: every verification is stored as an event and counted once in the roll-ups', async () => {
    const ks = await keyspace();
    const a = await createKey(ks, { ownerId: 'batch-owner' });
    const b = await createKey(ks, { ownerId: 'batch-owner', scopes: ['documents:read'] });
    expect((await verify(a.key)).code).toBe('VALID'); // loads both into the cache: the rest answer at once
    expect((await verify(b.key)).code).toBe('VALID');
    await settle();
    const start = clock.now();
    const workspaceId = 'ws_default';
    // One batch (the loop never yields to the flush timer), spread over two minutes and three
    // networks; its size falls on no block boundary of the store's many-row insert (64).
    const expected = { a: 1, b: 0, nets: new Map<string, number>() }; // the two warm-up calls count too
    for (let i = 0; i < 203; i++) {
      if (i === 120) clock.advance(60_000);
      const ip = `198.51.${100 + (i % 3)}.${i % 250}`;
      const r =
        i % 5 === 4
          ? s.services.verifier.verify({ key: b.key, workspaceId, ip, scopes: 'billing:read' })
          : s.services.verifier.verify({ key: a.key, workspaceId, ip });
      expect(r instanceof Promise ? 'promise' : r.code).toBe(i % 5 === 4 ? 'INSUFFICIENT_SCOPE' : 'VALID');
      if (i % 5 === 4) expected.b++;
      else expected.a++;
      const net = `198.51.${100 + (i % 3)}.0/24`;
      expected.nets.set(net, (expected.nets.get(net) ?? 0) + 1);
    }
    await settle();

    const from = new Date(start - 60_000).toISOString();
    const to = new Date(clock.now() + 60_000).toISOString();
    const totals = async (q: string) =>
      (await s.api('GET', `/v1/analytics/verifications?${q}&granularity=minute&from=${from}&to=${to}`)).body.totals;
    expect(await totals(`keyId=${a.keyId}`)).toEqual({
      total: expected.a,
      valid: expected.a,
      cost: expected.a,
      outcomes: { VALID: expected.a },
    });
    expect(await totals(`keyId=${b.keyId}`)).toEqual({
      total: expected.b + 1,
      valid: 1,
      cost: 1,
      outcomes: { VALID: 1, INSUFFICIENT_SCOPE: expected.b },
    });
    expect((await totals('ownerId=batch-owner')).total).toBe(205);
    const nets = await s.api('GET', `/v1/analytics/top?by=network&from=${new Date(start).toISOString()}&to=${to}`);
    for (const [net, count] of expected.nets) expect(nets.body.items).toContainEqual({ subject: net, count });
    const stored = await s.api('GET', `/v1/analytics/events?keyId=${a.keyId}&from=${new Date(start).toISOString()}&to=${to}&limit=1000`);
    expect(stored.body.items).toHaveLength(expected.a);
    expect(s.services.monitoring.recorder.stats.dropped + s.services.monitoring.recorder.stats.lost).toBe(0);
  });

  it('stores verifications alike within a second as one event with their count, and loses none', async () => {
    const ks = await keyspace();
    const { keyId, key } = await createKey(ks);
    expect((await verify(key)).code).toBe('VALID'); // into the cache: the rest answer at once
    await settle();
    clock.advance(1000 - (clock.now() % 1000)); // the start of a second
    const start = clock.now();
    const workspaceId = 'ws_default';
    const storedBefore = s.services.monitoring.recorder.stats.stored;
    const call = (ip: string, extra: Record<string, string> = {}) => {
      const r = s.services.verifier.verify({ key, workspaceId, ip, ...extra });
      expect(r instanceof Promise ? 'promise' : r.code).toBe('VALID');
    };
    // One batch: 400 alike calls in the first second with two others between them (another
    // address, another resource), then 100 alike in the next second.
    for (let i = 0; i < 400; i++) {
      call('192.0.2.10', { resource: '/a' });
      if (i === 100) call('192.0.2.11', { resource: '/a' });
      if (i === 200) call('192.0.2.10', { resource: '/b' });
      if (i % 100 === 99) clock.advance(200);
    }
    clock.advance(200);
    for (let i = 0; i < 100; i++) call('192.0.2.10', { resource: '/a' });
    await settle();

    const range = `from=${new Date(start).toISOString()}&to=${new Date(clock.now() + 1000).toISOString()}`;
    const items = (await s.api('GET', `/v1/analytics/events?keyId=${keyId}&${range}`)).body.items as any[];
    expect(items.map((e) => [e.ts, e.ip, e.resource, e.count])).toEqual([
      [new Date(start + 1000).toISOString(), '192.0.2.10', '/a', 100],
      [new Date(start + 400).toISOString(), '192.0.2.10', '/b', 1],
      [new Date(start + 200).toISOString(), '192.0.2.11', '/a', 1],
      [new Date(start).toISOString(), '192.0.2.10', '/a', 400],
    ]);
    expect(s.services.monitoring.recorder.stats.stored - storedBefore).toBe(502);
    const top = await s.api('GET', `/v1/analytics/top?by=ip&${range}`);
    expect(top.body.items).toEqual([
      { subject: '192.0.2.10', count: 501 },
      { subject: '192.0.2.11', count: 1 },
    ]);

    // A restarted node's detectors replay the stored row as each verification it stands for.
    const { engine, anomalies: service } = s.services.monitoring;
    engine.profiles.delete(keyId);
    clock.advance(1000);
    await service.warmUp(2 * 60_000);
    expect(engine.profiles.get(keyId)?.events).toBe(503); // with the call that cached the key
  });

  it('counts every verification when a second holds many different ones: unknown keys by address, one key by what differs', async () => {
    const ks = await keyspace();
    const { keyId, key } = await createKey(ks);
    expect((await verify(key)).code).toBe('VALID');
    await settle();
    clock.advance(1000 - (clock.now() % 1000));
    const start = clock.now();
    const workspaceId = 'ws_default';
    const storedBefore = s.services.monitoring.recorder.stats.stored;
    const body = key.slice(0, key.lastIndexOf('_') + 1) + randomBase62(RANDOM_LENGTH);
    const unknown = body + keyChecksum(body); // well formed, in the keyspace, never issued
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 40; i++) {
        const r = s.services.verifier.verify({ key, workspaceId, ip: '192.0.2.20', resource: `/r/${i}` });
        expect(r instanceof Promise ? 'promise' : r.code).toBe('VALID');
      }
      for (let i = 0; i < 50; i++)
        expect((await s.services.verifier.verify({ key: unknown, workspaceId, ip: `198.18.1.${i}` })).code).toBe('NOT_FOUND');
    }
    await settle();
    expect(s.services.monitoring.recorder.stats.stored - storedBefore).toBe(120 + 150);

    const range = `from=${new Date(start).toISOString()}&to=${new Date(clock.now() + 1000).toISOString()}&limit=1000`;
    const mine = (await s.api('GET', `/v1/analytics/events?keyId=${keyId}&${range}`)).body.items as any[];
    expect(mine.reduce((n, e) => n + e.count, 0)).toBe(120);
    // Up to 32 different events of a key are looked at per second; the others are stored one by one.
    expect(mine.filter((e) => e.count === 3)).toHaveLength(32);
    expect(mine.filter((e) => e.count === 1)).toHaveLength(8 * 3);
    const all = (await s.api('GET', `/v1/analytics/events?${range}`)).body.items as any[];
    const guesses = all.filter((e) => e.keyId === null);
    expect(guesses.map((e) => e.count)).toEqual(Array(50).fill(3));
    expect(new Set(guesses.map((e) => e.ip)).size).toBe(50);
  });

  it('refuses analytics to a root key without analytics:read, and a range of too many points', async () => {
    const rk = await s.api('POST', '/v1/root-keys', { name: 'verifier', permissions: ['keys:verify'] });
    expect((await s.api('GET', '/v1/analytics/verifications', undefined, rk.body.key)).body.code).toBe('FORBIDDEN');
    expect((await s.api('GET', '/v1/anomalies', undefined, rk.body.key)).status).toBe(403);
    const far = new Date(clock.now() - 30 * DAY).toISOString();
    expect((await s.api('GET', `/v1/analytics/verifications?granularity=minute&from=${far}`)).body.code).toBe('VALIDATION_FAILED');
  });

  it('any use of a honeytoken is a critical anomaly, listed with its explanation and audited', async () => {
    const ks = await keyspace();
    const honey = await s.api('POST', '/v1/honeytokens', { keyspaceId: ks, name: 'aws-backup-creds' });
    expect(honey.status).toBe(201);
    plainKeys.push(honey.body.key);
    await verify(honey.body.key, { ip: '198.51.100.66' });
    await settle();
    const [a] = await anomalies(`?keyId=${honey.body.keyId}`);
    expect(a).toMatchObject({
      kind: 'honeytoken_used',
      severity: 'critical',
      status: 'open',
      keyId: honey.body.keyId,
      subject: honey.body.keyId,
    });
    expect(a.explanation).toContain('198.51.100.66');
    expect((await audit('anomaly.detected')).some((e) => e.target === a.id && e.actor === 'system:monitoring')).toBe(true);
  });

  it('a revoked key and a deleted key being tried are found', async () => {
    const ks = await keyspace();
    const revoked = await createKey(ks);
    const deleted = await createKey(ks);
    await s.api('POST', `/v1/keys/${revoked.keyId}/revoke`, { reason: 'rotated' });
    await s.api('DELETE', `/v1/keys/${deleted.keyId}`);
    expect((await verify(revoked.key, { ip: '198.51.100.70' })).code).toBe('REVOKED');
    expect((await verify(deleted.key, { ip: '198.51.100.71' })).code).toBe('NOT_FOUND');
    await settle();
    expect((await anomalies(`?keyId=${revoked.keyId}`)).map((a) => a.kind)).toEqual(['revoked_key_used']);
    expect((await anomalies(`?keyId=${deleted.keyId}`)).map((a) => [a.kind, a.severity])).toEqual([['deleted_key_used', 'high']]);
  });

  it('acknowledges and resolves an anomaly, each audited; a resolved one cannot change again', async () => {
    const [a] = await anomalies('?kind=revoked_key_used');
    const ack = await s.api('POST', `/v1/anomalies/${a.id}/acknowledge`);
    expect(ack.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: expect.stringMatching(/^root_key:/) });
    const res = await s.api('POST', `/v1/anomalies/${a.id}/resolve`, {});
    expect(res.body.status).toBe('resolved');
    expect((await s.api('POST', `/v1/anomalies/${a.id}/acknowledge`)).body.code).toBe('CONFLICT');
    expect((await audit('anomaly.resolved')).map((e) => e.target)).toContain(a.id);
    expect((await s.api('GET', '/v1/anomalies/anm_doesnotexist00000000000')).status).toBe(404);
  });

  it('auto-suspend: a keyspace policy suspends the key on an anomaly, and the undo restores it', async () => {
    const ks = await keyspace();
    const put = await s.api('PUT', `/v1/keyspaces/${ks}/policy`, { anomalyResponse: 'suspend', suspendMinSeverity: 'medium' });
    expect(put.body).toMatchObject({ keyspaceId: ks, anomalyResponse: 'suspend', suspendMinSeverity: 'medium' });
    const { keyId, key } = await createKey(ks);
    // A day of ordinary use from one network teaches the key where it lives.
    for (let i = 0; i < 52; i++) {
      expect((await verify(key, { ip: `192.0.2.${1 + (i % 20)}` })).code).toBe('VALID');
      clock.advance(30 * 60_000);
      if (i % 10 === 9) await settle();
    }
    await settle();
    expect(await anomalies(`?keyId=${keyId}`)).toEqual([]);
    expect((await verify(key, { ip: '203.0.113.200' })).code).toBe('VALID');
    await settle();
    const [a] = await anomalies(`?keyId=${keyId}`);
    expect(a).toMatchObject({ kind: 'new_network', severity: 'medium', subject: '203.0.113.0/24', response: { action: 'suspended' } });
    expect((await verify(key)).code).toBe('DISABLED');
    const active = await s.api('GET', `/v1/suspensions?keyId=${keyId}&active=true`);
    expect(active.body.items).toHaveLength(1);
    expect(active.body.items[0]).toMatchObject({ id: a.response.suspensionId, anomalyId: a.id, wasEnabled: true, undoneAt: null });
    expect((await audit('key.suspended')).some((e) => e.target === keyId && e.details.anomalyId === a.id)).toBe(true);

    const undo = await s.api('POST', `/v1/suspensions/${a.response.suspensionId}/undo`);
    expect(undo.body.undoneAt).not.toBeNull();
    expect((await verify(key)).code).toBe('VALID');
    expect((await audit('key.unsuspended')).some((e) => e.target === keyId)).toBe(true);
    expect((await s.api('POST', `/v1/suspensions/${a.response.suspensionId}/undo`)).body.code).toBe('CONFLICT');

    // A restarted node forgets what it learned in memory, and rebuilds it from the stored events.
    const { engine, anomalies: service } = s.services.monitoring;
    await s.api('POST', `/v1/anomalies/${a.id}/resolve`, {});
    engine.profiles.clear();
    expect((await verify(key, { ip: '198.51.100.200' })).code).toBe('VALID');
    await settle();
    expect((await anomalies(`?keyId=${keyId}&status=open`)).map((x) => x.subject)).toEqual([]); // blind without history
    engine.profiles.clear();
    expect(await service.warmUp(8 * DAY)).toBeGreaterThan(50);
    expect((await verify(key, { ip: '198.18.0.1' })).code).toBe('VALID');
    await settle();
    expect((await anomalies(`?keyId=${keyId}&status=open`)).map((x) => x.subject)).toEqual(['198.18.0.0/24']);
    expect((await verify(key)).code).toBe('DISABLED'); // and the policy suspended it again
  });

  it('alert-only (the default) records the anomaly and leaves the key alone', async () => {
    const ks = await keyspace();
    expect((await s.api('GET', `/v1/keyspaces/${ks}/policy`)).body).toMatchObject({ anomalyResponse: 'alert', updatedAt: null });
    const { keyId, key } = await createKey(ks);
    await s.api('POST', `/v1/keys/${keyId}/revoke`, {});
    expect((await verify(key)).code).toBe('REVOKED');
    await settle();
    const [a] = await anomalies(`?keyId=${keyId}`);
    expect(a.response).toBeNull();
  });

  it('leaked keys reported from outside are quarantined (undoable) or revoked; answers mask every key', async () => {
    const ks = await keyspace();
    const a = await createKey(ks);
    const b = await createKey(ks);
    const lookalike = a.key.slice(0, -1) + (a.key.endsWith('A') ? 'B' : 'A');
    const r = await s.api('POST', '/v1/keys/leaked', { keys: [a.key, lookalike], source: 'a public gist' });
    expect(r.status).toBe(200);
    expect(r.body.items.map((i: any) => i.status)).toEqual(['quarantined', 'invalid']);
    expect(JSON.stringify(r.body)).not.toContain(a.key.slice(-10));
    expect((await verify(a.key)).code).toBe('DISABLED');
    const [leak] = await anomalies(`?keyId=${a.keyId}`);
    expect(leak).toMatchObject({ kind: 'key_leaked', severity: 'critical', response: { action: 'suspended' } });
    expect(leak.explanation).toContain('a public gist');

    const revoked = await s.api('POST', '/v1/keys/leaked', { keys: [b.key], action: 'revoke' });
    expect(revoked.body.items).toMatchObject([{ status: 'revoked', keyId: b.keyId }]);
    expect((await verify(b.key)).code).toBe('REVOKED');
    expect((await s.api('POST', '/v1/keys/leaked', { keys: [b.key] })).body.items[0].status).toBe('already_revoked');
  });

  it('hygiene report: never used, unused, expiring, without expiry, over-privileged with a smaller scope set', async () => {
    const ks = await keyspace();
    const never = await createKey(ks, { name: 'never' });
    const broad = await createKey(ks, { name: 'broad', scopes: ['documents:*', 'billing:read'] });
    const expiring = await createKey(ks, { name: 'expiring', ttlSeconds: 3 * 86_400 });
    const stale = await createKey(ks, { name: 'stale' });
    await verify(stale.key);
    await settle();
    await s.services.usage.flush();
    clock.advance(100 * DAY);
    const expiring2 = await createKey(ks, { name: 'expiring2', ttlSeconds: 3 * 86_400 });
    expect((await verify(broad.key, { scopes: 'documents:read' })).code).toBe('VALID');
    expect((await verify(broad.key, { scopes: 'documents:read or billing:write' })).code).toBe('VALID');
    await settle();
    await s.services.usage.flush();
    const r = await s.api('GET', `/v1/hygiene?keyspaceId=${ks}&unusedDays=90&expiringDays=7`);
    expect(r.status).toBe(200);
    const ids = (list: any[]) => list.map((k) => k.keyId).sort();
    expect(ids(r.body.neverUsed)).toEqual([never.keyId, expiring2.keyId].sort());
    expect(ids(r.body.unused)).toEqual([stale.keyId]);
    expect(ids(r.body.expiringSoon)).toEqual([expiring2.keyId]);
    expect(ids(r.body.noExpiry)).toEqual([never.keyId, broad.keyId, stale.keyId].sort());
    expect(r.body.overPrivileged).toEqual([
      expect.objectContaining({
        keyId: broad.keyId,
        granted: ['documents:*', 'billing:read'],
        exercised: ['documents:read'],
        unused: ['billing:read'],
        suggested: ['documents:read'],
      }),
    ]);
    expect(expiring.keyId).not.toBe(expiring2.keyId);
  });

  it('auto-expire: unused keys get notice, expire after it, and a use during the notice cancels the expiry', async () => {
    const ks = await keyspace();
    await s.api('PUT', `/v1/keyspaces/${ks}/policy`, { autoExpireUnusedDays: 30, autoExpireNoticeDays: 7 });
    const idle = await createKey(ks);
    const revived = await createKey(ks);
    clock.advance(31 * DAY);
    const first = await s.api('POST', '/v1/hygiene/sweep');
    expect(first.body.scheduled).toBeGreaterThanOrEqual(2);
    const scheduledAt = new Date(clock.now() + 7 * DAY).toISOString();
    expect((await s.api('GET', `/v1/keys/${idle.keyId}`)).body.expiresAt).toBe(scheduledAt);
    expect((await audit('key.expiry_scheduled')).some((e) => e.target === idle.keyId)).toBe(true);
    clock.advance(DAY);
    expect((await verify(revived.key)).code).toBe('VALID');
    await s.services.usage.flush();
    const second = await s.api('POST', '/v1/hygiene/sweep');
    expect(second.body.cancelled).toBe(1);
    expect((await s.api('GET', `/v1/keys/${revived.keyId}`)).body.expiresAt).toBeNull();
    expect((await audit('key.expiry_cancelled')).map((e) => e.target)).toContain(revived.keyId);
    clock.advance(7 * DAY);
    expect((await verify(idle.key)).code).toBe('EXPIRED');
    expect((await verify(revived.key)).code).toBe('VALID');
  });

  it('no plain key is stored in usage events, anomalies, deliveries or the audit log', async () => {
    await settle();
    const db = s.db.store.kysely;
    const dump: string[] = [];
    for (const table of [
      'usage_events',
      'usage_rollups',
      'anomalies',
      'key_suspensions',
      'webhook_deliveries',
      'audit_log',
      'monitoring_notices',
    ]) {
      const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
      dump.push(JSON.stringify(rows));
    }
    const all = dump.join('\n');
    expect(plainKeys.length).toBeGreaterThan(10);
    expect(all).toMatch(/key_[0-9A-Za-z]{22}/); // the dump holds what was recorded
    for (const key of plainKeys) expect(all).not.toContain(key.slice(key.lastIndexOf('_') + 1));
  });
});
