import { intFlag, keyspaceSettings, need, table, UsageError, type CommandContext } from './context.js';
import { detectionPatch } from './detection-flags.js';

/** `tessera keyspaces create|list|policy`, over the API. */
export async function keyspacesCommand(sub: string | undefined, ctx: CommandContext): Promise<number> {
  const { flags } = ctx;
  if (sub === 'create') {
    const ks = await ctx.api('POST', '/v1/keyspaces', { name: need(flags.name, '--name'), prefix: need(flags.prefix, '--prefix') });
    ctx.out(`Created keyspace ${ks.id} (prefix ${ks.prefix}).`, ks);
    return 0;
  }
  if (sub === 'list') {
    const { items } = await ctx.api('GET', '/v1/keyspaces');
    ctx.out(table(items, ['id', 'name', 'prefix', 'createdAt']), items);
    return 0;
  }
  if (sub === 'policy') return policy(ctx);
  throw new UsageError('usage: tessera keyspaces create|list|policy');
}

/** Shows a keyspace's policy, or changes its rotation rules and detection tuning when a flag is given. */
async function policy(ctx: CommandContext): Promise<number> {
  const { flags } = ctx;
  const readOrChange = keyspaceSettings(ctx, 'policy');
  const days = (name: string, value: string) => (value === 'none' ? null : intFlag(name, value));
  const patch: Record<string, unknown> = detectionPatch(flags);
  if (flags['max-lifetime-days'] !== undefined) patch.maxKeyLifetimeDays = days('max-lifetime-days', flags['max-lifetime-days']);
  if (flags['rotate-every-days'] !== undefined) patch.rotationIntervalDays = days('rotate-every-days', flags['rotate-every-days']);
  if (flags['rotation-notice-days'] !== undefined)
    patch.rotationNoticeDays = intFlag('rotation-notice-days', flags['rotation-notice-days']);
  if (flags['rotation-grace-days'] !== undefined) patch.rotationGraceDays = intFlag('rotation-grace-days', flags['rotation-grace-days']);
  const { changing, settings: p } = await readOrChange('PUT', patch);
  const show = (v: unknown, unit: string) => (v === null ? 'none' : `${String(v)} ${unit}`);
  ctx.out(
    [
      `${changing ? 'Set the policy of' : 'Policy of'} keyspace ${p.keyspaceId}:`,
      `  maximum key lifetime   ${show(p.maxKeyLifetimeDays, 'days')}`,
      `  rotate every           ${show(p.rotationIntervalDays, 'days')} (notice ${p.rotationNoticeDays} days ahead, ${p.rotationGraceDays} days of grace)`,
      `  anomalies              ${p.anomalyResponse} (from ${p.suspendMinSeverity})`,
      `  expire unused keys     ${show(p.autoExpireUnusedDays, 'days')}`,
      `  detection sensitivity  ${p.detectionSensitivity}`,
      `  quiet hours (UTC)      ${p.quietHours.length === 0 ? 'none' : p.quietHours.join(', ')}`,
      `  known networks         ${p.knownNetworks.length === 0 ? 'none' : p.knownNetworks.join(', ')}`,
    ].join('\n'),
    p,
  );
  return 0;
}
