import { AnomalyEngine, FleetSync, type AnomalyDraft, type UsageEvent } from '@tessera/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { RedisFleetExchange } from '../../apps/server/src/adapters/fleet/redis-fleet-exchange.js';
import { dropPrefix, TEST_REDIS_URL, until } from '../scale/support/redis.js';

/** One Redis connection per node, opened before the file's tests; after them closed, and the prefix's keys dropped. */
export function nodeConnections(prefix: string, count = 3): Redis[] {
  const connections: Redis[] = [];
  beforeAll(async () => {
    for (let i = 0; i < count; i++) {
      const r = new Redis(TEST_REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 500 });
      r.on('error', () => {});
      connections.push(r);
    }
    await until(() => connections.every((r) => r.status === 'ready'));
  });
  afterAll(async () => {
    for (const r of connections) r.disconnect();
    await dropPrefix(prefix);
  });
  return connections;
}

/** One node of a cluster: its engine, and with Redis its exchange with the other nodes. */
export interface Node {
  engine: AnomalyEngine;
  sync: FleetSync | undefined;
  /** What the node found, and of it what it recorded (alone, all; sharing, what it claimed first). */
  raised: AnomalyDraft[];
  recorded: AnomalyDraft[];
  repeats: number;
}

export function node(shared: Redis | undefined, prefix: string): Node {
  const engine = new AnomalyEngine({ deferAggregates: shared !== undefined });
  // As the server wires it (apps/server/src/wiring/monitoring-services.ts).
  const sync = shared === undefined ? undefined : new FleetSync(new RedisFleetExchange(shared, prefix), engine);
  return { engine, sync, raised: [], recorded: [], repeats: 0 };
}

/**
 * What a node's anomaly service does with a batch (AnomalyService.handleBatch): detect, record
 * what it claimed, exchange counters, judge the aggregates, record what it claimed.
 */
export async function batch(n: Node, events: UsageEvent[], now: number): Promise<void> {
  const out = n.engine.process(events, now);
  n.raised.push(...out.created);
  for (const d of out.created) if (n.sync === undefined || (await n.sync.claim(d))) n.recorded.push(d);
  if (n.sync === undefined) return;
  await n.sync.sync(now);
  const agg = n.engine.evaluate(now);
  n.raised.push(...agg.created);
  for (const d of agg.created) if (await n.sync.claim(d)) n.recorded.push(d);
  await n.sync.renew(agg.repeats);
  n.repeats += agg.repeats.length;
}

/** What AnomalyService.resolve does on the node that takes the call, for a finding resolved as benign. */
export async function resolveBenign(n: Node, f: AnomalyDraft, now: number): Promise<void> {
  n.engine.forget(f.fingerprint);
  n.engine.learnBenign(f, now);
  await n.sync?.resolved(f, true);
}

/** Each node replays the stored history (every node's traffic), as a node does when it starts: ten-minute windows. */
export function replay(nodes: Node[], history: UsageEvent[], from: number, to: number): void {
  const WINDOW = 600_000;
  for (const n of nodes)
    for (let t = from; t < to; t += WINDOW)
      n.engine.process(
        history.filter((e) => e.ts >= t && e.ts < t + WINDOW),
        t + WINDOW,
        true,
      );
}

/** The balancer sends each request to a node in turn; each node handles its share in 1-second batches. */
export async function spread(nodes: Node[], live: UsageEvent[], start: number, seconds: number): Promise<void> {
  for (let t = start; t < start + seconds * 1000; t += 1000)
    for (let i = 0; i < nodes.length; i++)
      await batch(
        nodes[i]!,
        live.filter((e, j) => j % nodes.length === i && e.ts >= t && e.ts < t + 1000),
        t + 1000,
      );
}
