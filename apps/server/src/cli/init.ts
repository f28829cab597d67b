import { initInstance } from '../wiring/instance.js';
import type { CommandContext } from './context.js';
import { deliverFirstRootKey, firstRootKeyNotice } from './first-root-key.js';

/** `tessera init`: the data dir, keyring and database, and the first root key. */
export async function initCommand(_sub: string | undefined, ctx: CommandContext): Promise<number> {
  const config = ctx.config();
  const { rootKey, rootKeyId } = await initInstance(config);
  // --json is for scripts, which read the key from the pipe; a person at a terminal reads it there.
  if (ctx.flags.json || process.stdout.isTTY) {
    ctx.out(`Tessera is initialised.\nRoot key (${rootKeyId}), shown once — keep it safe:\n\n  ${rootKey}\n`, { rootKey, rootKeyId });
  } else {
    const file = deliverFirstRootKey(config, rootKey, { interactive: false, print: () => {} })!;
    process.stdout.write(firstRootKeyNotice(file) + '\n');
  }
  return 0;
}
