// `npm run bench`: Tessera's performance targets (docs/benchmarks.md), measured as ratios within one run.
//   node bench/run.js [--quick] [--cpu-prof] [--no-oauth]
//     --quick     shorter rounds, for trying the script out (figures are rougher)
//     --no-oauth  skip the token-endpoint benchmarks (bench/oauth.js, about 1.5 minutes, and
//                 bench/code-exchange.js, about 1.5 minutes)
//     --no-code-exchange  skip the authorization code exchange (bench/code-exchange.js) alone
//     --no-pg     skip the cold-cache benchmark on PostgreSQL (bench/pg-cold.js)
//     --no-gateway  skip NGINX with Tessera forward auth vs NGINX alone (bench/gateway.js)
//     --cpu-prof  also write a CPU profile of the Tessera server to bench/results/profiles/
//     --no-pin    leave the servers to the scheduler (by default both sides of each comparison run on
//                 the last core, every thread of theirs, and the load generator on the first)
// Prints progress and a table; writes the figures to bench/results/latest.json.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { formatGateway, gatewayBenchmark } from './gateway.js';
import { httpBenchmark } from './http.js';
import { pgColdBenchmark } from './pg-cold.js';
import { QUICK_ROUNDS, ROUNDS } from './rounds.js';
import { formatOauth, OAUTH_QUICK, oauthBenchmark } from './oauth.js';
import { CODE_EXCHANGE_QUICK, codeExchangeBenchmark, formatCodeExchange } from './code-exchange.js';
import { int, ms, table } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench/results');
const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const started = Date.now();
const loadAtStart = loadavg()[0];
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s`;
const log = (line) => process.stderr.write(`[${elapsed()}] ${line}\n`);

/** The packages run from their compiled output: bring it up to date (a no-op when it is). */
function build() {
  log('building (tsc -b apps/server)');
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-b', 'apps/server'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status === 0) return;
  const built = existsSync(join(ROOT, 'apps/server/dist/cli/main.js')) && existsSync(join(ROOT, 'packages/core/dist/index.js'));
  if (!built) {
    process.stderr.write(`${r.stdout}${r.stderr}\nbench: the build failed and there is no earlier build to measure.\n`);
    process.exit(1);
  }
  log(`WARNING: the build failed; measuring the previous build in dist/.\n${(r.stdout + r.stderr).split('\n').slice(0, 10).join('\n')}`);
}

/** Runs bench/verifier.js in a fresh process; its progress lines are passed on, its JSON returned. */
function verifierBenchmark(mode, nodeArgs = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'bench/verifier.js'), mode], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => {
      for (const line of String(d).split('\n')) if (line.trim() !== '') log(line.trim());
    });
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1)))
        : reject(new Error(`verifier benchmark "${mode}" failed with code ${code}`)),
    );
  });
}

const verdict = (ok) => (ok ? 'met' : 'MISSED');
const pinning = (core) =>
  core === null || core === undefined ? 'servers not pinned' : `both servers pinned to core ${core}, the load generator to core 0`;

build();
mkdirSync(RESULTS, { recursive: true });
const httpOptions = { ...(quick ? QUICK_ROUNDS : ROUNDS), pin: !args.has('--no-pin') };
if (args.has('--cpu-prof')) httpOptions.tesseraNodeArgs = ['--cpu-prof', '--cpu-prof-dir', join(RESULTS, 'profiles')];

log('1/4 HTTP: Tessera verify vs bare Fastify, alternately: a valid key, an unknown key, a malformed key');
const http = await httpBenchmark(httpOptions, log);
log('2/4 in-process: KeyVerifier cache hit and malformed keys');
const hits = await verifierBenchmark('hits');
log('3/4 flat cost: 10 keys vs 1,000,000 keys in the cache; heap per cached key');
const flat = await verifierBenchmark('flat', ['--expose-gc', '--max-old-space-size=6144', '--max-semi-space-size=32']);
log('detection cost: cache hits recorded by the usage recorder, its batches read by the anomaly detectors or not');
const detect = await verifierBenchmark('detect');
let pgCold;
if (!args.has('--no-pg')) {
  log('4/4 cold cache on PostgreSQL: Tessera verify vs a raw pg query route, alternately');
  pgCold = await pgColdBenchmark({ ...(quick ? QUICK_ROUNDS : ROUNDS), pin: !args.has('--no-pin') }, log).catch((err) => ({
    failed: String(err?.message ?? err),
  }));
}
let gateway;
if (!args.has('--no-gateway')) {
  log('Gateway: NGINX with Tessera forward auth vs NGINX alone, same upstream, alternately (bench/gateway.js)');
  gateway = await gatewayBenchmark(httpOptions, log).catch((err) => ({ failed: String(err?.message ?? err) }));
  if (gateway.skipped !== undefined) log(`gateway benchmark skipped: ${gateway.skipped}`);
}
log('SDK: verifyKey with a warm cache, local JWT verification per algorithm (bench/sdk.js)');
const sdkRun = spawnSync(process.execPath, [join(ROOT, 'bench/sdk.js'), ...(quick ? ['--quick'] : [])], {
  cwd: ROOT,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
const sdk = sdkRun.status === 0 ? JSON.parse(sdkRun.stdout.trim().split('\n').at(-1)) : { failed: true };
let oauth;
if (!args.has('--no-oauth')) {
  log('OAuth: token endpoint vs oidc-provider, per signing algorithm, JWT sign/verify (bench/oauth.js)');
  oauth = await oauthBenchmark(quick ? OAUTH_QUICK : {}, log).catch((err) => ({ failed: String(err?.message ?? err) }));
}
let codeExchange;
if (!args.has('--no-oauth') && !args.has('--no-code-exchange')) {
  log('OAuth: authorization code exchange (code → tokens) vs oidc-provider, a fresh code each (bench/code-exchange.js)');
  codeExchange = await codeExchangeBenchmark(quick ? CODE_EXCHANGE_QUICK : {}, log).catch((err) => ({
    failed: String(err?.message ?? err),
  }));
}

const flatRatio = flat.keys1M.opsPerSec / flat.keys10.opsPerSec;
// The runtime's own floor (bench/verifier.js, floorIndex): a bare Map of salted digests, 1,000,000 / 10.
const floorRatio = flat.floor1M.opsPerSec / flat.floor10.opsPerSec;
const sc = http.scenarios;
const pgRatio = pgCold?.ratio;
// The verify targets (docs/benchmarks.md): HTTP at 0.8 of bare Fastify, p99 within 1.5× bare's, the in-process hit at 1.5 M/s…
const targets = {
  httpRatio: { target: '>= 0.80', value: sc.valid.ratio, met: sc.valid.ratio >= 0.8 },
  httpP99: { target: "<= 1.5 x bare's", value: sc.valid.p99Ratio, met: sc.valid.p99Ratio <= 1.5 },
  httpUnknownRatio: { target: '>= 0.85', value: sc.unknown?.ratio ?? null, met: (sc.unknown?.ratio ?? 0) >= 0.85 },
  httpMalformedRatio: { target: '>= 0.85', value: sc.malformed?.ratio ?? null, met: (sc.malformed?.ratio ?? 0) >= 0.85 },
  inProcessHit: { target: '>= 1,500,000/s', value: hits.hit.opsPerSec, met: hits.hit.opsPerSec >= 1_500_000 },
  malformedFaster: { target: '> hit', value: hits.malformedChecksum.opsPerSec, met: hits.malformedChecksum.opsPerSec > hits.hit.opsPerSec },
  flatCost: { target: '>= 0.90', value: Math.round(flatRatio * 1000) / 1000, met: flatRatio >= 0.9 },
  heapPerKey: {
    target: '<= 600 B',
    value: flat.heapBytesPerCachedKey,
    met: flat.heapBytesPerCachedKey !== null && flat.heapBytesPerCachedKey <= 600,
  },
  pgColdRatio: { target: '>= 0.85', value: pgRatio ?? null, met: pgRatio !== undefined && pgRatio >= 0.85 },
  // What detection adds per verification (CPU µs), against the server's CPU per HTTP verify.
  detectionShare: { target: '<= 0.05', value: detectionShare(), met: (detectionShare() ?? 1) <= 0.05 },
};
function detectionShare() {
  const added = 1e6 / detect.detectionOn.opsPerSec - 1e6 / detect.detectionOff.opsPerSec;
  const http = sc.valid.tessera.serverCpuUsPerReq;
  return http === null || http === undefined ? null : Math.round((Math.max(0, added) / http) * 1000) / 1000;
}
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGb: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  loadAverage1m: { atStart: loadAtStart, atEnd: loadavg()[0] },
};
const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() || null;
const results = {
  date: new Date().toISOString(),
  commit: git,
  quick,
  machine,
  http,
  inProcess: hits,
  flatCost: { ...flat, ratio: targets.flatCost.value, floorRatio: Math.round(floorRatio * 1000) / 1000 },
  detection: detect,
  targets,
  seconds: Math.round((Date.now() - started) / 1000),
};
mkdirSync(RESULTS, { recursive: true });
results.sdk = sdk;
if (oauth !== undefined) results.oauth = oauth;
if (codeExchange !== undefined) results.codeExchange = codeExchange;
if (pgCold !== undefined) results.pgCold = pgCold;
if (gateway !== undefined) results.gateway = gateway;
writeFileSync(join(RESULTS, 'latest.json'), JSON.stringify(results, null, 2) + '\n');

const cpu = (x) => (x.serverCpuPct === null ? '-' : `${x.serverCpuPct}%`);
const cpuPerReq = (x) => (x.serverCpuUsPerReq === null || x.serverCpuUsPerReq === undefined ? '-' : `${x.serverCpuUsPerReq.toFixed(1)} µs`);
const row = (name, x) => [name, int(x.reqPerSec), ms(x.p50Ms), ms(x.p99Ms), cpu(x), cpuPerReq(x)];
const fixed = (x, digits = 2) => (x === null || x === undefined ? '-' : x.toFixed(digits));
const SCENARIO_NAMES = { valid: 'a valid key', unknown: 'an unknown key (NOT_FOUND)', malformed: 'a malformed key (bad checksum)' };
const out = [
  '',
  `Tessera benchmark — ${results.date.slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, ${machine.cpu} × ${machine.cores}${quick ? ' (--quick)' : ''}`,
  `load average (1 min) at start ${loadAtStart.toFixed(1)}, at end ${machine.loadAverage1m.atEnd.toFixed(1)}: figures from a busy machine are lower and noisier`,
  '',
  `HTTP: POST /v1/keys/verify vs a bare Fastify route answering the very same bytes to the very same request`,
  `      ${http.connections} connections, pipelining ${http.pipelining}, ${http.tessera.rounds.length} alternated rounds of ${http.seconds} s per case; medians; ${pinning(http.pinnedCore)}`,
  ...Object.entries(sc).flatMap(([name, x]) => [
    `${SCENARIO_NAMES[name]}, ${x.answerBytes} bytes answered:`,
    table([['server', 'req/s', 'p50', 'p99', 'server CPU', 'CPU per request'], row('Tessera', x.tessera), row('bare Fastify', x.bare)]),
    `ratio Tessera/bare ${x.ratio.toFixed(3)} (rounds: ${x.roundRatios.map((r) => r.toFixed(2)).join(', ')}); p99 Tessera/bare ${x.p99Ratio.toFixed(2)}`,
    '',
  ]),
  'In-process KeyVerifier.verify, one key; median of 7 rounds',
  table([
    ['case', 'ops/s'],
    ['cache hit (valid key)', int(hits.hit.opsPerSec)],
    ['malformed: bad checksum', int(hits.malformedChecksum.opsPerSec)],
    ['malformed: bad character', int(hits.malformedShape.opsPerSec)],
  ]),
  '',
  'Flat cost: cache hits, keys picked at random from the set; median of 5 alternated rounds',
  "beside it the runtime's floor: a bare Map from a salted SHA-256 of the key to an object, one field read",
  table([
    ['keys in cache', 'KeyVerifier ops/s', 'bare Map ops/s'],
    ['10', int(flat.keys10.opsPerSec), int(flat.floor10.opsPerSec)],
    [int(flat.largeKeyCount), int(flat.keys1M.opsPerSec), int(flat.floor1M.opsPerSec)],
    [`ratio ${int(flat.largeKeyCount)} / 10`, fixed(flatRatio), fixed(floorRatio)],
  ]),
  `heap per cached key (${int(flat.largeKeyCount)} keys, after a full collection): ${flat.heapBytesPerCachedKey ?? '-'} bytes`,
  '',
  'Detection on the verify path: cache hits recorded by the usage recorder, batch read by the anomaly detectors or not;',
  'verifications per CPU-second of the process (user + system), median of 9 alternated rounds',
  table([
    ['detection', 'verifies per CPU-s', 'CPU per verify'],
    ['off', int(detect.detectionOff.opsPerSec), `${(1e6 / detect.detectionOff.opsPerSec).toFixed(2)} µs`],
    ['on', int(detect.detectionOn.opsPerSec), `${(1e6 / detect.detectionOn.opsPerSec).toFixed(2)} µs`],
  ]),
  `ratio on/off ${detect.ratio.toFixed(3)} (rounds: ${detect.roundRatios.map((r) => r.toFixed(2)).join(', ')}); detection's CPU per verification / the server's CPU per HTTP verify: ${fixed(targets.detectionShare.value, 3)}`,
  '',
  ...(pgCold === undefined
    ? []
    : pgCold.skipped !== undefined || pgCold.failed !== undefined
      ? [`PostgreSQL cold cache: ${pgCold.skipped !== undefined ? `skipped, ${pgCold.skipped}` : `FAILED, ${pgCold.failed}`}`, '']
      : [
          `PostgreSQL, cold cache: ${int(pgCold.keys)} keys at random, key cache of ${pgCold.cacheEntries} entries, vs a route doing one HMAC and one pg query; ${pinning(pgCold.pinnedCore)}`,
          table([
            ['server', 'req/s', 'p50', 'p99', 'server CPU', 'CPU per request'],
            row('Tessera', pgCold.tessera),
            row('raw pg route', pgCold.raw),
          ]),
          `ratio Tessera/raw ${pgCold.ratio.toFixed(3)} (rounds: ${pgCold.roundRatios.map((r) => r.toFixed(2)).join(', ')})`,
          '',
        ]),
  ...(gateway === undefined ? [] : formatGateway(gateway, table, row)),
  'Verify targets',
  table([
    ['target', 'wanted', 'measured', 'verdict'],
    ['HTTP verify, valid key, Tessera/bare req/s', '>= 0.80', fixed(sc.valid.ratio, 3), verdict(targets.httpRatio.met)],
    ['HTTP verify, valid key, p99 Tessera/bare', '<= 1.5', fixed(sc.valid.p99Ratio), verdict(targets.httpP99.met)],
    ['HTTP verify, unknown key, Tessera/bare', '>= 0.85', fixed(targets.httpUnknownRatio.value, 3), verdict(targets.httpUnknownRatio.met)],
    [
      'HTTP verify, malformed key, Tessera/bare',
      '>= 0.85',
      fixed(targets.httpMalformedRatio.value, 3),
      verdict(targets.httpMalformedRatio.met),
    ],
    ['in-process cache hit, ops/s', '>= 1,500,000', int(hits.hit.opsPerSec), verdict(targets.inProcessHit.met)],
    ['malformed key faster than a hit', '> hit', int(hits.malformedChecksum.opsPerSec), verdict(targets.malformedFaster.met)],
    [`flat cost, ${int(flat.largeKeyCount)} keys / 10 keys`, '>= 0.90', fixed(flatRatio), verdict(targets.flatCost.met)],
    [
      'heap per cached key',
      '<= 600 B',
      flat.heapBytesPerCachedKey === null ? '-' : `${flat.heapBytesPerCachedKey} B`,
      verdict(targets.heapPerKey.met),
    ],
    ['detection CPU / server CPU per HTTP verify', '<= 0.05', fixed(targets.detectionShare.value, 3), verdict(targets.detectionShare.met)],
    [
      'PostgreSQL cold cache, Tessera/raw pg',
      '>= 0.85',
      fixed(targets.pgColdRatio.value, 3),
      pgRatio === undefined ? 'not run' : verdict(targets.pgColdRatio.met),
    ],
  ]),
  '',
  ...(oauth === undefined ? [] : oauth.failed ? [`OAuth benchmark failed: ${oauth.failed}`, ''] : [...formatOauth(oauth), '']),
  ...(codeExchange === undefined
    ? []
    : codeExchange.failed
      ? [`Authorization code exchange benchmark FAILED: ${codeExchange.failed}`, '']
      : [...formatCodeExchange(codeExchange), '']),
  `Figures written to bench/results/latest.json (${results.seconds} s in all).`,
  '',
];
process.stdout.write(out.join('\n'));
