import { intFlag, keyspaceSettings, list, need, UsageError, type CommandContext } from './context.js';

/** `tessera portal session|settings`, over the API. */
export async function portalCommand(sub: string | undefined, ctx: CommandContext): Promise<number> {
  const { flags } = ctx;
  if (sub === 'session') {
    const s = await ctx.api('POST', '/v1/portal/sessions', {
      ownerId: need(flags.owner, '--owner'),
      keyspaceId: need(flags.keyspace, '--keyspace'),
      returnUrl: need(flags['return-url'], '--return-url'),
    });
    // The URL alone on the first line, for `| head -1` in scripts.
    ctx.out(`${s.url}\nOpens the portal once, until ${s.expiresAt}.`, s);
    return 0;
  }
  if (sub === 'settings') return settings(ctx);
  throw new UsageError('usage: tessera portal session|settings');
}

/** Shows a keyspace's portal settings, or changes those whose flag is given. */
async function settings(ctx: CommandContext): Promise<number> {
  const { flags } = ctx;
  const readOrChange = keyspaceSettings(ctx, 'portal');
  const orNone = (v: string) => (v === 'none' ? null : v);
  const patch: Record<string, unknown> = {};
  if (flags['max-keys'] !== undefined) patch.maxKeysPerOwner = intFlag('max-keys', flags['max-keys']);
  if (flags['allowed-scopes'] !== undefined) patch.allowedScopes = list(flags['allowed-scopes']);
  if (flags['max-lifetime-days'] !== undefined)
    patch.maxLifetimeSeconds = intFlag('max-lifetime-days', flags['max-lifetime-days']) * 86_400;
  if (flags['app-name'] !== undefined) patch.appName = orNone(flags['app-name']);
  if (flags['logo-url'] !== undefined) patch.logoUrl = orNone(flags['logo-url']);
  if (flags['brand-color'] !== undefined) patch.brandColor = orNone(flags['brand-color']);
  const { changing, settings: p } = await readOrChange('PATCH', patch);
  const show = (v: unknown) => (v === null ? 'none' : String(v));
  ctx.out(
    [
      `${changing ? 'Set the portal settings of' : 'Portal settings of'} keyspace ${p.keyspaceId}:`,
      `  keys per owner     at most ${p.maxKeysPerOwner}`,
      `  allowed scopes     ${p.allowedScopes.length === 0 ? 'none' : p.allowedScopes.join(', ')}`,
      `  key lifetime       at most ${Math.floor(p.maxLifetimeSeconds / 86_400)} days`,
      `  app name           ${show(p.appName)}`,
      `  logo               ${show(p.logoUrl)}`,
      `  brand colour       ${show(p.brandColor)}`,
    ].join('\n'),
    p,
  );
  return 0;
}
