// Token-endpoint benchmark: Tessera's POST /oauth/token (client_credentials, client_secret_basic,
// EdDSA JWT access tokens) against node-oidc-provider configured the same way
// (bench/oidc-provider-server.js), each in its own process, loaded in turn by autocannon running in
// this process. A bare Fastify route answering the same form request with a fixed body of the same
// size (bench/bare-server.js) is loaded in the same rounds: the ceiling any Node token endpoint on
// this machine and load generator could reach. Then Tessera and oidc-provider again at 64
// connections, where both are saturated (at 10, oidc-provider's event loop is full but Tessera's
// event loop and signing thread still wait on each other), then Tessera's token endpoint for the
// other signing algorithms, and in-process JWT signing and verification per algorithm.
//   node bench/oauth.js [--quick] [--cpu-prof]
// bench/run.js imports oauthBenchmark(); run alone, this prints a table and the JSON of the figures.
import { createPrivateKey, randomBytes, sign as cryptoSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { compactVerify, createLocalJWKSet, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import { int, median, ms, percentile, table } from './stats.js';
import { call, cpuMs, inScratch, start, startTessera, stop } from './processes.js';
import { ROUNDS } from './rounds.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OIDC_PROVIDER = join(ROOT, 'bench/oidc-provider-server.js');
const BARE = join(ROOT, 'bench/bare-server.js');
const AUDIENCE = 'https://api.bench.example';
const SCOPES = ['read', 'write'];
const ACCESS_TOKEN_TTL = 300;
const ALGS = ['EdDSA', 'ES256', 'RS256', 'ML-DSA-65'];

const basic = (id, secret) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/**
 * Asks for a token once and checks the answer: 200, Bearer, a JWT signed with `alg` (checked
 * against the server's own JWKS), `typ` at+jwt, the audience and the scopes asked for.
 */
async function checkToken(target, jwksUrl, alg) {
  const res = await fetch(target.url, { method: 'POST', headers: target.headers, body: target.body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${target.name}: the token endpoint answered ${res.status}: ${text}`);
  const answer = JSON.parse(text);
  if (answer.token_type !== 'Bearer' || typeof answer.access_token !== 'string')
    throw new Error(`${target.name}: not a Bearer token: ${text}`);
  const header = decodeProtectedHeader(answer.access_token);
  const claims = decodeJwt(answer.access_token);
  const problems = [];
  if (header.alg !== alg) problems.push(`alg ${header.alg}`);
  if (String(header.typ).toLowerCase() !== 'at+jwt') problems.push(`typ ${header.typ}`);
  if (claims.aud !== AUDIENCE) problems.push(`aud ${JSON.stringify(claims.aud)}`);
  if (claims.scope !== SCOPES.join(' ')) problems.push(`scope ${claims.scope}`);
  if (claims.exp - claims.iat !== ACCESS_TOKEN_TTL) problems.push(`lifetime ${claims.exp - claims.iat} s`);
  if (problems.length > 0) throw new Error(`${target.name}: unexpected token (${problems.join(', ')}): ${text}`);
  if (alg !== 'ML-DSA-65') {
    const jwks = await (await fetch(jwksUrl)).json();
    await compactVerify(answer.access_token, createLocalJWKSet(jwks), { algorithms: [alg] }); // throws when the signature is bad
  }
  return { bytes: Buffer.byteLength(text), tokenBytes: answer.access_token.length, header, claims: Object.keys(claims) };
}

/** One autocannon run; latencies are kept at full resolution (autocannon's own histogram rounds to 1 ms). */
function load(target, { connections, seconds }) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    const cpuBefore = cpuMs(target.child.pid);
    const instance = autocannon(
      { url: target.url, method: 'POST', headers: target.headers, body: target.body, connections, pipelining: 1, duration: seconds },
      (err, result) => {
        if (err) return reject(err);
        const cpuAfter = cpuMs(target.child.pid);
        latencies.sort((a, b) => a - b);
        const bad = result.errors + result.timeouts + result.non2xx;
        if (bad > 0)
          return reject(
            new Error(
              `${target.name}: ${bad} failed answers (errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx})`,
            ),
          );
        resolve({
          reqPerSec: result.requests.total / result.duration,
          p50: percentile(latencies, 50),
          p99: percentile(latencies, 99),
          requests: result.requests.total,
          serverCpuPct:
            cpuBefore === undefined || cpuAfter === undefined ? undefined : ((cpuAfter - cpuBefore) / (result.duration * 1000)) * 100,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}

const round = (x, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const summary = (list) => ({
  reqPerSec: Math.round(median(list.map((m) => m.reqPerSec))),
  p50Ms: round(median(list.map((m) => m.p50))),
  p99Ms: round(median(list.map((m) => m.p99))),
  serverCpuPct: list[0].serverCpuPct === undefined ? null : Math.round(median(list.map((m) => m.serverCpuPct))),
  // CPU time the server spent per request (all its threads): less sensitive to the neighbours than req/s.
  cpuUsPerReq: list[0].serverCpuPct === undefined ? null : Math.round(median(list.map((m) => (m.serverCpuPct * 10_000) / m.reqPerSec))),
  rounds: list.map((m) => ({
    reqPerSec: Math.round(m.reqPerSec),
    p50Ms: round(m.p50),
    p99Ms: round(m.p99),
    serverCpuPct: m.serverCpuPct === undefined ? null : Math.round(m.serverCpuPct),
  })),
});
const line = (name, m) =>
  `${name} ${int(m.reqPerSec)} req/s, p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms${m.serverCpuPct === undefined ? '' : `, server CPU ${m.serverCpuPct.toFixed(0)}%`}`;

/** Operations per second of `fn` (awaited one at a time): median of `rounds` rounds of `ms`. */
async function opsPerSec(fn, { rounds, ms: roundMs }) {
  const until = Date.now() + 200;
  while (Date.now() < until) await fn(); // warm-up: JIT, key import caches
  const rates = [];
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const t0 = process.hrtime.bigint();
    const end = t0 + BigInt(roundMs) * 1_000_000n;
    let t = t0;
    while (t < end) {
      await fn();
      n++;
      t = process.hrtime.bigint();
    }
    rates.push(n / (Number(t - t0) / 1e9));
  }
  return Math.round(median(rates));
}

/**
 * JWT signing and verification in this process, one operation at a time, the way the server does
 * them: Tessera's header and claims signed as SigningKeys.signJwt does (node:crypto; RS256 and
 * ML-DSA-65 on Tessera's signing workers), Tessera's strict verifier (verifyJws, which imports
 * the JWK on every call).
 */
async function jwtInProcess({ rounds, ms: roundMs }, log) {
  const core = await import(join(ROOT, 'packages/core/dist/index.js'));
  const workers = new core.SigningWorkers(2);
  const claims = {
    iss: 'http://127.0.0.1:3000',
    sub: 'cli_0000000000000000000000',
    aud: AUDIENCE,
    exp: 0,
    iat: 0,
    jti: randomBytes(16).toString('base64url'),
    client_id: 'cli_0000000000000000000000',
    scope: SCOPES.join(' '),
  };
  claims.iat = Math.floor(Date.now() / 1000);
  claims.exp = claims.iat + ACCESS_TOKEN_TTL;
  const results = {};
  const b64 = (v) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
  try {
    for (const alg of ALGS) {
      let sign;
      let jwk;
      if (alg === 'ML-DSA-65') {
        const { publicKey, secretKey } = await workers.keygen(randomBytes(32));
        jwk = { kty: 'AKP', alg, pub: publicKey.toString('base64url') };
        jwk.kid = core.akpThumbprint(jwk);
        sign = async () => {
          const input = `${b64({ alg, kid: jwk.kid, typ: 'at+jwt' })}.${b64(claims)}`;
          return `${input}.${(await workers.sign(secretKey, Buffer.from(input, 'ascii'))).toString('base64url')}`;
        };
      } else {
        const pair = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' && { modulusLength: 2048 }) });
        jwk = { ...(await exportJWK(pair.publicKey)), kid: `bench-${alg}` };
        const key = createPrivateKey({ key: await exportJWK(pair.privateKey), format: 'jwk' });
        sign = async () => {
          const input = `${b64({ alg, kid: jwk.kid, typ: 'at+jwt' })}.${b64(claims)}`;
          const data = Buffer.from(input, 'ascii');
          const sig =
            alg === 'EdDSA'
              ? cryptoSign(null, data, key)
              : alg === 'ES256'
                ? cryptoSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })
                : await workers.rsaSign(key, data);
          return `${input}.${sig.toString('base64url')}`;
        };
      }
      const keys = [{ ...jwk, alg, use: 'sig' }];
      const token = await sign();
      const verify = async () => {
        const outcome = await core.verifyJws(token, { algorithms: ALGS, keys, typ: 'at+jwt', mlDsa: workers });
        if (!outcome.ok) throw new Error(`${alg}: verification failed: ${outcome.reason}`);
      };
      await verify();
      const slow = alg === 'ML-DSA-65';
      const opts = { rounds, ms: slow ? roundMs * 2 : roundMs };
      const signOps = await opsPerSec(sign, opts);
      const verifyOps = await opsPerSec(verify, opts);
      results[alg] = { signOpsPerSec: signOps, verifyOpsPerSec: verifyOps, tokenBytes: token.length };
      log(`in-process ${alg.padEnd(9)} sign ${int(signOps)}/s, verify ${int(verifyOps)}/s (token ${int(token.length)} bytes)`);
    }
  } finally {
    await workers.close();
  }
  return results;
}

/**
 * Starts Tessera and oidc-provider, makes the same confidential client in each (same client id and
 * secret, so the very same request goes to both), checks both answer 200 with an EdDSA JWT, then
 * loads them in turn: a warm-up each, then `rounds` rounds (order ABBA…) of `seconds`. Then one
 * round each for Tessera clients signing with ES256, RS256 and ML-DSA-65, and in-process JWT figures.
 */
export async function oauthBenchmark(options = {}, log = () => {}) {
  const o = {
    ...ROUNDS,
    warmupSeconds: 4,
    saturationConnections: 64,
    jwtRounds: 5,
    jwtMs: 400,
    otherAlgs: true,
    inProcess: true,
    ...options,
  };
  const { rounds, seconds, warmupSeconds, connections, saturationConnections, jwtRounds, jwtMs, tesseraNodeArgs, otherAlgs, inProcess } = o;
  // The other algorithms' rounds are as long as the comparison's, unless told otherwise.
  const algSeconds = o.algSeconds ?? seconds;
  return inScratch(join(tmpdir(), 'tessera-bench-oauth-'), async ({ dataDir, children }) => {
    log('oauth: initialising Tessera (SQLite) in a temporary data dir');
    const { base, rootKey, child } = await startTessera(dataDir, tesseraNodeArgs);
    children.push(child);
    const clients = {};
    for (const alg of ALGS) {
      const c = await call(base, rootKey, 'POST', '/v1/oauth/clients', {
        name: `bench ${alg}`,
        scopes: SCOPES,
        audience: [AUDIENCE],
        grantTypes: ['client_credentials'],
        tokenEndpointAuthMethod: 'client_secret_basic',
        signingAlg: alg,
        accessTokenTtl: ACCESS_TOKEN_TTL,
      });
      clients[alg] = { id: c.clientId, secret: c.clientSecret };
    }

    const { clientId, clientSecret } = { clientId: clients.EdDSA.id, clientSecret: clients.EdDSA.secret };
    const settings = JSON.stringify({ clientId, clientSecret, scopes: SCOPES, audience: AUDIENCE, accessTokenTtl: ACCESS_TOKEN_TTL });
    const op = await start([OIDC_PROVIDER], (l) => (l.startsWith('{"port"') ? JSON.parse(l) : undefined), 'oidc-provider', settings);
    children.push(op.child);
    log(`oauth: Tessera at ${base}, oidc-provider at ${op.value.issuer}`);

    // The very same request to both: same Authorization header, same form body.
    const body = new URLSearchParams({ grant_type: 'client_credentials', scope: SCOPES.join(' ') }).toString();
    const headersFor = (alg) => ({
      authorization: basic(clients[alg].id, clients[alg].secret),
      'content-type': 'application/x-www-form-urlencoded',
    });
    const targets = [
      { name: 'tessera', url: `${base}/oauth/token`, headers: headersFor('EdDSA'), body, child },
      { name: 'oidc-provider', url: op.value.tokenEndpoint, headers: headersFor('EdDSA'), body, child: op.child },
    ];
    const checks = {
      tessera: await checkToken(targets[0], `${base}/oauth/jwks`, 'EdDSA'),
      oidcProvider: await checkToken(targets[1], `${op.value.issuer}/jwks`, 'EdDSA'),
    };
    const bare = await start(
      [BARE, String(checks.tessera.bytes)],
      (l) => (l.startsWith('{"port"') ? JSON.parse(l).port : undefined),
      'bare Fastify',
    );
    children.push(bare.child);
    targets.push({
      name: 'bare',
      url: `http://127.0.0.1:${bare.value}/oauth/token`,
      headers: headersFor('EdDSA'),
      body,
      child: bare.child,
    });
    log(
      `oauth: both answer 200 with an EdDSA at+jwt (Tessera ${checks.tessera.bytes} bytes, claims ${checks.tessera.claims.join(',')}; oidc-provider ${checks.oidcProvider.bytes} bytes, claims ${checks.oidcProvider.claims.join(',')})`,
    );

    const opts = { connections, seconds };
    log(`oauth: warm-up ${warmupSeconds} s each, ${connections} connections`);
    for (const t of targets) await load(t, { ...opts, seconds: warmupSeconds });
    const runs = { tessera: [], 'oidc-provider': [], bare: [] };
    for (let r = 0; r < rounds; r++) {
      for (const t of r % 2 === 0 ? targets : [...targets].reverse()) {
        const m = await load(t, opts);
        runs[t.name].push(m);
        log(`oauth: round ${r + 1}/${rounds} ${line(t.name.padEnd(13), m)}`);
      }
    }
    const ratios = runs.tessera.map((t, i) => t.reqPerSec / runs['oidc-provider'][i].reqPerSec);
    const ceilings = runs.bare.map((b, i) => b.reqPerSec / runs['oidc-provider'][i].reqPerSec);
    const ofBare = runs.tessera.map((t, i) => t.reqPerSec / runs.bare[i].reqPerSec);
    await stop(bare.child);

    // The same pair loaded until both are saturated: throughput, not the round trip of 10 connections.
    const saturated = { tessera: [], 'oidc-provider': [] };
    const pair = targets.slice(0, 2);
    const satOpts = { connections: saturationConnections, seconds };
    if (saturationConnections > 0) {
      for (const t of pair) await load(t, { ...satOpts, seconds: 1 });
      for (let r = 0; r < rounds; r++) {
        for (const t of r % 2 === 0 ? pair : [...pair].reverse()) {
          const m = await load(t, satOpts);
          saturated[t.name].push(m);
          log(`oauth: ${saturationConnections} connections, round ${r + 1}/${rounds} ${line(t.name.padEnd(13), m)}`);
        }
      }
    }
    const satRatios = saturated.tessera.map((t, i) => t.reqPerSec / saturated['oidc-provider'][i].reqPerSec);
    await stop(op.child); // frees its cores for the rounds that follow

    const perAlg = { EdDSA: summary(runs.tessera) };
    for (const alg of otherAlgs ? ALGS.slice(1) : []) {
      const t = { name: `tessera ${alg}`, url: `${base}/oauth/token`, headers: headersFor(alg), body, child };
      await checkToken(t, `${base}/oauth/jwks`, alg);
      await load(t, { ...opts, seconds: 1 });
      const m = await load(t, { ...opts, seconds: algSeconds });
      perAlg[alg] = summary([m]);
      log(`oauth: ${line(`tessera ${alg}`.padEnd(17), m)}`);
    }
    await stop(child);

    const jwt = inProcess ? await jwtInProcess({ rounds: jwtRounds, ms: jwtMs }, (l) => log(`oauth: ${l}`)) : {};
    const ratio = round(median(ratios), 3);
    return {
      connections,
      seconds,
      rounds,
      request: { body, auth: 'client_secret_basic', sameClientIdAndSecret: true },
      answers: checks,
      tessera: summary(runs.tessera),
      oidcProvider: summary(runs['oidc-provider']),
      bare: summary(runs.bare),
      // How far a do-nothing Fastify route outruns oidc-provider here: no token endpoint can pass it.
      ceilingRatio: round(median(ceilings), 3),
      tesseraOfBare: round(median(ofBare), 3),
      oidcProviderVersion: JSON.parse(readFileSync(join(ROOT, 'node_modules/oidc-provider/package.json'), 'utf8')).version,
      ratio,
      roundRatios: ratios.map((x) => round(x, 3)),
      target: { target: '>= 3', value: ratio, met: ratio >= 3 },
      saturated:
        saturationConnections > 0
          ? {
              connections: saturationConnections,
              tessera: summary(saturated.tessera),
              oidcProvider: summary(saturated['oidc-provider']),
              ratio: round(median(satRatios), 3),
              roundRatios: satRatios.map((x) => round(x, 3)),
              target: { target: '>= 3', value: round(median(satRatios), 3), met: median(satRatios) >= 3 },
            }
          : null,
      tesseraPerAlg: perAlg,
      jwtInProcess: jwt,
    };
  });
}

/** The figures as lines of text, for bench/run.js's table. */
export function formatOauth(o) {
  const cpu = (x) => (x.serverCpuPct === null ? '-' : `${x.serverCpuPct}%`);
  const perReq = (x) => (x.cpuUsPerReq === null ? '-' : `${int(x.cpuUsPerReq)} µs`);
  return [
    `OAuth token endpoint: client_credentials, client_secret_basic, EdDSA JWT access tokens; Tessera vs oidc-provider ${o.oidcProviderVersion}`,
    `      the same request to both; ${o.connections} connections, ${o.rounds} alternated rounds of ${o.seconds} s; medians`,
    table([
      ['server', 'req/s', 'p50', 'p99', 'server CPU', 'CPU/request'],
      ['Tessera', int(o.tessera.reqPerSec), ms(o.tessera.p50Ms), ms(o.tessera.p99Ms), cpu(o.tessera), perReq(o.tessera)],
      [
        'oidc-provider',
        int(o.oidcProvider.reqPerSec),
        ms(o.oidcProvider.p50Ms),
        ms(o.oidcProvider.p99Ms),
        cpu(o.oidcProvider),
        perReq(o.oidcProvider),
      ],
      ['bare Fastify (ceiling)', int(o.bare.reqPerSec), ms(o.bare.p50Ms), ms(o.bare.p99Ms), cpu(o.bare), perReq(o.bare)],
    ]),
    `ratio Tessera/oidc-provider ${o.ratio.toFixed(2)} (rounds: ${o.roundRatios.map((r) => r.toFixed(2)).join(', ')})   target >= 3: ${o.target.met ? 'met' : 'MISSED'}`,
    `ceiling: bare Fastify/oidc-provider ${o.ceilingRatio.toFixed(2)}; Tessera reaches ${(o.tesseraOfBare * 100).toFixed(0)}% of bare Fastify`,
    ...(o.saturated === null
      ? []
      : [
          `at ${o.saturated.connections} connections, both saturated: Tessera ${int(o.saturated.tessera.reqPerSec)} req/s (p99 ${ms(o.saturated.tessera.p99Ms)}, ${perReq(o.saturated.tessera)}), oidc-provider ${int(o.saturated.oidcProvider.reqPerSec)} (p99 ${ms(o.saturated.oidcProvider.p99Ms)}, ${perReq(o.saturated.oidcProvider)})`,
          `ratio at ${o.saturated.connections} connections ${o.saturated.ratio.toFixed(2)} (rounds: ${o.saturated.roundRatios.map((r) => r.toFixed(2)).join(', ')})   target >= 3: ${o.saturated.target.met ? 'met' : 'MISSED'}`,
        ]),
    '',
    'Tessera token endpoint per signing algorithm (EdDSA: the medians above; others: one round each)',
    table([
      ['alg', 'req/s', 'p50', 'p99', 'server CPU', 'CPU/request'],
      ...Object.entries(o.tesseraPerAlg).map(([alg, m]) => [alg, int(m.reqPerSec), ms(m.p50Ms), ms(m.p99Ms), cpu(m), perReq(m)]),
    ]),
    '',
    "JWT in-process, one operation at a time (RS256 and ML-DSA-65 on the server's signing workers); median of rounds",
    table([
      ['alg', 'sign/s', 'verify/s', 'token bytes'],
      ...Object.entries(o.jwtInProcess).map(([alg, j]) => [alg, int(j.signOpsPerSec), int(j.verifyOpsPerSec), int(j.tokenBytes)]),
    ]),
  ];
}

/** Shorter rounds, for `--quick`. */
export const OAUTH_QUICK = { rounds: 2, seconds: 2, warmupSeconds: 2, algSeconds: 2, jwtRounds: 3, jwtMs: 200 };

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = new Set(process.argv.slice(2));
  const quick = args.has('--quick');
  const options = quick ? { ...OAUTH_QUICK } : {};
  // With a profile, only the EdDSA comparison runs, so the profile shows that request alone.
  if (args.has('--cpu-prof'))
    Object.assign(options, {
      tesseraNodeArgs: ['--cpu-prof', '--cpu-prof-dir', join(ROOT, 'bench/results/profiles')],
      otherAlgs: false,
      inProcess: false,
    });
  const started = Date.now();
  const o = await oauthBenchmark(options, (l) =>
    process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${l}\n`),
  );
  process.stdout.write(['', ...formatOauth(o), '', JSON.stringify(o), ''].join('\n'));
}
