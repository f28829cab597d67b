#!/usr/bin/env node
// The `tessera` command. The TypeScript sources are compiled by `npm ci` (the `prepare` script).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('tessera: the server is not built yet; run `npm run build` in the project root.\n');
  process.exit(1);
}
const { main } = await import(cli.href);
const code = await main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
