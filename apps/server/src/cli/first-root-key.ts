import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';

/** Where the first root key is left when nobody is at a terminal to read it. */
export function firstRootKeyPath(config: Config): string {
  return join(config.dataDir, 'initial-root-key');
}

/**
 * Hands over the first root key, made by a first start or `tessera init`. On an interactive
 * terminal it is printed; otherwise stdout is a pipe, a file or a log collector, where the key
 * would outlive its reader, so it goes to a file of its own in the data dir (mode 0600, never
 * overwritten) and the caller says where. Returns the file's path, or undefined when printed.
 */
export function deliverFirstRootKey(
  config: Config,
  rootKey: string,
  opts: { interactive: boolean; print: (line: string) => void },
): string | undefined {
  if (opts.interactive) {
    opts.print('');
    opts.print('  Tessera is initialised. This is your root key. It is shown once, now; keep it safe:');
    opts.print('');
    opts.print(`    ${rootKey}`);
    opts.print('');
    return undefined;
  }
  const path = firstRootKeyPath(config);
  writeFileSync(path, rootKey + '\n', { mode: 0o600, flag: 'wx' });
  return path;
}

/** The line that says where the key went, for the log or the terminal; never the key. */
export function firstRootKeyNotice(path: string): string {
  return `Tessera is initialised. The first root key is in ${path} (mode 0600), not in this output: read it, keep it safe, then delete the file.`;
}
