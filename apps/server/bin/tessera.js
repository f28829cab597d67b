#!/usr/bin/env node
// The `tessera` command. The TypeScript sources are compiled by `npm ci` (the `prepare` script).
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';

// libuv's thread pool signs access tokens and writes the log. Its default of 4 threads outnumbers
// the cores of a small machine, and the threads then spend more waking each other than signing:
// on 2 cores, 2 threads answered the token endpoint ~20% faster (and 1 thread ~35%) than 4. Unless
// the operator chose a size, use one per core, at least 2 (so one slow task, a password hash or a
// DNS lookup, never holds the whole pool) and at most libuv's own 4. Set before anything uses it.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(2, Math.min(4, availableParallelism())));

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('tessera: the server is not built yet; run `npm run build` in the project root.\n');
  process.exit(1);
}
const { main } = await import(cli.href);
const code = await main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
