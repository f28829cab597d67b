import type { AnomalyDraft, AnomalyEngine, UsageEvent } from '@tessera/core';
import { networkOf } from '@tessera/core';

/** Monday 2026-01-05 00:00 UTC. */
export const T0 = Date.parse('2026-01-05T00:00:00Z');
export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** A small deterministic PRNG (mulberry32), so every run sees the same traffic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function poisson(mean: number, random: () => number): number {
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(random)));
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= random();
  } while (p > l);
  return k - 1;
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
}

export function event(ts: number, over: Partial<UsageEvent> = {}): UsageEvent {
  const ip = over.ip ?? '198.51.100.7';
  return {
    ts,
    workspaceId: 'ws_test',
    keyId: 'key_a',
    keyspaceId: 'ks_test',
    ownerId: 'acme',
    outcome: 'VALID',
    ip,
    network: ip === null ? null : (networkOf(ip) ?? null),
    userAgent: 'client/1.0',
    cost: 1,
    resource: null,
    method: null,
    scopes: null,
    ...over,
  };
}

/**
 * Normal use of one key: `perMinute` on average (Poisson), from addresses of `networks` (a /24
 * prefix such as `198.51.100`), during the hours `active(ts)` allows.
 */
export function normal(o: {
  keyId?: string;
  from: number;
  to: number;
  perMinute: number;
  networks: string[];
  active?: (ts: number) => boolean;
  seed?: number;
}): UsageEvent[] {
  const random = rng(o.seed ?? 1);
  const out: UsageEvent[] = [];
  for (let m = o.from; m < o.to; m += MIN) {
    if (o.active !== undefined && !o.active(m)) continue;
    const n = poisson(o.perMinute, random);
    for (let i = 0; i < n; i++) {
      const net = o.networks[Math.floor(random() * o.networks.length)]!;
      out.push(event(m + Math.floor(random() * MIN), { keyId: o.keyId ?? 'key_a', ip: `${net}.${1 + Math.floor(random() * 50)}` }));
    }
  }
  return out.sort((a, b) => a.ts - b.ts);
}

/** Mon–Fri, 09:00–17:00 UTC. */
export const officeHours = (ts: number) => {
  const day = (Math.floor(ts / DAY) + 3) % 7;
  const hour = Math.floor(ts / HOUR) % 24;
  return day < 5 && hour >= 9 && hour < 17;
};

/** Feeds the engine a batch a second, as the usage recorder does, and answers every finding it raised. */
export function runInBatches(engine: AnomalyEngine, events: UsageEvent[]): AnomalyDraft[] {
  const found: AnomalyDraft[] = [];
  let batch: UsageEvent[] = [];
  let second = -1;
  for (const e of events) {
    const s = Math.floor(e.ts / 1000);
    if (s !== second && batch.length > 0) {
      found.push(...engine.process(batch, second * 1000 + 1000).created);
      batch = [];
    }
    second = s;
    batch.push(e);
  }
  if (batch.length > 0) found.push(...engine.process(batch, second * 1000 + 1000).created);
  return found;
}
