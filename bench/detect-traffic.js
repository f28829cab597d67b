// Labelled synthetic traffic for `npm run bench:detect`: normal keys with daily and weekly
// rhythms, batch jobs, roaming clients, keys used from two regions, background failures — and
// injected attacks of every kind the detectors look for, each event labelled with the attack it
// belongs to (or none), and benign events with the class they belong to (bench/detect-benign.js).
// Deterministic for a seed.
//
// Geography here is a FIXTURE of this benchmark, not data: the first octet of an (invented)
// address names its region. Tessera ships no GeoIP database (see docs/monitoring.md).

import { benignTraffic } from './detect-benign.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Monday 2026-01-05 00:00 UTC. */
export const START = Date.parse('2026-01-05T00:00:00Z');

export const REGIONS = {
  10: { country: 'DE', latitude: 50.11, longitude: 8.68 },
  11: { country: 'US', latitude: 40.71, longitude: -74.0 },
  12: { country: 'AU', latitude: -33.87, longitude: 151.21 },
  13: { country: 'BR', latitude: -23.55, longitude: -46.63 },
  14: { country: 'JP', latitude: 35.68, longitude: 139.69 },
};

/** The benchmark's GeoIP lookup (a fixture): region by first octet. */
export const benchGeo = {
  lookup(ip) {
    return REGIONS[Number(ip.split('.')[0])];
  },
};

export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function poisson(mean, random) {
  if (mean <= 0) return 0;
  if (mean > 40)
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random())));
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= random();
  } while (p > l);
  return k - 1;
}

const dayOf = (ts) => (Math.floor(ts / DAY) + 3) % 7; // Monday = 0

/**
 * Builds a scenario: `learnDays` of normal traffic, then `days - learnDays` more with attacks
 * injected. Answers the keys, the attacks and `minutes()`, which yields each minute's events in
 * time order (so millions of events never sit in memory at once).
 */
export function scenario({ seed = 1, keys = 40, days = 10, learnDays = 8, workspaceId = 'ws_bench' } = {}) {
  const random = rng(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const net = (region) => `${region}.${Math.floor(random() * 250)}.${Math.floor(random() * 250)}`;
  const end = START + days * DAY;
  const attackStart = START + learnDays * DAY;

  const normal = [];
  for (let i = 0; i < keys; i++) {
    const r = random();
    const kind = r < 0.4 ? 'office' : r < 0.75 ? 'always' : r < 0.85 ? 'batch' : r < 0.93 ? 'roaming' : 'two-regions';
    const home = pick([10, 11, 12, 13, 14]);
    const far = pick([10, 11, 12, 13, 14].filter((x) => x !== home));
    const networks = kind === 'two-regions' ? [net(home), net(far)] : Array.from({ length: 1 + Math.floor(random() * 3) }, () => net(home));
    normal.push({
      id: `key_n${i}`,
      // A few owners per kind of key: the prior of their young keys.
      owner: `own_${kind}_${i % 3}`,
      kind,
      region: home,
      networks,
      rate: Math.exp(Math.log(0.3) + random() * Math.log(30)),
      phase: random() * 24,
      jitter: Array.from({ length: days }, () => [Math.floor(random() * 90) - 45, Math.floor(random() * 90) - 45]),
    });
  }
  const activeRate = (k, ts) => {
    if (k.born !== undefined && ts < k.born) return 0;
    const h = (ts % DAY) / HOUR;
    if (k.kind === 'office') {
      const d = Math.floor((ts - START) / DAY);
      const [js, je] = k.jitter[d] ?? [0, 0];
      const minuteOfDay = (ts % DAY) / MIN;
      return dayOf(ts) < 5 && minuteOfDay >= 8 * 60 + js && minuteOfDay < 18 * 60 + je ? k.rate : 0;
    }
    if (k.kind === 'batch') return ts % HOUR < 2 * MIN ? 30 + k.rate * 3 : 0.05;
    return k.rate * (0.25 + (0.75 * (1 + Math.sin(((h - k.phase) / 24) * 2 * Math.PI))) / 2);
  };
  const peakRate = (k) => (k.kind === 'batch' ? 30 + k.rate * 3 : k.rate);

  /** Attacks: each has an id, a kind, the detector that should find it, a start, and its events per minute. */
  const attacks = [];
  const inWindow = () => attackStart + Math.floor((random() * (end - attackStart - 2 * HOUR)) / MIN) * MIN;
  const whenActive = (k) => {
    for (let tries = 0; tries < 500; tries++) {
      const t = inWindow();
      if (activeRate(k, t) > 0 && activeRate(k, t + 15 * MIN) > 0) return t;
    }
    return inWindow();
  };
  const add = (kind, detector, start, keyId, gen) => attacks.push({ id: `atk_${attacks.length}`, kind, detector, start, keyId, gen });
  const steady = normal.filter((k) => k.kind === 'office' || k.kind === 'always');
  const offices = normal.filter((k) => k.kind === 'office');
  // Attacks of one kind go to different keys (drawn without replacement), so two of them never
  // merge into one incident: a kind gets fewer attacks than asked when there are fewer keys to
  // attack (`take` answers undefined). Drawn again once used up, a key was attacked twice on the
  // same night, and the second attack, a repeat of the first finding, counted as missed.
  const drawn = new Map();
  const take = (kind, list) => {
    let left = drawn.get(kind);
    if (left === undefined) drawn.set(kind, (left = [...list]));
    return left.length === 0 ? undefined : left.splice(Math.floor(random() * left.length), 1)[0];
  };

  for (let i = 0; i < 12; i++) {
    const k = take('new_network', steady);
    if (k === undefined) break;
    const ip = `${net(k.region)}.${1 + Math.floor(random() * 250)}`;
    const rate = Math.max(1, k.rate);
    add('new_network', 'new-network', whenActive(k), k.id, (t, a) =>
      t - a.start < 15 * MIN ? Array.from({ length: poisson(rate, random) + (t === a.start ? 1 : 0) }, () => ({ keyId: k.id, ip })) : [],
    );
  }
  for (let i = 0; i < 12; i++) {
    const k = take(
      'rate_spike',
      normal.filter((x) => x.kind !== 'roaming'),
    );
    if (k === undefined) break;
    const rate = Math.max(60, 15 * peakRate(k));
    const start = k.kind === 'batch' ? inWindow() + 20 * MIN : whenActive(k);
    add('rate_spike', 'rate-spike', start, k.id, (t, a) =>
      t - a.start < 5 * MIN
        ? Array.from({ length: poisson(rate, random) }, () => ({ keyId: k.id, ip: `${k.networks[0]}.${1 + Math.floor(random() * 50)}` }))
        : [],
    );
  }
  // Use at 02:00–04:00 on a night of the attack window: an office-hours key has never been active then.
  const atNight = (kind, k) => {
    const nights = Math.floor((end - attackStart) / DAY);
    const start =
      attackStart + Math.floor(random() * nights) * DAY + (2 + Math.floor(random() * 2)) * HOUR + Math.floor(random() * 50) * MIN;
    add(kind, 'unusual-hour', start, k.id, (t, a) =>
      t - a.start < 10 * MIN && random() < 0.6
        ? [{ keyId: k.id, ip: `${k.networks[0]}.${1 + Math.floor(random() * 50)}` }]
        : t === a.start
          ? [{ keyId: k.id, ip: `${k.networks[0]}.9` }]
          : [],
    );
  };
  for (let i = 0; i < 10; i++) {
    const k = take('unusual_hour', offices);
    if (k === undefined) break;
    atNight('unusual_hour', k);
  }
  // Young keys: new keys of an office-hours owner, first used three to five days before the
  // attacks' window; six of them are used at night while three to seven days old.
  const young = [];
  for (let i = 0; i < 8; i++) {
    const model = offices[i % offices.length];
    const k = { ...model, id: `key_y${i}`, networks: [net(model.region)], born: attackStart - (3 + Math.floor(random() * 3)) * DAY };
    normal.push(k);
    young.push(k);
  }
  for (const k of young.slice(0, 6)) atNight('young_unusual_hour', k);
  for (let i = 0; i < 10; i++) {
    const ip = `${net(pick([10, 11, 12, 13, 14]))}.${1 + Math.floor(random() * 250)}`;
    const perMinute = i < 5 ? 100 + Math.floor(random() * 200) : 25 + Math.floor(random() * 15); // fast, then slower stuffing
    add('failed_burst', 'failed-burst', inWindow(), null, (t, a) =>
      t - a.start < 3 * MIN
        ? Array.from({ length: poisson(perMinute, random) + (t === a.start ? 1 : 0) }, () => ({
            keyId: null,
            ip,
            outcome: random() < 0.8 ? 'NOT_FOUND' : 'MALFORMED',
          }))
        : [],
    );
  }
  // Low and slow: guessing spread over hundreds of addresses, two or three tries each over 40 to
  // 90 minutes, far below the per-address threshold; half of them aimed at one keyspace.
  for (let i = 0; i < 8; i++) {
    const addresses = 200 + Math.floor(random() * 250);
    const tries = addresses * (2 + Math.floor(random() * 2));
    const span = (40 + Math.floor(random() * 50)) * MIN;
    const keyspaceId = i % 2 === 0 ? 'ks_bench' : null;
    const outcome = i % 4 === 1 ? 'MALFORMED' : 'NOT_FOUND';
    const pool = Array.from({ length: addresses }, () => `${net(pick([10, 11, 12, 13, 14]))}.${1 + Math.floor(random() * 250)}`);
    // Two campaigns at once in one workspace are one incident to any aggregate view: keep them apart.
    let start = inWindow();
    for (
      let tries = 0;
      tries < 200 && attacks.some((x) => x.kind === 'distributed_guessing' && Math.abs(x.start - start) < 3 * HOUR);
      tries++
    )
      start = inWindow();
    add('distributed_guessing', 'fleet-failures', start, null, (t, a) =>
      t - a.start < span
        ? Array.from({ length: poisson((tries / span) * MIN, random) + (t === a.start ? 1 : 0) }, () => ({
            keyId: null,
            ip: pick(pool),
            outcome,
            keyspaceId,
          }))
        : [],
    );
  }
  const dead = [];
  for (const [state, outcome] of [
    ['revoked', 'REVOKED'],
    ['expired', 'EXPIRED'],
    ['deleted', 'NOT_FOUND'],
  ]) {
    for (let i = 0; i < 4; i++) {
      const id = `key_${state}${i}`;
      dead.push(id);
      const ip = `${net(pick([10, 11, 12, 13, 14]))}.${1 + Math.floor(random() * 250)}`;
      add(`${state}_key_used`, 'dead-key', inWindow(), id, (t, a) =>
        t - a.start < 10 * MIN && (t === a.start || random() < 0.3) ? [{ keyId: id, ip, outcome, deleted: state === 'deleted' }] : [],
      );
    }
  }
  for (let i = 0; i < 8; i++) {
    const k = take(
      'impossible_travel',
      steady.filter((x) => x.kind !== 'two-regions'),
    );
    if (k === undefined) break;
    const farRegion = pick([10, 11, 12, 13, 14].filter((x) => x !== k.region));
    const ip = `${net(farRegion)}.${1 + Math.floor(random() * 250)}`;
    const start = whenActive(k);
    // The thief's use comes minutes after the owner's own: the owner keeps using the key from home.
    add('impossible_travel', 'impossible-travel', start, k.id, (t, a) => {
      if (t - a.start >= 10 * MIN) return [];
      const own = t === a.start ? [{ keyId: k.id, ip: `${k.networks[0]}.7`, own: true }] : [];
      return [...own, ...(t - a.start >= 3 * MIN ? [{ keyId: k.id, ip }] : [])];
    });
  }
  const honeytokens = [];
  for (let i = 0; i < 5; i++) {
    const id = `key_honey${i}`;
    honeytokens.push(id);
    const ip = `${net(pick([10, 11, 12, 13, 14]))}.${1 + Math.floor(random() * 250)}`;
    add('honeytoken_used', 'honeytoken', inWindow(), id, (t, a) =>
      t === a.start || (t - a.start < 5 * MIN && random() < 0.3) ? [{ keyId: id, ip }] : [],
    );
  }

  const benign = benignTraffic({ random, pick, net, poisson, start: START, attackStart, dayOf });

  const base = { workspaceId, keyspaceId: 'ks_bench', ownerId: null, userAgent: null, cost: 1, resource: null, method: null, scopes: null };
  const networkOf = (ip) => `${ip.split('.').slice(0, 3).join('.')}.0/24`;
  const ownerOf = new Map([...normal, ...benign.keys].map((k) => [k.id, k.owner]));
  const toEvent = (ts, e, label) => ({
    ...base,
    ownerId: ownerOf.get(e.keyId) ?? null,
    ...(e.keyspaceId !== undefined && { keyspaceId: e.keyspaceId }),
    ts,
    keyId: e.keyId,
    outcome: e.outcome ?? 'VALID',
    ip: e.ip,
    network: networkOf(e.ip),
    ...(e.deleted && { deleted: true }),
    label: e.own ? null : label,
    benign: label === null || e.own ? (e.benign ?? 'normal') : null,
  });

  function* minutes() {
    for (let t = START; t < end; t += MIN) {
      const events = [];
      for (const k of normal) {
        const n = poisson(activeRate(k, t), random);
        for (let j = 0; j < n; j++) {
          const ip =
            k.kind === 'roaming'
              ? `${net(k.region)}.${1 + Math.floor(random() * 250)}`
              : `${pick(k.networks)}.${1 + Math.floor(random() * 50)}`;
          events.push(toEvent(t + Math.floor(random() * MIN), { keyId: k.id, ip }, null));
        }
      }
      for (const k of benign.keys) {
        const n = poisson(k.rate(t), random);
        for (let j = 0; j < n; j++)
          events.push(toEvent(t + Math.floor(random() * MIN), { keyId: k.id, ip: k.ip(t), benign: k.benign }, null));
      }
      for (const e of benign.extra(t)) events.push(toEvent(e.at, e, null));
      // Dead keys were in normal use until they were retired, a day before the attacks start.
      if (t < attackStart - DAY)
        for (const id of dead)
          if (random() < 0.5)
            events.push(toEvent(t + Math.floor(random() * MIN), { keyId: id, ip: `10.1.1.${1 + Math.floor(random() * 50)}` }, null));
      // Background failures: typos and stale configurations, from many places, a few an hour.
      if (random() < 0.05)
        events.push(
          toEvent(
            t + Math.floor(random() * MIN),
            {
              keyId: null,
              ip: `${net(pick([10, 11, 12, 13, 14]))}.${1 + Math.floor(random() * 250)}`,
              outcome: 'NOT_FOUND',
              benign: 'background',
            },
            null,
          ),
        );
      // One misconfigured client retrying a wrong key every two minutes, for days.
      if ((t / MIN) % 2 === 0)
        events.push(toEvent(t + 5000, { keyId: null, ip: '11.22.33.44', outcome: 'NOT_FOUND', benign: 'background' }, null));
      for (const a of attacks) {
        if (t < a.start || t > a.start + 2 * HOUR) continue;
        const made = a.gen(t, a);
        made.forEach((e, j) => events.push(toEvent(t === a.start && j === 0 ? t : t + Math.floor(random() * MIN), e, a.id)));
      }
      events.sort((x, y) => x.ts - y.ts);
      yield events;
    }
  }

  return { attacks: attacks.map(({ gen: _g, ...a }) => a), normal, benign: benign.keys, honeytokens, attackStart, end, minutes };
}
