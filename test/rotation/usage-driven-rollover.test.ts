import { ManualClock } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Usage-driven rollovers, end to end over HTTP with an injected clock: the old key keeps working
 * until the new one is used, then retires once its own traffic has stopped for the quiet period,
 * or at the deadline; a client that never switched is visible before the deadline.
 */
describe.each(DIALECTS)('usage-driven rollover (%s)', (dialect) => {
  let s: TestServer;
  const clock = new ManualClock(Date.parse('2026-07-01T09:00:00Z'));
  let keyspaceId: string;

  beforeAll(async () => {
    s = await startTestServer(dialect, { clock });
    keyspaceId = (await s.api('POST', '/v1/keyspaces', { name: 'rollovers', prefix: 'ro' })).body.id;
  });
  afterAll(async () => {
    await s?.close();
  });

  const verify = async (key: string) => {
    const code = (await s.api('POST', '/v1/keys/verify', { key })).body.code as string;
    await s.services.usage.flush(); // the usage recorder writes last use; the verify path does nothing more
    return code;
  };
  const rollover = async (keyId: string) => (await s.api('GET', `/v1/keys/${keyId}/rollover`)).body;
  const retire = () => s.services.rollovers.retireDue();
  async function rolled(quietPeriodSeconds = 3600, gracePeriodSeconds = 7 * 86_400) {
    const old = (await s.api('POST', '/v1/keys', { keyspaceId, ownerId: 'acme' })).body as { keyId: string; key: string };
    const r = await s.api('POST', `/v1/keys/${old.keyId}/roll`, { gracePeriodSeconds, retireWhenUnused: true, quietPeriodSeconds });
    expect(r.status).toBe(201);
    return { old, next: r.body as { keyId: string; key: string }, at: clock.now() };
  }

  it('keeps the old key working until the new one is used, then retires it once the old one is quiet', async () => {
    const { old, next, at } = await rolled();
    expect(await rollover(old.keyId)).toMatchObject({
      predecessorKeyId: old.keyId,
      successorKeyId: next.keyId,
      keyspaceId,
      state: 'pending_first_use',
      quietPeriodSeconds: 3600,
      deadline: iso(at + 7 * DAY),
      successorFirstUsedAt: null,
      retiresAt: iso(at + 7 * DAY),
      retiredAt: null,
    });
    // The old client keeps going for days: nothing retires while the new key is unused.
    for (let day = 0; day < 3; day++) {
      clock.advance(DAY);
      expect(await verify(old.key)).toBe('VALID');
      expect(await retire()).toEqual({ retired: 0, ended: 0 });
    }
    const lastOld = clock.now();
    clock.advance(10 * 60_000);
    expect(await verify(next.key)).toBe('VALID'); // the client switched
    const switched = clock.now();
    const inUse = await rollover(old.keyId);
    expect(inUse).toMatchObject({
      state: 'successor_in_use',
      successorFirstUsedAt: iso(switched),
      predecessorLastUsedAt: iso(lastOld),
      retiresAt: iso(lastOld + HOUR),
    });
    expect(await retire()).toEqual({ retired: 0, ended: 0 }); // quiet for 10 minutes only
    // A straggler still on the old key pushes the retirement back.
    clock.advance(40 * 60_000);
    expect(await verify(old.key)).toBe('VALID');
    const straggler = clock.now();
    clock.advance(59 * 60_000);
    expect(await retire()).toEqual({ retired: 0, ended: 0 });
    expect((await rollover(old.keyId)).retiresAt).toBe(iso(straggler + HOUR));
    clock.advance(60_000);
    expect(await retire()).toEqual({ retired: 1, ended: 0 });
    // Revoked through the normal path: this node's cache dropped it, the audit says why.
    expect(await verify(old.key)).toBe('REVOKED');
    expect(await verify(next.key)).toBe('VALID');
    expect(await rollover(old.keyId)).toMatchObject({
      state: 'retired',
      retiredReason: 'quiet',
      retiredAt: iso(clock.now()),
      retiresAt: null,
      successorFirstUsedAt: iso(switched),
    });
    const entry = (await s.api('GET', '/v1/audit?action=key.retired&limit=1')).body.items[0];
    expect(entry).toMatchObject({
      actor: 'system:rotation',
      target: old.keyId,
      details: { successorKeyId: next.keyId, quietSince: iso(straggler), quietPeriodSeconds: 3600 },
    });
    expect(await retire()).toEqual({ retired: 0, ended: 0 });
  });

  it('never cuts the old key off sooner than a quiet period after the roll, however long it was idle', async () => {
    const { old, next, at } = await rolled(2 * 3600);
    clock.advance(60_000);
    expect(await verify(next.key)).toBe('VALID');
    expect((await rollover(old.keyId)).retiresAt).toBe(iso(at + 2 * HOUR));
    clock.advance(HOUR);
    expect(await retire()).toEqual({ retired: 0, ended: 0 });
    expect(await verify(old.key)).toBe('VALID');
    clock.advance(2 * HOUR);
    expect(await retire()).toEqual({ retired: 1, ended: 0 });
  });

  it('with a quiet period of 0, makes the new key the only valid one from its first use', async () => {
    const { old, next, at } = await rolled(0);
    expect(await rollover(old.keyId)).toMatchObject({ state: 'pending_first_use', quietPeriodSeconds: 0, retiresAt: iso(at + 7 * DAY) });
    // However long the client takes to switch, the old key works until the new one is used.
    clock.advance(2 * DAY);
    expect(await verify(old.key)).toBe('VALID');
    expect(await retire()).toEqual({ retired: 0, ended: 0 });
    const lastOld = clock.now();
    clock.advance(1000);
    expect(await verify(next.key)).toBe('VALID');
    const first = clock.now();
    expect(await rollover(old.keyId)).toMatchObject({
      state: 'successor_in_use',
      successorFirstUsedAt: iso(first),
      predecessorLastUsedAt: iso(lastOld),
      retiresAt: iso(lastOld),
    });
    // The job's next pass after that first use revokes the old key, quiet or not.
    expect(await retire()).toEqual({ retired: 1, ended: 0 });
    expect(await verify(old.key)).toBe('REVOKED');
    expect(await verify(next.key)).toBe('VALID');
    expect(await rollover(old.keyId)).toMatchObject({ state: 'retired', retiredReason: 'quiet', retiredAt: iso(first) });
    const entry = (await s.api('GET', '/v1/audit?action=key.retired&limit=1')).body.items[0];
    expect(entry).toMatchObject({ target: old.keyId, details: { successorKeyId: next.keyId, quietPeriodSeconds: 0 } });
    // The roll's audit entry records the quiet period asked for.
    const rolledEntry = (await s.api('GET', '/v1/audit?action=key.rolled&limit=1')).body.items[0];
    expect(rolledEntry.details).toMatchObject({ retireWhenUnused: { quietPeriodSeconds: 0 } });
  });

  it('with a quiet period of 0, retires the old key when the usage batch with the new key’s first use is read, before any timed pass', async () => {
    const { old, next } = await rolled(0);
    clock.advance(10_000); // the successors waiting for a first use are read again
    const batch = async (key: string) => {
      const code = (await s.api('POST', '/v1/keys/verify', { key })).body.code as string;
      await s.services.monitoring.settle(); // the usage recorder takes its batch (its timer is off in tests)
      return code;
    };
    expect(await batch(old.key)).toBe('VALID'); // this batch has the rollover read
    expect(await rollover(old.keyId)).toMatchObject({ state: 'pending_first_use' });
    // The new key's first use: no call to the retirement job, which runs each minute in a server.
    await expect
      .poll(async () => {
        await batch(next.key);
        return (await s.api('POST', '/v1/keys/verify', { key: old.key })).body.code;
      })
      .toBe('REVOKED');
    // The key is revoked first and the rollover ended just after (two steps): wait for the second.
    await expect.poll(async () => (await rollover(old.keyId)).state).toBe('retired');
    expect(await rollover(old.keyId)).toMatchObject({ state: 'retired', retiredReason: 'quiet' });
  });

  it('shows a client that never switched, and ends at the deadline without a revocation', async () => {
    const { old, next, at } = await rolled(3600, 2 * 86_400);
    clock.advance(DAY);
    expect(await verify(old.key)).toBe('VALID');
    const open = (await s.api('GET', `/v1/rollovers?keyspaceId=${keyspaceId}&state=open`)).body.items as {
      predecessorKeyId: string;
      state: string;
    }[];
    expect(open).toEqual([
      expect.objectContaining({ predecessorKeyId: old.keyId, state: 'pending_first_use', predecessorLastUsedAt: iso(clock.now()) }),
    ]);
    clock.advance(DAY);
    expect(await verify(old.key)).toBe('EXPIRED');
    expect(await retire()).toEqual({ retired: 0, ended: 1 });
    expect(await rollover(old.keyId)).toMatchObject({ state: 'retired', retiredReason: 'deadline', retiredAt: iso(at + 2 * DAY) });
    expect(await verify(next.key)).toBe('VALID');
    expect((await s.api('GET', `/v1/rollovers?keyspaceId=${keyspaceId}&state=open`)).body.items).toEqual([]);
    const all = (await s.api('GET', '/v1/rollovers')).body.items as { predecessorKeyId: string }[];
    expect(all[0]!.predecessorKeyId).toBe(old.keyId); // newest first
  });

  it('ends a rollover whose old key was revoked by hand; refuses what makes no sense', async () => {
    const { old } = await rolled();
    await s.api('POST', `/v1/keys/${old.keyId}/revoke`, { reason: 'done by hand' });
    expect(await retire()).toEqual({ retired: 0, ended: 1 });
    expect((await rollover(old.keyId)).retiredReason).toBe('revoked');
    const plain = (await s.api('POST', '/v1/keys', { keyspaceId })).body.keyId;
    expect((await s.api('GET', `/v1/keys/${plain}/rollover`)).status).toBe(404);
    expect((await s.api('POST', `/v1/keys/${plain}/roll`, { gracePeriodSeconds: 60, quietPeriodSeconds: 600 })).body.code).toBe(
      'VALIDATION_FAILED',
    );
    const zero = await s.api('POST', `/v1/keys/${plain}/roll`, { gracePeriodSeconds: 0, retireWhenUnused: true });
    expect(zero.body.code).toBe('VALIDATION_FAILED');
    const first = await s.api('POST', `/v1/keys/${plain}/roll`, { gracePeriodSeconds: 3600, retireWhenUnused: true });
    expect((await rollover(plain)).quietPeriodSeconds).toBe(86_400); // the default
    const again = await s.api('POST', `/v1/keys/${plain}/roll`, { gracePeriodSeconds: 3600, retireWhenUnused: true });
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain(first.body.keyId);
  });
});
