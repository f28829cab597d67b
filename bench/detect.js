// `npm run bench:detect`: detection quality on labelled synthetic traffic (bench/detect-traffic.js,
// bench/detect-benign.js), on one node and across three nodes sharing state through Redis.
//   node bench/detect.js [--long] [--seeds 1,2,3] [--keys N] [--days N] [--nodes 1,3] [--feedback-min N] [--warm-days N]
//   node bench/detect.js --from a.json,b.json   (the report of runs saved by earlier invocations,
//                                                e.g. one per seed and node count run side by side)
// Runs the same AnomalyEngine the server runs, fed in one-second batches as the usage recorder
// feeds it (bench/detect-nodes.js), and reports per class of attack precision, recall and time
// to detect, per benign class its false positives, and what an operator's benign resolutions
// taught. By default 20 normal keys over 9 days, the nodes starting after 8 (each first replays
// the usage stored before, as a starting node does; the attacks' day is live): every class, three
// seeds, one node and three, in minutes. `--long`: 40 keys over 10 days, the nodes starting after
// 7 (three live days; over an hour). Three nodes need Redis (TESSERA_BENCH_REDIS_URL, default
// redis://127.0.0.1:6379); the bench uses a prefix of its own and deletes its keys. Writes
// bench/results/detect.json.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { BENIGN_CLASSES, TAUGHT_CLASSES } from './detect-benign.js';
import { runNodes } from './detect-nodes.js';
import { classRows, meetsTargets, sum, tally } from './detect-score.js';
import { benchGeo, scenario, START } from './detect-traffic.js';
import { deletePrefix } from './redis-prefix.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    long: { type: 'boolean', default: false },
    from: { type: 'string' },
    seeds: { type: 'string', default: '1,2,3' },
    keys: { type: 'string' },
    days: { type: 'string' },
    nodes: { type: 'string', default: '1,3' },
    'feedback-min': { type: 'string', default: '10' },
    'warm-days': { type: 'string' },
  },
});
const size = values.long ? { keys: '40', days: '10', 'warm-days': '7' } : { keys: '20', days: '9', 'warm-days': '8' };
for (const [k, v] of Object.entries(size)) values[k] ??= v;
const began = Date.now();
const saved = values.from?.split(',').map((file) => JSON.parse(readFileSync(file, 'utf8')));
const seeds = saved ? [...new Set(saved.flatMap((x) => x.seeds))] : values.seeds.split(',').map(Number);
const nodeCounts = saved ? [...new Set(saved.flatMap((x) => x.runs.map((r) => r.nodes)))].sort() : values.nodes.split(',').map(Number);
const feedbackMs = Number(values['feedback-min']) * 60_000;

const build = saved
  ? { status: 0 }
  : spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'apps/server'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
if (build.status !== 0) process.stderr.write(`bench:detect: the build failed; measuring the last build.\n${build.stdout}${build.stderr}\n`);
const core = await import(join(ROOT, 'packages/core/dist/index.js'));
const { RedisFleetExchange } = await import(join(ROOT, 'apps/server/dist/adapters/fleet/redis-fleet-exchange.js'));

// As the server connects (apps/server/src/wiring/shared-state.ts): one command connection per node.
const redisUrl = process.env.TESSERA_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `tessera-bench-detect-${randomBytes(4).toString('hex')}:`;
const connections = [];
const connect = async () => {
  const r = new Redis(redisUrl, {
    connectionName: 'tessera-bench-detect',
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 500,
    keepAlive: 10_000,
    retryStrategy: (times) => Math.min(50 * times, 1000),
  });
  r.on('error', () => {});
  connections.push(r);
  for (let i = 0; r.status !== 'ready'; i++) {
    if (i > 300) throw new Error(`bench:detect: Redis at ${redisUrl} did not answer`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return r;
};
async function dropPrefix() {
  if (connections[0] !== undefined) await deletePrefix(connections[0], prefix);
}

const runs = saved?.flatMap((x) => x.runs) ?? []; // { nodes, feedback, seed, tally }
const modes = [];
for (const n of nodeCounts) {
  if (n === 1) modes.push({ nodes: 1, feedback: false });
  modes.push({ nodes: n, feedback: true });
}
/** One seed in one mode; the seeds of a mode run side by side (the nodes' Redis round trips overlap). */
async function runOne(mode, seed) {
  const s = scenario({ seed, keys: Number(values.keys), days: Number(values.days) });
  const ports = [];
  if (mode.nodes > 1) for (let i = 0; i < mode.nodes; i++) ports.push(new RedisFleetExchange(await connect(), `${prefix}${seed}:`));
  const run = await runNodes(s, {
    core,
    geo: benchGeo,
    nodes: mode.nodes,
    exchange: (i) => ports[i],
    feedback: mode.feedback ? feedbackMs : undefined,
    seed,
    warmUntil: START + Number(values['warm-days']) * 86_400_000,
  });
  runs.push({ ...mode, seed, tally: tally(s, run) });
  process.stderr.write(
    `seed ${seed}, ${mode.nodes} node${mode.nodes > 1 ? 's' : ''}${mode.feedback ? ', operator feedback' : ''}: ${run.events.toLocaleString('en-US')} events in ${run.seconds.toFixed(0)} s${run.exchangeErrors ? `, ${run.exchangeErrors} failed exchanges` : ''}\n`,
  );
}
try {
  if (!saved) for (const mode of modes) await Promise.all(seeds.map((seed) => runOne(mode, seed)));
} finally {
  await dropPrefix().catch(() => {});
  for (const r of connections) r.disconnect();
}

function sum0(xs) {
  return xs.reduce((a, b) => a + b, 0);
}
const f = (x, d = 2) => (x === null ? '-' : x.toFixed(d));
const s = (x) => (x === null ? '-' : `${f(x, 0)} s`);
const widths = [20, 18, 8, 9, 9, 5, 10, 8, 11, 8];
const line = (cells) =>
  cells
    .map((c, i) => String(c).padEnd(widths[i] ?? 10))
    .join('')
    .trimEnd();
const report = [];
for (const n of nodeCounts)
  for (const feedback of n === 1 ? [false, true] : [true]) {
    const mine = runs.filter((r) => r.nodes === n && r.feedback === feedback).sort((a, b) => a.seed - b.seed);
    if (mine.length === 0) continue;
    const total = sum(mine.map((r) => r.tally));
    const rows = classRows(total);
    report.push({
      nodes: n,
      feedback,
      seeds: mine.map((r) => r.seed),
      rows,
      benign: total.benign,
      resolved: total.resolved,
      errors: total.errors,
    });
    console.log(
      `\n${n} node${n > 1 ? 's (sharing fleet counters in Redis)' : ''}, ${feedback ? `operator resolves findings on benign traffic as benign after ${values['feedback-min']} min` : 'no operator feedback'}; seeds ${mine.map((r) => r.seed).join(', ')}: ${total.events.toLocaleString('en-US')} events, ${total.seconds.toFixed(0)} s\n`,
    );
    console.log(
      line(['class', 'detector', 'attacks', 'detected', 'findings', 'FP', 'precision', 'recall', 'TTD median', 'TTD max', 'findings by']),
    );
    for (const r of rows)
      console.log(
        line([
          r.class,
          r.detector,
          r.attacks,
          r.detected,
          r.findings,
          r.falsePositives,
          f(r.precision),
          f(r.recall),
          s(r.ttdMedianS),
          s(r.ttdMaxS),
          Object.entries(r.findingsBy)
            .map(([d, n]) => `${d} ${n}`)
            .join(', '),
        ]),
      );
    console.log(`\n${line(['benign class', 'false positives', '', 'after feedback', 'by kind'])}`);
    for (const name of [...BENIGN_CLASSES, ...TAUGHT_CLASSES, 'normal', 'background']) {
      const b = total.benign[name];
      if (b === undefined) continue;
      const kinds = Object.entries(b.byKind).map(([k, v]) => `${k} ${v}`);
      console.log(line([name, b.findings, '', feedback ? b.after : '-', kinds.join(', ') || '-']));
    }
    if (feedback) console.log(`Findings resolved as benign by the operator: ${total.resolved}`);
    if (total.errors > 0) console.log(`Exchanges with Redis that failed (detection went on with the node's own counts): ${total.errors}`);
    console.log(
      `Targets (every class: precision ≥ 0.95, recall ≥ 0.95, detected within 5 minutes): ${meetsTargets(rows) ? 'met' : 'NOT met'}`,
    );
  }
const cpu = process.cpuUsage();
const wall = (Date.now() - began) / 1000;
const cpuSeconds = saved ? sum0(saved.map((x) => x.cpuSeconds)) : (cpu.user + cpu.system) / 1e6;
console.log(
  saved
    ? `\nThe saved runs took ${cpuSeconds.toFixed(0)} s of CPU (at most ${Math.max(...saved.map((x) => x.wallSeconds)).toFixed(0)} s each)`
    : `\nbench:detect took ${wall.toFixed(0)} s (${cpuSeconds.toFixed(0)} s of CPU)`,
);
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(
  resolve(ROOT, process.env.BENCH_DETECT_OUT ?? 'bench/results/detect.json'),
  JSON.stringify(
    {
      at: new Date().toISOString(),
      seeds,
      size: { keys: Number(values.keys), days: Number(values.days), warmDays: Number(values['warm-days']) },
      wallSeconds: wall,
      cpuSeconds,
      report,
      runs,
    },
    null,
    2,
  ),
);
