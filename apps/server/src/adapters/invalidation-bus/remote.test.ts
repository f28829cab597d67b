import type { Invalidation } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { RemoteInvalidationBus, type BusTransport } from './remote.js';

const change = (i: number): Invalidation => ({ kind: 'key', id: `key_${i}`, hash: `hash_${i}` });

/** A transport that stays connected and refuses the sends it is told to (a command timeout). */
function transport(failing: Set<number>): BusTransport & { sent: string[] } {
  let n = 0;
  const sent: string[] = [];
  return {
    sent,
    connected: true,
    async send(payload) {
      if (failing.has(n++)) throw new Error('Command timed out');
      sent.push(payload);
    },
  };
}

describe('the invalidation bus outbox', () => {
  it('sends a change whose send failed while the connection stayed up, with the next change', async () => {
    const t = transport(new Set([0]));
    const bus = new RemoteInvalidationBus(t, {}, { ackTimeoutMs: 50, heartbeatMs: 60_000, peerTtlMs: 100 });
    await bus.publish(change(1));
    expect(bus.publishFailures).toBe(1);
    expect(bus.pending).toBe(1);
    await bus.publish(change(2));
    await new Promise((r) => setImmediate(r));
    const carried = t.sent.map((p) => (JSON.parse(p) as { m?: Invalidation }).m).filter((m) => m !== undefined);
    expect(carried).toEqual([change(1), change(2)]);
    expect(bus.pending).toBe(0);
    // Back to acknowledged sends once the outbox is empty.
    await bus.publish(change(3));
    expect(JSON.parse(t.sent.at(-1)!)).toMatchObject({ m: change(3), i: expect.any(String) });
    await bus.close();
  });
});
