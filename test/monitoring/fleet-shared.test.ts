import type { UsageEvent } from '@tessera/core';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { nodeConnections, batch, node as nodeOf, replay, spread, type Node } from './nodes.js';
import { event, HOUR, MIN, rng, T0 } from './traffic.js';
import { testPrefix } from '../scale/support/redis.js';

const prefix = testPrefix();
const connections = nodeConnections(prefix);

const failed = (ts: number, ip: string): UsageEvent =>
  event(ts, { keyId: null, keyspaceId: null, ownerId: null, outcome: 'NOT_FOUND', ip, cost: 0 });

/** Ordinary failures: a client retrying a wrong key every two minutes, and typos from anywhere. */
function background(from: number, to: number, seed: number): UsageEvent[] {
  const random = rng(seed);
  const out: UsageEvent[] = [];
  for (let m = from; m < to; m += MIN) {
    if ((m / MIN) % 2 === 0) out.push(failed(m + 5000, '192.0.2.44'));
    if (random() < 0.08) out.push(failed(m + Math.floor(random() * MIN), `203.0.113.${1 + Math.floor(random() * 250)}`));
  }
  return out;
}

/** Three guesses a minute for 20 minutes, each from a new address: one a minute on each node. */
function spreadGuessing(start: number): UsageEvent[] {
  return Array.from({ length: 60 }, (_, i) => failed(start + i * 20_000, `10.9.${i >> 4}.${1 + (i & 15)}`));
}

const node = (shared: Redis | undefined) => nodeOf(shared, prefix);

/**
 * Three nodes behind a load balancer: each replays the stored history (as a node does when it
 * starts), then serves a third of the live traffic, in 5-second batches.
 */
async function cluster(nodes: Node[], start: number): Promise<void> {
  replay(nodes, background(start - 2 * HOUR, start, 1), start - 2 * HOUR, start);
  const live = [...background(start, start + 30 * MIN, 2), ...spreadGuessing(start)];
  // The balancer sends each request to a node in turn: every node sees a third of the attack.
  const share = live.map((_, i) => i % 3);
  for (let t = start; t < start + 30 * MIN; t += 5000)
    for (let i = 0; i < nodes.length; i++)
      await batch(
        nodes[i]!,
        live.filter((e, j) => share[j] === i && e.ts >= t && e.ts < t + 5000),
        t + 5000,
      );
}

describe('fleet-wide detection across three nodes sharing counters in Redis', () => {
  const start = T0 + 3 * 24 * HOUR + 10 * HOUR;

  it('alone, each node sees a third of the guessing and stays under its thresholds', async () => {
    const nodes = [node(undefined), node(undefined), node(undefined)];
    await cluster(nodes, start);
    expect(nodes.flatMap((n) => n.recorded)).toEqual([]);
  });

  it('sharing, the nodes see the whole attack, and exactly one of them records it', async () => {
    const nodes = connections.map((r) => node(r));
    await cluster(nodes, start + 24 * HOUR);
    const all = nodes.flatMap((n) => n.recorded);
    expect(all.map((f) => f.kind)).toEqual(['fleet_failures']);
    const f = all[0]!;
    expect(f.detectedAt - (start + 24 * HOUR)).toBeLessThanOrEqual(5 * MIN);
    // More addresses than any one node saw in a window (ten at most): the counts are every node's.
    expect(f.details.sources as number).toBeGreaterThan(10);
    expect(f.explanation).toMatch(/^Workspace ws_test had \d+ failed verifications .* from \d+ addresses/);
    // The other nodes judged the same totals; their claims were refused, and they record nothing.
    expect(nodes.filter((n) => n.recorded.length > 0)).toHaveLength(1);
  });
});

/** One address guessing 30 times a minute for two minutes: over the per-address threshold of 15 a minute. */
function burst(start: number, ip: string): UsageEvent[] {
  return Array.from({ length: 60 }, (_, i) => failed(start + i * 2000, ip));
}

describe('a per-address burst split across three nodes', () => {
  const start = T0 + 5 * 24 * HOUR;

  it('alone, each node sees ten guesses a minute and stays under the threshold', async () => {
    const nodes = [node(undefined), node(undefined), node(undefined)];
    await spread(nodes, burst(start, '198.51.100.77'), start, 150);
    expect(nodes.flatMap((n) => n.recorded)).toEqual([]);
  });

  it('sharing, the nodes count the address together: one finding, recorded by one node, within a minute', async () => {
    const nodes = connections.map((r) => node(r));
    const at = start + HOUR;
    await spread(nodes, [...burst(at, '198.51.100.78'), failed(at + 7000, '203.0.113.5')], at, 150);
    const all = nodes.flatMap((n) => n.recorded);
    expect(all.map((f) => [f.kind, f.subject])).toEqual([['failed_burst', '198.51.100.78']]);
    expect(all[0]!.detectedAt - at).toBeLessThanOrEqual(MIN);
    expect(all[0]!.details.acrossNodes).toBe(true);
    expect(all[0]!.explanation).toMatch(/^Source 198\.51\.100\.78 failed \d+ verifications in the last minute across the nodes/);
    expect(nodes.filter((n) => n.recorded.length > 0)).toHaveLength(1);
  });

  it('sharing, a burst one node sees whole is still found once, not once per node', async () => {
    const nodes = connections.map((r) => node(r));
    const at = start + 2 * HOUR;
    // 90 guesses a minute: each node alone sees 30 a minute, twice the threshold.
    const fast = Array.from({ length: 90 }, (_, i) => failed(at + i * 667, '198.51.100.79'));
    await spread(nodes, fast, at, 90);
    expect(nodes.flatMap((n) => n.recorded).map((f) => f.kind)).toEqual(['failed_burst']);
  });
});

/** A fleet-wide finding of the workspace's keys, judged at `at` as a detector makes it. */
const judged = (at: number, fingerprint = `fleet_failures|ws_test|workspace|${at / MIN}`) => ({
  kind: 'fleet_failures',
  workspaceId: 'ws_test',
  keyspaceId: null,
  fingerprint,
  detectedAt: at,
});

describe('the claim on a fleet-wide incident', () => {
  const start = T0 + 6 * 24 * HOUR;

  it('lasts while any node judges the incident again, and lapses a window after the last judgement', async () => {
    const [a, b, c] = connections.map((r) => node(r).sync!);
    const first = judged(start);
    expect(await a!.claim(first)).toBe(true);
    expect(await b!.claim(judged(start + 30_000))).toBe(false);
    // Node b judges the incident high again nine minutes on (a repeat): the claim moves with it.
    await b!.renew([
      { fingerprint: first.fingerprint, count: 1, lastSeenAt: start + 9 * MIN, draft: judged(start + 9 * MIN, first.fingerprint) },
    ]);
    // Fourteen minutes after the first claim, five after the last judgement: still the same incident.
    expect(await c!.claim(judged(start + 14 * MIN))).toBe(false);
    // A renewal never moves a claim back.
    await a!.renew([
      { fingerprint: first.fingerprint, count: 1, lastSeenAt: start + 2 * MIN, draft: judged(start + 2 * MIN, first.fingerprint) },
    ]);
    expect(await c!.claim(judged(start + 18 * MIN))).toBe(false);
    // An incident ends after eleven quiet minutes: the next one, twenty minutes in, is claimed anew.
    expect(await c!.claim(judged(start + 20 * MIN))).toBe(true);
  });

  it('renews only what an aggregate detector judged again', async () => {
    const [a, b] = connections.map((r) => node(r).sync!);
    const at = start + HOUR;
    expect(await a!.claim(judged(at))).toBe(true);
    // A repeat counted from events (no judgement with it) leaves the claim where it was.
    await b!.renew([{ fingerprint: judged(at).fingerprint, count: 3, lastSeenAt: at + 8 * MIN }]);
    expect(await b!.claim(judged(at + 11 * MIN))).toBe(true);
  });
});
