// Authorization code exchange benchmark: Tessera's POST /oauth/token with
// grant_type=authorization_code (PKCE S256, scope openid: an EdDSA JWT access token and an EdDSA ID
// token, no refresh token) against node-oidc-provider configured the same way, twice: keeping its
// codes in SQLite as Tessera does (the headline ratio), and in its own in-memory store. Each server
// runs in its own process (bench/code-exchange-servers.js). Every exchange needs a code nobody
// used, so before each measured round a pool of fresh codes is minted at that server
// (bench/code-pool.js: a session signed in once, the consent given once, each authorization request
// answered straight away with a code); then autocannon, in this process, sends each code once with
// its own verifier, a fixed number of exchanges, and the round's rate is exchanges / elapsed time.
// Minting is not measured. Any answer but 200 fails the run; one answer in SAMPLE_EVERY is checked
// after the round (both tokens verified against the server's JWKS with jose, the nonce, the subject).
//   node bench/code-exchange.js [--quick] [--cpu-prof] [--shm]
//     --cpu-prof  a CPU profile of Tessera in bench/results/profiles/
//     --shm       the SQLite files in /dev/shm (memory): commits cost no disk flush
// bench/run.js imports codeExchangeBenchmark(); run alone, this prints a table and the JSON of the figures.
import { readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { ACCESS_TOKEN_TTL, AUDIENCE, basic, REDIRECT_URI, startServers } from './code-exchange-servers.js';
import { mintCodes } from './code-pool.js';
import { cpuMs, inScratch } from './processes.js';
import { ROUNDS } from './rounds.js';
import { int, median, ms, percentile, table } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SAMPLE_EVERY = 50;

const round = (x, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Checks one token answer: both tokens signed EdDSA by the server's keys, for this client, user and nonce; no refresh token. */
async function checkAnswer(t, text, item) {
  const answer = JSON.parse(text);
  const problems = [];
  if (answer.token_type !== 'Bearer') problems.push(`token_type ${answer.token_type}`);
  if (answer.refresh_token !== undefined) problems.push('a refresh token');
  const keys = createLocalJWKSet(t.jwks);
  const access = await jwtVerify(answer.access_token, keys, { issuer: t.issuer, audience: AUDIENCE, typ: 'at+jwt', algorithms: ['EdDSA'] });
  const id = await jwtVerify(answer.id_token, keys, { issuer: t.issuer, audience: t.clientId, algorithms: ['EdDSA'] });
  if (access.payload.sub !== t.userId || access.payload.scope !== 'openid' || access.payload.client_id !== t.clientId)
    problems.push(`access token claims ${JSON.stringify(access.payload)}`);
  if (access.payload.exp - access.payload.iat !== ACCESS_TOKEN_TTL) problems.push('access token lifetime');
  if (id.payload.sub !== t.userId || id.payload.nonce !== item.nonce || typeof id.payload.auth_time !== 'number')
    problems.push(`ID token claims ${JSON.stringify(id.payload)}`);
  if (problems.length > 0) throw new Error(`${t.name}: unexpected answer (${problems.join(', ')}): ${text}`);
  return { bytes: Buffer.byteLength(text), accessClaims: Object.keys(access.payload), idClaims: Object.keys(id.payload) };
}

/** Exchanges every code of `pool` once, `connections` at a time; resolves with the round's figures. */
function exchange(t, pool, connections) {
  const amount = pool.length - connections; // each connection prepares one more request than it sends
  return new Promise((resolve, reject) => {
    let next = 0;
    let answered = 0;
    const latencies = [];
    const samples = [];
    const requests = [
      {
        method: 'POST',
        setupRequest: (req, context) => {
          const item = pool[next++] ?? { code: 'exhausted', verifier: 'exhausted' };
          context.item = item;
          const body = new URLSearchParams({
            grant_type: 'authorization_code',
            code: item.code,
            redirect_uri: REDIRECT_URI,
            code_verifier: item.verifier,
          }).toString();
          return { ...req, body };
        },
        onResponse: (status, body, context) => {
          if (status === 200 && answered++ % SAMPLE_EVERY === 0) samples.push({ text: body, item: context.item });
          else if (status !== 200 && samples.failed === undefined) samples.failed = `${status}: ${body}`;
        },
      },
    ];
    const headers = { authorization: basic(t.clientId, t.clientSecret), 'content-type': 'application/x-www-form-urlencoded' };
    // autocannon stops on its once-a-second tick and rounds its duration up to it: the round is
    // timed here instead, from the start to the last answer.
    let end;
    let cpuAfter;
    const cpuBefore = cpuMs(t.child.pid);
    const t0 = process.hrtime.bigint();
    const instance = autocannon({ url: t.tokenEndpoint, headers, requests, connections, pipelining: 1, amount }, (err, result) => {
      if (err) return reject(err);
      const bad = result.errors + result.timeouts + result.non2xx;
      if (bad > 0 || result['2xx'] !== amount || end === undefined)
        return reject(
          new Error(`${t.name}: ${bad} failed exchanges of ${amount} (first: ${samples.failed ?? `${result['2xx']} answered 200`})`),
        );
      latencies.sort((a, b) => a - b);
      const exchanges = result['2xx'];
      resolve({
        perSec: exchanges / (Number(end - t0) / 1e9),
        exchanges,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        cpuMsPerExchange: cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / exchanges,
        samples,
      });
    });
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
      if (latencies.length === amount) {
        end = process.hrtime.bigint();
        cpuAfter = cpuMs(t.child.pid);
      }
    });
  });
}

/** Mints a pool at `t` (timed, not measured), exchanges it, then checks the sampled answers. */
async function measure(t, count, connections) {
  try {
    const t0 = Date.now();
    const pool = await mintCodes(t.name, t, t.jar, count + connections);
    const mintPerSec = pool.length / ((Date.now() - t0) / 1000);
    const m = await exchange(t, pool, connections);
    for (const s of m.samples) await checkAnswer(t, s.text, s.item);
    return { ...m, checked: m.samples.length, samples: undefined, mintPerSec };
  } catch (err) {
    if (t.exited === undefined) throw err;
    throw new Error(`${t.name} exited (${t.exited}) during the benchmark: ${err.message}\n${t.stderr()}`, { cause: err });
  }
}

const summary = (list) => ({
  exchangesPerSec: Math.round(median(list.map((m) => m.perSec))),
  p50Ms: round(median(list.map((m) => m.p50))),
  p99Ms: round(median(list.map((m) => m.p99))),
  cpuMsPerExchange: list[0].cpuMsPerExchange === undefined ? null : round(median(list.map((m) => m.cpuMsPerExchange)), 3),
  rounds: list.map((m) => ({
    exchanges: m.exchanges,
    exchangesPerSec: Math.round(m.perSec),
    p50Ms: round(m.p50),
    p99Ms: round(m.p99),
    cpuMsPerExchange: m.cpuMsPerExchange === undefined ? null : round(m.cpuMsPerExchange, 3),
    checked: m.checked,
    mintedPerSec: Math.round(m.mintPerSec),
  })),
});
const line = (name, m) =>
  `${name} ${int(m.perSec)} exchanges/s (${int(m.exchanges)}), p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms` +
  `${m.cpuMsPerExchange === undefined ? '' : `, CPU ${m.cpuMsPerExchange.toFixed(3)} ms/exchange`}; minted at ${int(m.mintPerSec)}/s, ${m.checked} answers checked`;

/** One code exchanged and its answer checked before any load: that server works as configured. */
async function firstAnswer(t) {
  const first = (await mintCodes(t.name, t, t.jar, 1))[0];
  const res = await fetch(t.tokenEndpoint, {
    method: 'POST',
    headers: { authorization: basic(t.clientId, t.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: first.code,
      redirect_uri: REDIRECT_URI,
      code_verifier: first.verifier,
    }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${t.name}: the token endpoint answered ${res.status}: ${text}`);
  return checkAnswer(t, text, first);
}

const KEYS = { tessera: 'tessera', 'oidc-provider-sqlite': 'oidcProviderSqlite', 'oidc-provider-memory': 'oidcProviderMemory' };

/**
 * The servers; a warm-up of `warmupCodes` exchanges each, which also sizes each server's rounds to
 * about `seconds` (or the codes minted in `mintSeconds`, if fewer); then `rounds` rounds (order ABC, CBA, …), each on a freshly minted pool.
 */
export async function codeExchangeBenchmark(options = {}, log = () => {}) {
  const { rounds, seconds, mintSeconds, warmupCodes, connections, maxCodes, tesseraNodeArgs, dataDirIn } = {
    ...ROUNDS,
    seconds: 3,
    mintSeconds: 8,
    warmupCodes: 300,
    maxCodes: 30_000,
    dataDirIn: tmpdir(),
    ...options,
  };
  const load = [loadavg()[0]];
  return inScratch(join(dataDirIn, 'tessera-bench-code-'), async ({ dataDir, children }) => {
    const targets = await startServers(dataDir, children, log, tesseraNodeArgs);
    const sizes = {};
    const answers = {};
    for (const t of targets) {
      answers[KEYS[t.name]] = await firstAnswer(t);
      const warm = await measure(t, warmupCodes, connections);
      // Codes live 60 s at each server: a pool is minted and spent well within that. Minting is
      // slow where every code and session is flushed to disk, so a pool takes at most `mintSeconds`.
      const byMint = Math.round(warm.mintPerSec * mintSeconds);
      sizes[t.name] = Math.max(200, Math.min(maxCodes, Math.round(warm.perSec * seconds), byMint));
      log(`code exchange: warm-up ${line(t.name.padEnd(20), warm)}; rounds of ${int(sizes[t.name])} exchanges`);
    }
    load.push(loadavg()[0]);
    const runs = Object.fromEntries(targets.map((t) => [t.name, []]));
    for (let r = 0; r < rounds; r++) {
      for (const t of r % 2 === 0 ? targets : [...targets].reverse()) {
        const m = await measure(t, sizes[t.name], connections);
        runs[t.name].push(m);
        log(`code exchange: round ${r + 1}/${rounds} ${line(t.name.padEnd(20), m)}`);
      }
      load.push(loadavg()[0]);
    }
    const versus = (other) => {
      const ratios = runs.tessera.map((t, i) => t.perSec / runs[other][i].perSec);
      const cpu = runs.tessera.every((m) => m.cpuMsPerExchange !== undefined)
        ? runs[other].map((o, i) => o.cpuMsPerExchange / runs.tessera[i].cpuMsPerExchange)
        : [];
      return {
        ratio: round(median(ratios), 3),
        roundRatios: ratios.map((x) => round(x, 3)),
        // The other's CPU per exchange over Tessera's: how many times less CPU Tessera spends on one.
        cpuRatio: cpu.length === 0 ? null : round(median(cpu), 3),
      };
    };
    return {
      connections,
      rounds,
      dataDirIn,
      request: { grant: 'authorization_code', pkce: 'S256', scope: 'openid', auth: 'client_secret_basic', sameClientIdAndSecret: true },
      answers,
      ...Object.fromEntries(targets.map((t) => [KEYS[t.name], summary(runs[t.name])])),
      oidcProviderVersion: JSON.parse(readFileSync(join(ROOT, 'node_modules/oidc-provider/package.json'), 'utf8')).version,
      // The headline: against oidc-provider keeping its codes as Tessera does (SQLite, a disk flush per write).
      ...versus('oidc-provider-sqlite'),
      // Against oidc-provider's own in-memory adapter (codes lost on restart, not shared between processes).
      versusMemory: versus('oidc-provider-memory'),
      loadAverage1m: load.map((x) => round(x, 2)),
    };
  });
}

/** The figures as lines of text, for bench/run.js's output. */
export function formatCodeExchange(o) {
  const cpu = (x) => (x.cpuMsPerExchange === null ? '-' : `${x.cpuMsPerExchange.toFixed(3)} ms`);
  const row = (name, x) => [name, int(x.exchangesPerSec), ms(x.p50Ms), ms(x.p99Ms), cpu(x)];
  const rounds = (v) => v.roundRatios.map((r) => r.toFixed(2)).join(', ');
  const cpuRatio = (v) => (v.cpuRatio === null ? '' : `; CPU per exchange, theirs/Tessera's, ${v.cpuRatio.toFixed(2)}`);
  const where = o.dataDirIn === '/dev/shm' ? 'in memory (/dev/shm: no disk flush)' : 'on disk (WAL, synchronous FULL: a flush per commit)';
  return [
    `OAuth authorization code exchange (code → tokens): PKCE S256, scope openid, client_secret_basic, EdDSA access and ID tokens; Tessera vs oidc-provider ${o.oidcProviderVersion}`,
    `      a fresh code per exchange, minted before each round; SQLite files ${where}; ${o.connections} connections, ${o.rounds} alternated rounds; medians`,
    table([
      ['server', 'exchanges/s', 'p50', 'p99', 'CPU/exchange'],
      row('Tessera (SQLite)', o.tessera),
      row('oidc-provider, codes in SQLite', o.oidcProviderSqlite),
      row('oidc-provider, codes in memory', o.oidcProviderMemory),
    ]),
    `ratio Tessera/oidc-provider (SQLite) ${o.ratio.toFixed(2)} (rounds: ${rounds(o)})${cpuRatio(o)}`,
    `ratio Tessera/oidc-provider (memory) ${o.versusMemory.ratio.toFixed(2)} (rounds: ${rounds(o.versusMemory)})${cpuRatio(o.versusMemory)}`,
    `load average (1 min) at the start and after each round: ${o.loadAverage1m.join(', ')}`,
  ];
}

/** Shorter rounds, for `--quick`. */
export const CODE_EXCHANGE_QUICK = { rounds: 2, seconds: 1.5, mintSeconds: 4, warmupCodes: 200 };

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const started = Date.now();
  const options = quick ? { ...CODE_EXCHANGE_QUICK } : {};
  if (process.argv.includes('--shm')) options.dataDirIn = '/dev/shm';
  if (process.argv.includes('--cpu-prof')) options.tesseraNodeArgs = ['--cpu-prof', '--cpu-prof-dir', join(ROOT, 'bench/results/profiles')];
  const o = await codeExchangeBenchmark(options, (l) =>
    process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${l}\n`),
  );
  process.stdout.write(['', ...formatCodeExchange(o), '', JSON.stringify(o), ''].join('\n'));
}
