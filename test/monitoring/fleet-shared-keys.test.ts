import type { UsageEvent } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { nodeConnections, node as nodeOf, replay, resolveBenign, spread, type Node } from './nodes.js';
import { event, HOUR, MIN, normal, T0 } from './traffic.js';
import { testPrefix } from '../scale/support/redis.js';

// Per-key detection across three nodes behind a load balancer, sharing state through Redis:
// rates judged on every node's uses, per-key findings recorded once, benign resolutions learned
// by every node.

const prefix = testPrefix();
const connections = nodeConnections(prefix);

const alone = (): Node[] => [nodeOf(undefined, prefix), nodeOf(undefined, prefix), nodeOf(undefined, prefix)];
const sharing = (): Node[] => connections.map((r) => nodeOf(r, prefix));
const kinds = (nodes: Node[]) => nodes.flatMap((n) => n.recorded.map((f) => f.kind));

/**
 * A key used 60 times a minute for three hours (replayed by each node at start), then live for
 * ten minutes, then ten times that for two minutes: split over three nodes, each sees a third.
 */
async function rateSpike(nodes: Node[], keyId: string, start: number): Promise<void> {
  const use = { keyId, perMinute: 60, networks: ['198.51.100'] };
  replay(nodes, normal({ ...use, from: start - 3 * HOUR, to: start, seed: 1 }), start - 3 * HOUR, start);
  const live = [
    ...normal({ ...use, from: start, to: start + 12 * MIN, seed: 2 }),
    ...normal({ ...use, perMinute: 600, from: start + 10 * MIN, to: start + 12 * MIN, seed: 3 }),
  ].sort((a, b) => a.ts - b.ts);
  await spread(nodes, live, start, 12 * 60);
}

describe('a rate spike split across three nodes', () => {
  const start = T0 + 2 * 24 * HOUR + 10 * HOUR;

  it('alone, each node sees a third of the spike and stays under the threshold it learned from every node', async () => {
    const nodes = alone();
    await rateSpike(nodes, 'key_spike_alone', start);
    expect(kinds(nodes)).not.toContain('rate_spike');
  });

  it('sharing, the nodes judge the key on every node’s uses: one finding, recorded by one node, within a minute', async () => {
    const nodes = sharing();
    await rateSpike(nodes, 'key_spike_shared', start + HOUR);
    // Nothing on the ten minutes of ordinary use (the baseline is kept in the fleet's terms).
    expect(kinds(nodes)).toEqual(['rate_spike']);
    const f = nodes.flatMap((n) => n.recorded)[0]!;
    expect(f.detectedAt - (start + HOUR + 10 * MIN)).toBeLessThanOrEqual(MIN);
    expect(f.details.acrossNodes).toBe(true);
    expect(f.details.count as number).toBeGreaterThan(f.details.threshold as number);
    expect(f.explanation).toMatch(/^Key key_spike_shared made \d+ verifications in the minute from .* across the nodes/);
    expect(nodes.filter((n) => n.recorded.length > 0)).toHaveLength(1);
    // Every node raised it (each judged the same counts); the others' claims were refused.
    expect(nodes.filter((n) => n.raised.some((r) => r.kind === 'rate_spike')).length).toBeGreaterThan(1);
  });
});

/** A revoked key presented six times, a request a second: each node sees two. */
const revokedUses = (keyId: string, start: number): UsageEvent[] =>
  Array.from({ length: 6 }, (_, i) => event(start + i * 1000, { keyId, outcome: 'REVOKED', ip: '203.0.113.9' }));

describe('a per-key finding seen by three nodes', () => {
  const start = T0 + 4 * 24 * HOUR;

  it('alone, each node records it', async () => {
    const nodes = alone();
    await spread(nodes, revokedUses('key_revoked_alone', start), start, 6);
    expect(kinds(nodes)).toEqual(['revoked_key_used', 'revoked_key_used', 'revoked_key_used']);
  });

  it('sharing, the first node to raise it records it; the others’ claims are refused', async () => {
    const nodes = sharing();
    await spread(nodes, revokedUses('key_revoked_shared', start), start, 6);
    expect(kinds(nodes)).toEqual(['revoked_key_used']);
    expect(nodes.every((n) => n.raised.length === 1)).toBe(true);
  });

  it('sharing, once it is resolved, the next misuse is recorded anew', async () => {
    const nodes = sharing();
    await spread(nodes, revokedUses('key_revoked_again', start), start, 6);
    const first = nodes.flatMap((n) => n.recorded)[0]!;
    // Resolved (not benign) through another node than the one that recorded it.
    const other = nodes.find((n) => n.recorded.length === 0)!;
    other.engine.forget(first.fingerprint);
    await other.sync!.resolved(first, false);
    await spread(nodes, revokedUses('key_revoked_again', start + 10 * MIN), start + 10 * MIN, 6);
    expect(kinds(nodes)).toEqual(['revoked_key_used', 'revoked_key_used']);
  });

  it('sharing, the same misuse after its cool-down is recorded anew: claims are judged in the detection’s time', async () => {
    // The second misuse is two hours later in the events' time but a moment later on the wall
    // clock, so Redis still holds the first claim (an hour, set a moment ago): as when a node
    // replays stored usage, or the detection bench runs days in minutes.
    const nodes = sharing();
    await spread(nodes, revokedUses('key_revoked_later', start), start, 6);
    await spread(nodes, revokedUses('key_revoked_later', start + 2 * HOUR), start + 2 * HOUR, 6);
    expect(kinds(nodes)).toEqual(['revoked_key_used', 'revoked_key_used']);
    expect(nodes.flatMap((n) => n.recorded).filter((f) => f.detectedAt >= start + 2 * HOUR)).toHaveLength(1);
  });
});

/** An uptime monitor probing with a wrong key: 30 tries in 30 seconds. */
const probes = (ip: string, start: number): UsageEvent[] =>
  Array.from({ length: 30 }, (_, i) => event(start + i * 1000, { keyId: null, keyspaceId: null, outcome: 'NOT_FOUND', ip, cost: 0 }));

describe('a finding resolved as benign on one node', () => {
  const start = T0 + 5 * 24 * HOUR;

  async function probeTwice(
    nodes: Node[],
    ip: string,
    teach: (n: Node, f: Parameters<typeof resolveBenign>[1], now: number) => Promise<void>,
  ) {
    await spread(nodes, probes(ip, start), start, 40);
    const f = nodes.flatMap((n) => n.recorded)[0]!;
    expect(f.kind).toBe('failed_burst');
    // The operator's call reaches a node that did not record it.
    await teach(
      nodes.find((n) => n.recorded.length === 0)!,
      f,
      start + 10 * MIN,
    );
    for (const n of nodes) n.raised = [];
    // Two hours on: past any cool-down, so a node that did not learn raises it anew.
    await spread(nodes, probes(ip, start + 2 * HOUR), start + 2 * HOUR, 40);
  }

  it('taught to that node only, the other nodes raise the next burst again', async () => {
    const nodes = sharing();
    await probeTwice(nodes, '192.0.2.77', async (n, f, now) => {
      n.engine.forget(f.fingerprint);
      n.engine.learnBenign(f, now);
    });
    expect(nodes.flatMap((n) => n.raised).map((f) => f.kind)).toContain('failed_burst');
  });

  it('shared, every node learns it: the next burst raises nothing anywhere', async () => {
    const nodes = sharing();
    await probeTwice(nodes, '192.0.2.78', resolveBenign);
    expect(nodes.flatMap((n) => n.raised)).toEqual([]);
  });
});
