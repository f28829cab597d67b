// Steady verify traffic for bench/scale-bench.js: a load generator per node (bench/steady-load.js,
// each in a process of its own), the highest rate the nodes sustain with it, and how busy the
// machine's cores were meanwhile.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Verify traffic at a steady rate on one node until stopped, from a process of its own (its work
 * must not delay the measuring process): `answered()` resolves to the answers so far, `stop()` to
 * all it got.
 */
export function steady(node, rate, keys, connections) {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bench/steady-load.js'), node.url, node.headers.authorization, String(rate), String(connections), ...keys],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = [];
  const waiting = [];
  let rest = '';
  child.stdout.on('data', (d) => {
    const parts = (rest + d).split('\n');
    rest = parts.pop();
    for (const line of parts) {
      const w = waiting.shift();
      if (w === undefined) lines.push(Number(line));
      else w(Number(line));
    }
  });
  const next = () => (lines.length > 0 ? Promise.resolve(lines.shift()) : new Promise((resolve) => waiting.push(resolve)));
  const exited = new Promise((resolve) => child.on('close', resolve));
  return {
    answered() {
      const n = next();
      child.kill('SIGUSR2');
      return n;
    },
    async stop() {
      const n = next();
      child.kill('SIGTERM');
      await exited;
      return Promise.race([n, Promise.resolve(0)]);
    },
  };
}

/**
 * The highest rate per node that every node sustains at once with steady traffic (its generator
 * got at least 97% of the answers due): rates from `from` up, 25% more each step, for `seconds`
 * each, until one is not sustained or `to` is passed. Paced requests cost a node more CPU each than
 * back-to-back ones (each is read, answered and written on its own), so this, not a saturating
 * run, is the capacity that "half the capacity" of steady traffic is half of.
 */
export async function steadyCapacity(nodes, keys, { from, to, seconds, connections, log }) {
  let sustained = 0;
  const steps = [];
  for (let rate = Math.round(from); rate <= to; rate = Math.round(rate * 1.25)) {
    const loads = nodes.map((node) => steady(node, rate, keys, connections));
    await new Promise((r) => setTimeout(r, 1000)); // connected and warm
    const before = await Promise.all(loads.map((l) => l.answered()));
    const cores = machineBusy();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const after = await Promise.all(loads.map((l) => l.answered()));
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = cores.stop();
    await Promise.all(loads.map((l) => l.stop()));
    const share = Math.min(...after.map((n, i) => n - before[i])) / (rate * elapsed);
    steps.push({ rate, share: Math.round(share * 1000) / 1000, machineBusyPct: cpu });
    log(`steady capacity: ${rate}/s on each node: ${(share * 100).toFixed(1)}% of the answers due, cores ${cpu}% busy`);
    if (share < 0.97) break;
    sustained = rate;
    await new Promise((r) => setTimeout(r, 500));
  }
  return { perNode: sustained, steps };
}

/** How busy the machine's cores are from now until `stop()` (Linux, from /proc/stat), in percent; null elsewhere. */
export function machineBusy() {
  const read = () => {
    try {
      const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
      const t = fields.map(Number);
      const idle = t[3] + (t[4] ?? 0);
      return { idle, total: t.reduce((a, b) => a + b, 0) };
    } catch {
      return null;
    }
  };
  const before = read();
  return {
    stop() {
      const after = read();
      if (before === null || after === null || after.total === before.total) return null;
      return Math.round(100 * (1 - (after.idle - before.idle) / (after.total - before.total)) * 10) / 10;
    },
  };
}
