#!/usr/bin/env node
// The `tessera` command. The TypeScript sources are compiled by `npm ci` (the `prepare` script).
// This launcher is CommonJS (see package.json beside it): Node loads an ES module entry through
// libuv's thread pool, which would fix the pool's size before the line below could choose it.
'use strict';
const { existsSync } = require('node:fs');
const { availableParallelism } = require('node:os');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

// libuv's thread pool signs access tokens (EdDSA, ES256) and writes the log. The event loop has
// a core of its own; the pool gets the others: one thread per remaining core, at least 1 and at
// most libuv's own 4. More threads than cores spend more waking each other than signing (on 2
// cores, 1 thread answered the token endpoint ~12% more than 2, and 2 about 18% more than 4).
// Nothing slow or unbounded runs on the pool, so a small one is never held: RSA and ML-DSA sign
// on Tessera's signing workers, console passwords are hashed on a worker of their own, webhook
// host names are resolved with c-ares. Unless the operator chose a size; set before anything uses it.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(1, Math.min(4, availableParallelism() - 1)));

const cli = join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!existsSync(cli)) {
  process.stderr.write('tessera: the server is not built yet; run `npm run build` in the project root.\n');
  process.exit(1);
}
import(pathToFileURL(cli).href)
  .then(({ main }) => main(process.argv.slice(2)))
  .then((code) => {
    if (code >= 0) process.exitCode = code;
  });
