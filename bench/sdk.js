// SDK benchmark: verifyKey with a warm cache, offline refusal of malformed keys, and local JWT
// verification per algorithm, against a real Tessera (SQLite) started for the run.
//   node bench/sdk.js [--quick]
// Progress goes to stderr; the last stdout line is the JSON of the figures (bench/run.js reads it).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TESSERA = join(ROOT, 'apps/server/bin/tessera.js');
const quick = process.argv.includes('--quick');
const log = (line) => process.stderr.write(`sdk: ${line}\n`);
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TESSERA_')));

const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'packages/sdk'], {
  cwd: ROOT,
  encoding: 'utf8',
});
if (tsc.status !== 0) log(`WARNING: building the SDK failed; measuring the previous build.\n${tsc.stdout}`);
const { Tessera, AccessTokenVerifier } = await import(join(ROOT, 'packages/sdk/dist/index.js'));

function run(args) {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

function serve(dataDir) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TESSERA, 'serve', '--data-dir', dataDir, '--port', '0'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`tessera serve did not start:\n${out}`))), 20_000);
    child.stderr.resume();
    child.stdout.on('data', (d) => {
      out += d;
      const url = /listening on (https?:\/\/[^\s"]+)/.exec(out)?.[1];
      if (url !== undefined) {
        clearTimeout(timer);
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolve({ child, url });
      }
    });
  });
}

/** Operations per second of `fn` (awaited one after another), best of `rounds` rounds of `ms`. */
async function measure(fn, { rounds = quick ? 2 : 5, ms = quick ? 500 : 2000 } = {}) {
  for (let i = 0; i < 1000; i++) await fn(); // warm-up: JIT and caches
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const started = process.hrtime.bigint();
    const until = started + BigInt(ms) * 1_000_000n;
    while (true) {
      for (let i = 0; i < 1000; i++) await fn();
      n += 1000;
      if (process.hrtime.bigint() >= until) break;
    }
    best = Math.max(best, n / (Number(process.hrtime.bigint() - started) / 1e9));
  }
  return Math.round(best);
}

const must = (r) => {
  if (r.error) throw r.error;
  return r.result;
};

const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-sdk-'));
let server;
try {
  log('initialising Tessera (SQLite) in a temporary data dir');
  const { rootKey } = JSON.parse(run([TESSERA, 'init', '--data-dir', dataDir, '--json']));
  server = await serve(dataDir);
  const admin = new Tessera({ baseUrl: server.url, rootKey });
  const ks = must(await admin.keyspaces.create({ name: 'bench', prefix: 'sk' }));
  const { key } = must(await admin.keys.create({ keyspaceId: ks.id, ownerId: 'user_bench', scopes: ['read'] }));

  const client = new Tessera({ baseUrl: server.url, rootKey, cache: { ttlMs: 60_000 } });
  if (!must(await client.verifyKey(key)).valid) throw new Error('the bench key does not verify');
  log('verifyKey, warm cache');
  const warm = await measure(() => client.verifyKey(key));
  log(`  ${warm.toLocaleString('en')}/s`);
  const malformed = key.slice(0, -1) + (key.endsWith('0') ? '1' : '0');
  log('verifyKey, bad checksum (offline)');
  const offline = await measure(() => client.verifyKey(malformed));
  log(`  ${offline.toLocaleString('en')}/s`);

  const jwt = {};
  for (const alg of ['EdDSA', 'ES256', 'RS256']) {
    const c = must(
      await admin.oauth.createClient({
        name: alg,
        scopes: ['read'],
        audience: ['https://api.bench'],
        grantTypes: ['client_credentials'],
        signingAlg: alg,
      }),
    );
    const res = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'read', resource: 'https://api.bench' }),
    });
    const { access_token: token } = await res.json();
    const verifier = new AccessTokenVerifier({ issuer: server.url, algorithms: [alg] });
    const check = await verifier.verify({ token, scheme: 'Bearer' }, { audience: 'https://api.bench', scopes: ['read'] });
    if (!check.valid) throw new Error(`${alg} token did not verify: ${check.description}`);
    log(`local JWT verification, ${alg}`);
    jwt[alg] = await measure(() => verifier.verify({ token, scheme: 'Bearer' }, { audience: 'https://api.bench', scopes: ['read'] }), {
      rounds: quick ? 1 : 3,
      ms: quick ? 500 : 1500,
    });
    log(`  ${jwt[alg].toLocaleString('en')}/s`);
  }
  const figures = {
    verifyWarmOpsPerSec: warm,
    verifyOfflineRejectOpsPerSec: offline,
    jwtVerifyOpsPerSec: jwt,
    target: { verifyWarm: '>= 1,000,000/s', met: warm >= 1_000_000 },
  };
  process.stdout.write(JSON.stringify(figures) + '\n');
} finally {
  server?.child.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}
