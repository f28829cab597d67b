import { randomBytes } from 'node:crypto';
import { isQuietHour } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgInvalidationBus } from '../../apps/server/src/adapters/invalidation-bus/postgres-notify.js';
import type { RemoteInvalidationBus } from '../../apps/server/src/adapters/invalidation-bus/remote.js';
import { TEST_DATABASE_URL } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * A keyspace's detection tuning set through the API on one node of two (one PostgreSQL schema,
 * the PostgreSQL invalidation bus between them): the other node's detectors use it at once.
 */
const TIMING = { ackTimeoutMs: 1000, heartbeatMs: 200, peerTtlMs: 1000 };
let a: TestServer;
let b: TestServer;
const buses: RemoteInvalidationBus[] = [];

beforeAll(async () => {
  const channel = `tessera_tuning_${randomBytes(4).toString('hex')}`;
  for (let i = 0; i < 2; i++) buses.push(await openPgInvalidationBus(TEST_DATABASE_URL, channel, {}, 3000, TIMING));
  a = await startTestServer('postgres', { bus: buses[0] });
  b = await startTestServer('postgres', { join: a, bus: buses[1] });
});

afterAll(async () => {
  await b?.close();
  await a?.close();
  for (const bus of buses) await bus.close();
});

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('detection tuning on the keyspace policy', () => {
  it('refuses what is not tuning: a network that is not a CIDR, an hour past 23, a sensitivity out of range', async () => {
    const ks = (await a.api('POST', '/v1/keyspaces', { name: 'refused', prefix: 'sk_refused' })).body.id;
    const put = (body: object) => a.api('PUT', `/v1/keyspaces/${ks}/policy`, body);
    const bad = await put({ knownNetworks: ['10.0.0.0/8', 'office-wifi'] });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(bad.body.detail).toContain('office-wifi');
    expect((await put({ quietHours: [24] })).status).toBe(400);
    expect((await put({ detectionSensitivity: 10 })).status).toBe(400);
    expect((await a.api('GET', `/v1/keyspaces/${ks}/policy`)).body).toMatchObject({
      detectionSensitivity: 1,
      quietHours: [],
      knownNetworks: [],
    });
  });

  it('quiet hours set on node A make node B find any use of the keyspace’s keys in them; cleared, B stops', async () => {
    const ks = (await a.api('POST', '/v1/keyspaces', { name: 'tuned', prefix: 'sk_tuned' })).body.id;
    const [k1, k2, k3] = await Promise.all([1, 2, 3].map(async () => (await a.api('POST', '/v1/keys', { keyspaceId: ks })).body));
    const useOnB = async (key: string) => {
      expect((await b.api('POST', '/v1/keys/verify', { key })).body.valid).toBe(true);
      await b.services.monitoring.settle();
    };
    const found = async () =>
      ((await b.api('GET', '/v1/anomalies?kind=unusual_hour')).body.items as any[]).filter((f) => f.keyspaceId === ks);
    await useOnB(k1.key);
    expect(await found()).toEqual([]); // a new key, as built: not judged

    const every = Array.from({ length: 24 }, (_, h) => 23 - h);
    const set = await a.api('PUT', `/v1/keyspaces/${ks}/policy`, {
      quietHours: every,
      detectionSensitivity: 1.5,
      knownNetworks: ['192.0.2.0/24'],
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ quietHours: every.slice().reverse(), detectionSensitivity: 1.5, knownNetworks: ['192.0.2.0/24'] });
    // Node B heard of it over the bus and read it again.
    await until(() => b.services.monitoring.tunings.get(ks) !== undefined);
    expect((await b.api('GET', `/v1/keyspaces/${ks}/policy`)).body.quietHours).toHaveLength(24);

    await useOnB(k2.key);
    const [f] = await found();
    expect(f).toMatchObject({ kind: 'unusual_hour', keyId: k2.keyId, details: { judgedBy: 'quiet_hours' } });
    expect(f.explanation).toContain('quiet hour');

    await a.api('PUT', `/v1/keyspaces/${ks}/policy`, { quietHours: [] });
    await until(() => !isQuietHour(b.services.monitoring.tunings.get(ks)!, new Date().getUTCHours()));
    await useOnB(k3.key);
    expect((await found()).map((x) => x.keyId)).toEqual([k2.keyId]);
  });
});
