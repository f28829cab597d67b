import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shipped gateway configurations (examples/gateways/), run as they are. */
export const EXAMPLES = fileURLToPath(new URL('../../../examples/gateways/', import.meta.url));
export const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
export const CADDY = ['/usr/bin/caddy', '/usr/local/bin/caddy'].find((p) => existsSync(p));

export interface GatewayValues {
  tessera: string;
  upstream: string;
  keyspaceId: string;
  gatewayKey: string;
}

export interface RunningGateway {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** A port nothing listens on right now, on loopback. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once something accepts connections on the port (the process has read its configuration). */
async function listening(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the gateway exited (${child.exitCode}):\n${output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`the gateway did not listen on ${port}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, port: number, dir: string): Promise<RunningGateway> {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(child.pid!, 'SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return listening(port, child, () => output).then(
    () => ({ url: `http://127.0.0.1:${port}`, pid: child.pid!, stop }),
    async (err: unknown) => {
      await stop();
      throw err;
    },
  );
}

/** `examples/gateways/nginx.conf.template` with the values filled in, as envsubst would. */
export function renderNginx(values: GatewayValues & { listen: string }): string {
  const vars: Record<string, string> = {
    LISTEN: values.listen,
    TESSERA: values.tessera,
    UPSTREAM: values.upstream,
    KEYSPACE_ID: values.keyspaceId,
    TESSERA_GATEWAY_KEY: values.gatewayKey,
  };
  return readFileSync(join(EXAMPLES, 'nginx.conf.template'), 'utf8').replace(/\$\{([A-Z_]+)\}/g, (all, name: string) => vars[name] ?? all);
}

/** A real NGINX, in a directory of its own, serving the shipped configuration. */
export async function startNginx(values: GatewayValues): Promise<RunningGateway> {
  if (NGINX === undefined) throw new Error('NGINX is not installed: npm test installs it (scripts/provision-tests.js)');
  const dir = mkdtempSync(join(tmpdir(), 'tessera-nginx-'));
  const port = await freePort();
  writeFileSync(join(dir, 'api.conf'), renderNginx({ ...values, listen: `127.0.0.1:${port}` }), { mode: 0o600 });
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${join(dir, t)};`).join('\n');
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;\nworker_processes 1;\npid ${join(dir, 'nginx.pid')};\nerror_log stderr warn;\nevents { worker_connections 256; }\n` +
      `http {\n  access_log off;\n${temp}\n  include ${join(dir, 'api.conf')};\n}\n`,
  );
  return run(NGINX, ['-e', 'stderr', '-p', dir, '-c', join(dir, 'nginx.conf')], process.env, port, dir);
}

/** A real Caddy serving the shipped Caddyfile, its values from the environment. */
export async function startCaddy(values: GatewayValues): Promise<RunningGateway> {
  if (CADDY === undefined) throw new Error('Caddy is not installed: npm test installs it (scripts/provision-tests.js)');
  const dir = mkdtempSync(join(tmpdir(), 'tessera-caddy-'));
  const port = await freePort();
  const env = {
    ...process.env,
    HOME: dir,
    XDG_CONFIG_HOME: dir,
    XDG_DATA_HOME: dir,
    CADDY_ADMIN: 'off',
    LISTEN: `http://127.0.0.1:${port}`,
    TESSERA: values.tessera,
    UPSTREAM: values.upstream,
    KEYSPACE_ID: values.keyspaceId,
    TESSERA_GATEWAY_KEY: values.gatewayKey,
  };
  return run(CADDY, ['run', '--adapter', 'caddyfile', '--config', join(EXAMPLES, 'Caddyfile')], env, port, dir);
}

/** The API behind the gateway: answers 200 with the headers it received, and counts its calls. */
export async function startUpstream(): Promise<{ url: string; hostPort: string; calls: IncomingHttpHeaders[]; server: Server }> {
  const calls: IncomingHttpHeaders[] = [];
  const server = createHttpServer((req, res) => {
    calls.push(req.headers);
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const hostPort = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url: `http://${hostPort}`, hostPort, calls, server };
}
