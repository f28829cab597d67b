#!/usr/bin/env node
// The `tessera` command. The TypeScript sources are compiled by `npm ci` (the `prepare` script).
// This launcher is CommonJS (see package.json beside it): Node loads an ES module entry through
// libuv's thread pool, which would fix the pool's size before the line below could choose it.
'use strict';
const { existsSync } = require('node:fs');
const { availableParallelism } = require('node:os');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

// libuv's thread pool signs access tokens and writes the log. Its default of 4 threads outnumbers
// the cores of a small machine, and the threads then spend more waking each other than signing:
// on 2 cores, 2 threads answered the token endpoint ~18% more (1 thread ~31% more) than 4. Unless
// the operator chose a size, use one per core, at least 2 (so one slow task, a password hash or a
// DNS lookup, never holds the whole pool) and at most libuv's own 4. Set before anything uses it.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(2, Math.min(4, availableParallelism())));

const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('tessera: the server is not built yet; run `npm run build` in the project root.\n');
  process.exit(1);
}
import(pathToFileURL(cli).href)
  .then(({ main }) => main(process.argv.slice(2)))
  .then((code) => {
    if (code >= 0) process.exitCode = code;
  });
