// Steady verify traffic for bench/scale-bench.js: a load generator per node (bench/steady-load.js,
// each in a process of its own), and how busy the machine's cores were meanwhile.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Verify traffic at a steady rate on one node until stopped, from a process of its own (its work
 * must not delay the measuring process); `stop()` resolves to the answers it got and the seconds it
 * ran. A rate of 0 is no limit. `nice` lowers the process's scheduling priority (see scale-bench.js).
 */
export function steady(node, rate, keys, connections, { nice = 0 } = {}) {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bench/steady-load.js'), node.url, node.headers.authorization, String(rate), String(connections), ...keys],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (nice !== 0) setPriority(child.pid, nice);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const exited = new Promise((resolve) =>
    child.on('close', () => {
      const [answers = 0, ms = 0] = out.trim().split(' ').map(Number);
      resolve({ answers, seconds: ms / 1000 });
    }),
  );
  return {
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
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
