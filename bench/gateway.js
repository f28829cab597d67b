// NGINX with Tessera forward auth (the configuration shipped in examples/gateways/) against the same
// NGINX proxying the same upstream with no authentication: two server blocks of one NGINX, loaded in
// turn (ABBA…) by autocannon in this process, every request with a valid key. The ratio is forward
// auth / alone in requests per second. Skipped, saying so, when NGINX is not installed.
//   node bench/gateway.js [--quick]   (on its own; `npm run bench` runs it too)
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createServer } from 'node:net';
import { load } from './http.js';
import { median } from './stats.js';
import { call, inScratch, run, start } from './processes.js';
import { QUICK_ROUNDS, ROUNDS } from './rounds.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TESSERA = join(ROOT, 'apps/server/bin/tessera.js');
const UPSTREAM = join(ROOT, 'bench/gateway-upstream.js');
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts NGINX in `dir` with the given `http` block contents; resolves once both ports answer. */
async function startNginx(dir, http, ports) {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${join(dir, t)};`).join('\n');
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;\nworker_processes 1;\npid ${join(dir, 'nginx.pid')};\nerror_log stderr warn;\n` +
      // keepalive_requests: NGINX would close each client connection after 1,000 requests, a reset
      // autocannon counts as an error; both server blocks get the same.
      `events { worker_connections 1024; }\nhttp {\n  access_log off;\n  keepalive_requests 1000000;\n${temp}\n${http}\n}\n`,
  );
  const child = spawn(NGINX, ['-e', 'stderr', '-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const deadline = Date.now() + 10_000;
  for (const port of ports) {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${err}`);
      const ok = await fetch(`http://127.0.0.1:${port}/`).then(
        () => true,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port}: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return child;
}

export async function gatewayBenchmark(options, log) {
  const { rounds, seconds, warmupSeconds, connections } = { ...ROUNDS, ...options };
  if (NGINX === undefined) return { skipped: 'NGINX is not installed (Debian: apt-get install nginx)' };
  return inScratch(join(tmpdir(), 'tessera-bench-gateway-'), async ({ dataDir: dir, children }) => {
    const { rootKey } = JSON.parse(await run([TESSERA, 'init', '--data-dir', join(dir, 'data'), '--json']));
    const tessera = await start(
      [TESSERA, 'serve', '--data-dir', join(dir, 'data'), '--port', '0'],
      (line) => /listening on (https?:\/\/[^\s"]+)/.exec(line)?.[1],
      'tessera serve',
    );
    children.push(tessera.child);
    const base = tessera.value;
    const ks = await call(base, rootKey, 'POST', '/v1/keyspaces', { name: 'bench', prefix: 'sk' });
    await call(base, rootKey, 'PUT', `/v1/keyspaces/${ks.id}/gateway-routes`, { rules: [{ path: '/**', scopes: 'orders:read' }] });
    const { key } = await call(base, rootKey, 'POST', '/v1/keys', { keyspaceId: ks.id, scopes: ['orders:read'] });
    const gatewayKey = (await call(base, rootKey, 'POST', '/v1/root-keys', { name: 'gateway', permissions: ['keys:verify'] })).key;
    const upstream = await start([UPSTREAM], (line) => (line.startsWith('{"port"') ? JSON.parse(line).port : undefined), 'upstream');
    children.push(upstream.child);

    const [authPort, alonePort] = [await freePort(), await freePort()];
    const values = {
      LISTEN: `127.0.0.1:${authPort}`,
      TESSERA: new URL(base).host,
      UPSTREAM: `127.0.0.1:${upstream.value}`,
      KEYSPACE_ID: ks.id,
      TESSERA_GATEWAY_KEY: gatewayKey,
    };
    const template = readFileSync(join(ROOT, 'examples/gateways/nginx.conf.template'), 'utf8');
    writeFileSync(
      join(dir, 'api.conf'),
      template.replace(/\$\{([A-Z_]+)\}/g, (all, name) => values[name] ?? all),
      { mode: 0o600 },
    );
    const alone =
      `  upstream plain { server 127.0.0.1:${upstream.value}; keepalive 32; }\n` +
      `  server {\n    listen 127.0.0.1:${alonePort};\n    location / {\n      proxy_http_version 1.1;\n` +
      `      proxy_set_header Connection "";\n      proxy_pass http://plain;\n    }\n  }`;
    const nginx = await startNginx(dir, `  include ${join(dir, 'api.conf')};\n${alone}`, [authPort, alonePort]);
    children.push(nginx);

    const headers = { authorization: `Bearer ${key}` };
    const expected = await (await fetch(`http://127.0.0.1:${alonePort}/orders/1`)).text();
    const checked = await fetch(`http://127.0.0.1:${authPort}/orders/1`, { headers });
    if (checked.status !== 200 || (await checked.text()) !== expected)
      throw new Error(`NGINX with forward auth answered ${checked.status}`);
    const refused = await fetch(`http://127.0.0.1:${authPort}/orders/1`);
    if (refused.status !== 401) throw new Error(`NGINX with forward auth let a request without a key through (${refused.status})`);
    log(`NGINX ${NGINX}: forward auth on :${authPort}, alone on :${alonePort}, upstream :${upstream.value}`);

    // CPU is Tessera's in both cases (NGINX alone leaves it idle).
    const requests = [{ method: 'GET', path: '/orders/1' }];
    const verifyBody = (body) => body === expected;
    const targets = [
      { name: 'forward-auth', url: `http://127.0.0.1:${authPort}`, headers, requests, verifyBody, child: tessera.child },
      { name: 'alone', url: `http://127.0.0.1:${alonePort}`, headers, requests, verifyBody, child: tessera.child },
    ];
    const opts = { connections, pipelining: 1, seconds };
    for (const t of targets) await load(t, { ...opts, seconds: warmupSeconds });
    const runs = { 'forward-auth': [], alone: [] };
    for (let r = 0; r < rounds; r++) {
      for (const t of r % 2 === 0 ? targets : [...targets].reverse()) {
        const m = await load(t, opts);
        runs[t.name].push(m);
        log(
          `gateway round ${r + 1}/${rounds} NGINX ${t.name.padEnd(12)} ${Math.round(m.reqPerSec).toLocaleString('en-US')} req/s, p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms`,
        );
      }
    }
    const ratios = runs['forward-auth'].map((a, i) => a.reqPerSec / runs.alone[i].reqPerSec);
    const sum = (list) => ({
      reqPerSec: Math.round(median(list.map((m) => m.reqPerSec))),
      p50Ms: Math.round(median(list.map((m) => m.p50)) * 100) / 100,
      p99Ms: Math.round(median(list.map((m) => m.p99)) * 100) / 100,
      serverCpuPct: list[0].serverCpuPct === undefined ? null : Math.round(median(list.map((m) => m.serverCpuPct))),
    });
    return {
      connections,
      seconds,
      forwardAuth: sum(runs['forward-auth']),
      alone: sum(runs.alone),
      ratio: Math.round(median(ratios) * 1000) / 1000,
      roundRatios: ratios.map((x) => Math.round(x * 1000) / 1000),
    };
  });
}

/** The section of the benchmark's table. */
export function formatGateway(g, table, row) {
  if (g.skipped !== undefined) return [`NGINX + Tessera forward auth: skipped, ${g.skipped}`, ''];
  if (g.failed !== undefined) return [`NGINX + Tessera forward auth: FAILED, ${g.failed}`, ''];
  return [
    `Gateway: NGINX with Tessera forward auth (examples/gateways/nginx.conf.template) vs the same NGINX alone, same upstream`,
    `         GET with a valid key, ${g.connections} connections, ${g.roundRatios.length} alternated rounds of ${g.seconds} s; medians; CPU is Tessera's`,
    table([
      ['NGINX', 'req/s', 'p50', 'p99', 'Tessera CPU', 'Tessera CPU per request'],
      row('with forward auth', g.forwardAuth),
      row('alone', g.alone),
    ]),
    `ratio forward auth/alone ${g.ratio.toFixed(3)} (rounds: ${g.roundRatios.map((r) => r.toFixed(2)).join(', ')})`,
    '',
  ];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  const log = (line) => process.stderr.write(`${line}\n`);
  const { int, ms, table } = await import('./stats.js');
  const row = (name, x) => [name, int(x.reqPerSec), ms(x.p50Ms), ms(x.p99Ms), x.serverCpuPct === null ? '-' : `${x.serverCpuPct}%`];
  const g = await gatewayBenchmark(quick ? QUICK_ROUNDS : {}, log);
  process.stdout.write(formatGateway(g, table, row).join('\n') + '\n');
}
