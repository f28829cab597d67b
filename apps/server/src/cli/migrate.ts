import { isInitialised, migrationReport, openInstance, openStore } from '../wiring/instance.js';
import type { CommandContext } from './context.js';

/** `tessera migrate [--dry-run]`: applies the pending database migrations, or lists them. */
export async function migrateCommand(_sub: string | undefined, ctx: CommandContext): Promise<number> {
  const config = ctx.config();
  if (ctx.flags['dry-run']) {
    if (!isInitialised(config)) throw new Error(`Tessera is not initialised in ${config.dataDir} (no keyring there).`);
    const store = openStore(config);
    const pending = await store.pendingMigrations().finally(() => store.close());
    ctx.out(pending.length === 0 ? migrationReport([]) : `Pending migrations (${pending.length}): ${pending.join(', ')}.`, { pending });
    return 0;
  }
  const { store, keyring, migrations } = await openInstance(config);
  await store.close();
  await keyring.close();
  ctx.out(migrationReport(migrations), { ok: true, applied: migrations });
  return 0;
}
