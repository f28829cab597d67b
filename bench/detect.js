// `npm run bench:detect`: detection quality on labelled synthetic traffic (bench/detect-traffic.js).
//   node bench/detect.js [--seed N] [--keys N] [--days N]
// Runs the same AnomalyEngine the server runs, fed in one-second batches as the usage recorder
// feeds it, and reports precision, recall and time to detect per detector and overall.
// Writes the figures to bench/results/detect.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchGeo, scenario } from './detect-traffic.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: { seed: { type: 'string', default: '1' }, keys: { type: 'string', default: '40' }, days: { type: 'string', default: '10' } },
});

const build = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'apps/server'], {
  cwd: ROOT,
  encoding: 'utf8',
});
if (build.status !== 0) process.stderr.write(`bench:detect: the build failed; measuring the last build.\n${build.stdout}${build.stderr}\n`);
const { AnomalyEngine, defaultDetectors } = await import(join(ROOT, 'packages/core/dist/index.js'));

const s = scenario({ seed: Number(values.seed), keys: Number(values.keys), days: Number(values.days) });
const engine = new AnomalyEngine({ geo: benchGeo });
for (const id of s.honeytokens) engine.honeytokens.add(id);
const detectorOf = new Map();
for (const d of engine.detectors) for (const k of d.kinds) detectorOf.set(k, d.name);

const started = Date.now();
const findings = []; // { detector, kind, label, detectedAt }
const firstMalicious = new Map();
const lastMalicious = new Map();
let events = 0;
const run = (batch, now) => {
  const { created } = engine.process(batch, now);
  for (const f of created) {
    // The event that raised the finding: same time, key and address.
    const e = batch.find((x) => x.ts === f.firstEventAt && x.keyId === f.keyId && x.ip === f.details.ip);
    // A finding raised by an ordinary event amid an attack on the same key (the 31st use of a
    // minute whose other 30 were the attacker's) is about that attack.
    // A fleet-wide finding is about the spread attack under way when it was raised.
    const fleet =
      f.kind === 'fleet_failures'
        ? s.attacks.find(
            (a) =>
              a.detector === 'fleet-failures' &&
              firstMalicious.has(a.id) &&
              firstMalicious.get(a.id) <= f.detectedAt &&
              f.detectedAt <= lastMalicious.get(a.id) + 10 * 60_000,
          )
        : undefined;
    const during =
      f.keyId === null
        ? fleet
        : s.attacks.find(
            (a) =>
              a.keyId === f.keyId &&
              firstMalicious.has(a.id) &&
              firstMalicious.get(a.id) <= f.firstEventAt &&
              f.firstEventAt <= lastMalicious.get(a.id) + 60_000,
          );
    findings.push({
      detector: detectorOf.get(f.kind),
      kind: f.kind,
      label: e?.label ?? during?.id ?? null,
      detectedAt: f.detectedAt,
      explanation: f.explanation,
    });
  }
};
for (const minute of s.minutes()) {
  let batch = [];
  let second = -1;
  for (const e of minute) {
    events++;
    if (e.label !== null && !firstMalicious.has(e.label)) firstMalicious.set(e.label, e.ts);
    if (e.label !== null) lastMalicious.set(e.label, e.ts);
    const sec = Math.floor(e.ts / 1000);
    if (sec !== second && batch.length > 0) {
      run(batch, second * 1000 + 1000);
      batch = [];
    }
    second = sec;
    batch.push(e);
  }
  if (batch.length > 0) run(batch, second * 1000 + 1000);
}
const seconds = (Date.now() - started) / 1000;

const rows = [];
const names = defaultDetectors().map((d) => d.name);
let allTp = 0;
let allFindings = 0;
let allAttacks = 0;
let allDetected = 0;
const allTtd = [];
for (const name of names) {
  const mine = findings.filter((f) => f.detector === name);
  const tp = mine.filter((f) => f.label !== null).length;
  const attacks = s.attacks.filter((a) => a.detector === name);
  const ttd = [];
  let detected = 0;
  for (const a of attacks) {
    const hits = mine.filter((f) => f.label === a.id);
    if (hits.length === 0) continue;
    detected++;
    ttd.push((Math.min(...hits.map((h) => h.detectedAt)) - firstMalicious.get(a.id)) / 1000);
  }
  allTp += tp;
  allFindings += mine.length;
  allAttacks += attacks.length;
  allDetected += detected;
  allTtd.push(...ttd);
  rows.push({
    detector: name,
    attacks: attacks.length,
    detected,
    findings: mine.length,
    falsePositives: mine.length - tp,
    precision: mine.length === 0 ? null : tp / mine.length,
    recall: attacks.length === 0 ? null : detected / attacks.length,
    ttdMedianS: median(ttd),
    ttdMaxS: ttd.length ? Math.max(...ttd) : null,
  });
}
const overall = {
  attacks: allAttacks,
  detected: allDetected,
  findings: allFindings,
  falsePositives: allFindings - allTp,
  precision: allTp / allFindings,
  recall: allDetected / allAttacks,
  ttdMedianS: median(allTtd),
  ttdMaxS: Math.max(...allTtd),
};

function median(xs) {
  if (xs.length === 0) return null;
  const s2 = [...xs].sort((a, b) => a - b);
  return s2[Math.floor(s2.length / 2)];
}
const f = (x, d = 2) => (x === null ? '-' : x.toFixed(d));
const line = (cells) =>
  cells
    .map((c, i) => String(c).padEnd([18, 8, 9, 9, 6, 10, 8, 11, 9][i]))
    .join('')
    .trimEnd();
console.log(
  `\nDetection quality: ${events.toLocaleString('en-US')} events (${values.keys} normal keys, ${values.days} days, seed ${values.seed}), ${s.attacks.length} attacks, ${seconds.toFixed(1)} s (${Math.round(events / seconds).toLocaleString('en-US')} events/s)\n`,
);
console.log(line(['detector', 'attacks', 'detected', 'findings', 'FP', 'precision', 'recall', 'TTD median', 'TTD max']));
for (const r of [...rows, { detector: 'overall', ...overall }])
  console.log(
    line([
      r.detector,
      r.attacks,
      r.detected,
      r.findings,
      r.falsePositives,
      f(r.precision),
      f(r.recall),
      r.ttdMedianS === null ? '-' : `${f(r.ttdMedianS, 0)} s`,
      r.ttdMaxS === null ? '-' : `${f(r.ttdMaxS, 0)} s`,
    ]),
  );
// Per class of attack: recall and time to detect (a class is found by one detector).
const classes = [...new Set(s.attacks.map((a) => a.kind))];
const classRows = classes.map((kind) => {
  const attacks = s.attacks.filter((a) => a.kind === kind);
  const ttd = [];
  for (const a of attacks) {
    const hits = findings.filter((x) => x.label === a.id);
    if (hits.length > 0) ttd.push((Math.min(...hits.map((h) => h.detectedAt)) - firstMalicious.get(a.id)) / 1000);
  }
  return {
    kind,
    attacks: attacks.length,
    detected: ttd.length,
    recall: ttd.length / attacks.length,
    ttdMedianS: median(ttd),
    ttdMaxS: ttd.length ? Math.max(...ttd) : null,
  };
});
console.log('\nBy class of attack:');
console.log(line(['class', 'attacks', 'detected', '', '', '', 'recall', 'TTD median', 'TTD max']));
for (const r of classRows)
  console.log(
    line([
      r.kind.slice(0, 17),
      r.attacks,
      r.detected,
      '',
      '',
      '',
      f(r.recall),
      r.ttdMedianS === null ? '-' : `${f(r.ttdMedianS, 0)} s`,
      r.ttdMaxS === null ? '-' : `${f(r.ttdMaxS, 0)} s`,
    ]),
  );
const fps = findings.filter((x) => x.label === null);
if (fps.length > 0) {
  console.log('\nFalse positives (first 10):');
  for (const x of fps.slice(0, 10)) console.log(`  ${x.kind}: ${x.explanation}`);
}
const missed = s.attacks.filter((a) => !findings.some((x) => x.label === a.id && x.detector === a.detector));
if (missed.length > 0) console.log(`\nMissed: ${missed.map((a) => `${a.id} (${a.kind} on ${a.keyId ?? 'no key'})`).join(', ')}`);
const targets = rows.every((r) => (r.precision ?? 1) >= 0.95 && (r.recall ?? 1) >= 0.95 && (r.ttdMaxS ?? 0) <= 300);
console.log(`\nTargets (every detector: precision ≥ 0.95, recall ≥ 0.95, detected within 5 minutes): ${targets ? 'met' : 'NOT met'}`);
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(
  join(ROOT, 'bench/results/detect.json'),
  JSON.stringify(
    { at: new Date().toISOString(), events, seconds, seed: Number(values.seed), detectors: rows, classes: classRows, overall },
    null,
    2,
  ),
);
