// Runs a scenario of bench/detect-traffic.js through one node or several, as the server runs
// detection: each node an AnomalyEngine fed by its usage recorder in one-second batches; with
// several nodes, each request goes to a node at random (a load balancer) and the nodes share the
// fleet-wide counters through Redis with the server's own adapter (RedisFleetExchange), syncing,
// judging and claiming as the anomaly service does (packages/core/src/anomaly/anomaly-service.ts,
// handleBatch). An operator may resolve findings on benign traffic as benign, through the node
// that takes the API call, as AnomalyService.resolve does. With `warmUntil`, the nodes start
// then: each first replays the stored usage before it (AnomalyService.warmUp, ten-minute windows,
// learned but neither shared nor recorded), as a node does when it starts.
import { rng } from './detect-traffic.js';

const MIN = 60_000;

/**
 * `core`: packages/core's build; `exchange(i)`: node i's shared-counter port (undefined: none).
 * `feedback`: delay (ms) after which the operator resolves a finding on benign traffic as benign
 * (undefined: never). Answers every recorded finding with what it was about.
 */
export async function runNodes(s, { core, geo, nodes: count, exchange, feedback, seed, warmUntil = -Infinity }) {
  const { AnomalyEngine, FleetSync } = core;
  const nodes = Array.from({ length: count }, (_, i) => {
    const port = exchange(i);
    const engine = new AnomalyEngine({ geo, deferAggregates: port !== undefined });
    for (const id of s.honeytokens) engine.honeytokens.add(id);
    // As the server wires it (apps/server/src/wiring/monitoring-services.ts).
    const sync = port === undefined ? undefined : new FleetSync(port, engine);
    return { engine, sync, batch: [], errors: 0 };
  });
  const balance = rng(seed * 7919 + count);
  const detectorOf = new Map();
  for (const d of nodes[0].engine.detectors) for (const k of d.kinds) detectorOf.set(k, d.name);
  const findings = [];
  const firstMalicious = new Map();
  const lastMalicious = new Map();
  const labelOfIp = new Map(); // address → the label (or benign class) of its last failure
  const pending = []; // the operator's queue: findings on benign traffic to resolve as benign
  const resolved = []; // { kind, subject, keyId, benign, at }
  const repeats = []; // { at }: a fleet-wide incident judged high again (counted on its finding)
  let events = 0;

  const attribute = (f, batch) => {
    const e = batch.find((x) => x.ts === f.firstEventAt && x.keyId === f.keyId && x.ip === f.details.ip);
    // A fleet-wide finding is about the spread attack under way when it was raised (one that has
    // run a minute at least, else a per-address burst under way, else one that has just begun).
    const underWay = (a) =>
      firstMalicious.has(a.id) && firstMalicious.get(a.id) <= f.detectedAt && f.detectedAt <= lastMalicious.get(a.id) + 10 * MIN;
    const fleet =
      f.kind === 'fleet_failures'
        ? (s.attacks.find((a) => a.detector === 'fleet-failures' && underWay(a) && firstMalicious.get(a.id) <= f.detectedAt - MIN) ??
          s.attacks.find((a) => a.kind === 'failed_burst' && underWay(a)) ??
          s.attacks.find((a) => a.detector === 'fleet-failures' && underWay(a)))
        : undefined;
    // A finding raised by an ordinary event amid an attack on the same key is about that attack.
    const during =
      f.keyId === null
        ? fleet
        : s.attacks.find(
            (a) =>
              a.keyId === f.keyId &&
              firstMalicious.has(a.id) &&
              firstMalicious.get(a.id) <= f.firstEventAt &&
              f.firstEventAt <= lastMalicious.get(a.id) + MIN,
          );
    // A burst judged on every node's counts is about whatever that address was doing.
    const byIp = f.kind === 'failed_burst' && e === undefined ? labelOfIp.get(f.subject) : undefined;
    if (byIp !== undefined) return byIp;
    const label = e?.label ?? during?.id ?? null;
    // The benign class it was raised on: the event's, or for a fleet-wide finding the failures' background.
    const benign = label !== null ? null : (e?.benign ?? (f.kind === 'fleet_failures' ? 'stray_noise' : 'normal'));
    return { label, benign };
  };
  const record = (f, batch, node) => {
    const { label, benign } = attribute(f, batch);
    findings.push({
      detector: detectorOf.get(f.kind),
      kind: f.kind,
      subject: f.subject,
      keyId: f.keyId,
      label,
      benign,
      detectedAt: f.detectedAt,
      explanation: f.explanation,
    });
    if (label === null && feedback !== undefined) pending.push({ due: f.detectedAt + feedback, f, benign, node });
  };

  /** The operator resolves what is due, each through the node that took the call (any node). */
  const operate = (now) => {
    while (pending.length > 0 && pending[0].due <= now) {
      const { f, benign } = pending.shift();
      const n = nodes[Math.floor(balance() * nodes.length)];
      n.engine.forget(f.fingerprint);
      n.engine.learnBenign(f, now);
      // Sharing state, the other nodes learn it with their next exchange.
      if (n.sync !== undefined) lessons.push(n.sync.resolved(f, true).catch(() => n.errors++));
      resolved.push({ kind: f.kind, subject: f.subject, keyId: f.keyId, benign, at: now });
    }
  };
  const lessons = [];

  /** One node's batch, as its anomaly service handles it. */
  const handle = async (n, batch, now) => {
    /** Alone, a node records what it finds; sharing state, what it claimed first. */
    const mine = async (f) => {
      if (n.sync === undefined) return true;
      try {
        return await n.sync.claim(f);
      } catch {
        n.errors++;
        return true;
      }
    };
    const out = n.engine.process(batch, now);
    for (const f of out.created) if (await mine(f)) record(f, batch, n);
    for (const r of out.repeats) if (r.fingerprint.startsWith('fleet_failures|')) repeats.push({ at: now });
    if (n.sync === undefined) return;
    try {
      await n.sync.sync(now);
    } catch {
      n.errors++;
    }
    const agg = n.engine.evaluate(now);
    for (const r of agg.repeats) if (r.fingerprint.startsWith('fleet_failures|')) repeats.push({ at: now });
    for (const f of agg.created) if (await mine(f)) record(f, batch, n);
    await n.sync.renew(agg.repeats).catch(() => n.errors++);
  };

  const flush = async (now) => {
    operate(now);
    if (lessons.length > 0) await Promise.all(lessons.splice(0));
    // The nodes run side by side: each handles its own batch of the second.
    const busy = [];
    for (const n of nodes)
      if (n.batch.length > 0) {
        const batch = n.batch;
        n.batch = [];
        busy.push(handle(n, batch, now));
      }
    if (busy.length === 1) await busy[0];
    else if (busy.length > 1) await Promise.all(busy);
  };

  const started = Date.now();
  let warm = [];
  let warmEnd = -Infinity;
  for (const minute of s.minutes()) {
    const t = minute.length > 0 ? Math.floor(minute[0].ts / MIN) * MIN : undefined;
    if (t !== undefined && t < warmUntil) {
      // Stored history, replayed by every node at start-up in ten-minute windows.
      if (warmEnd === -Infinity) warmEnd = t + 10 * MIN;
      if (t >= warmEnd) {
        for (const n of nodes) n.engine.process(warm, warmEnd, true);
        warm = [];
        warmEnd += 10 * MIN;
      }
      events += minute.length;
      warm.push(...minute);
      continue;
    }
    if (warm.length > 0) {
      for (const n of nodes) n.engine.process(warm, warmEnd, true);
      warm = [];
    }
    let second = -1;
    for (const e of minute) {
      events++;
      if (e.label !== null && !firstMalicious.has(e.label)) firstMalicious.set(e.label, e.ts);
      if (e.label !== null) lastMalicious.set(e.label, e.ts);
      if (e.outcome === 'NOT_FOUND' || e.outcome === 'MALFORMED') labelOfIp.set(e.ip, { label: e.label, benign: e.benign });
      const sec = Math.floor(e.ts / 1000);
      if (sec !== second && second !== -1) await flush(second * 1000 + 1000);
      second = sec;
      nodes[count === 1 ? 0 : Math.floor(balance() * count)].batch.push(e);
    }
    if (second !== -1) await flush(second * 1000 + 1000);
  }
  return {
    findings,
    firstMalicious,
    lastMalicious,
    resolved,
    repeats,
    events,
    seconds: (Date.now() - started) / 1000,
    exchangeErrors: nodes.reduce((n, x) => n + x.errors, 0),
  };
}
