import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = `${ROOT}apps/server/bin/tessera.js`;

/** Compiles the server so the `tessera` command runs the current sources. */
export function buildServer(): void {
  const r = spawnSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-b', 'apps/server'], { cwd: ROOT, encoding: 'utf8' });
  // Type errors still emit JavaScript in build mode; only a missing build is fatal here.
  if (!existsSync(`${ROOT}apps/server/dist/cli/main.js`)) throw new Error(`the server does not build:\n${r.stdout}${r.stderr}`);
}

/** The environment of a child: ours without any TESSERA_* variable (unknown ones are refused), plus `extra`. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TESSERA_')) env[k] = v;
  return { ...env, TESSERA_LOG_REQUESTS: 'false', ...extra };
}

/** Runs a `tessera` command to the end (asynchronously: a proxy in this process may carry its traffic). */
export function tessera(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [BIN, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => proc.once('close', (status) => resolve({ status, stdout, stderr })));
}

export interface ProcessNode {
  url: string;
  proc: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** One series of the node's `/metrics`, by its full name. */
  metric(series: string): Promise<number>;
}

/** One series of a node's `/metrics`, by its full name; NaN when the node does not export it. */
export async function scrapeMetric(url: string, series: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? NaN : Number(line.split(' ')[1]);
}

/** Starts `tessera serve` on a free port and resolves once it listens. */
export async function spawnNode(dataDir: string, env: Record<string, string>, rootKey: string, port = 0): Promise<ProcessNode> {
  const proc = spawn(process.execPath, [BIN, 'serve', '--data-dir', dataDir, '--port', String(port)], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl;
      while ((nl = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        output.push(line);
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
        if (m) resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
    void exited.then((code) => reject(new Error(`tessera serve exited with ${code}:\n${output.join('\n')}`)));
    setTimeout(() => reject(new Error(`tessera serve did not start in 30 s:\n${output.join('\n')}`)), 30_000).unref();
  }).catch((err: unknown) => {
    proc.kill('SIGKILL'); // a node that never listened is not left behind
    throw err;
  });
  return {
    url,
    proc,
    output,
    exited,
    async api(method, path, body) {
      const res = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${rootKey}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
    },
    metric: (series) => scrapeMetric(url, series),
  };
}

export async function stopNode(node: ProcessNode | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (node === undefined || node.proc.exitCode !== null || node.proc.signalCode !== null) return node?.proc.exitCode ?? null;
  node.proc.kill(signal);
  return node.exited;
}

export async function withPg<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
