import { intFlag, list, need, table, UsageError, type CommandContext } from './context.js';

const COLUMNS = ['id', 'name', 'start', 'permissions', 'keyspaceIds', 'lastUsedAt', 'expiresAt', 'revokedAt'];

/** `tessera root-keys …`: the management API's own credentials, over the API. */
export async function rootKeysCommand(sub: string | undefined, ctx: CommandContext): Promise<number> {
  const { flags, out } = ctx;
  const path = (id: string | undefined) => `/v1/root-keys/${encodeURIComponent(need(id, 'ID'))}`;
  switch (sub) {
    case 'create': {
      const body: Record<string, unknown> = {
        name: need(flags.name, '--name'),
        permissions: need(list(flags.permissions), '--permissions'),
      };
      if (flags.keyspaces) body.keyspaceIds = list(flags.keyspaces);
      if (flags['other-workspaces']) body.otherWorkspaceIds = list(flags['other-workspaces']);
      if (flags.ttl) body.expiresAt = new Date(Date.now() + intFlag('ttl', flags.ttl) * 1000).toISOString();
      const r = await ctx.api('POST', '/v1/root-keys', body);
      out(`Created root key ${r.id}. It is shown once, now:\n\n  ${r.key}\n`, r);
      return 0;
    }
    case 'list': {
      const r = await ctx.api('GET', '/v1/root-keys');
      const rows = r.items.map((k: Record<string, unknown>) => ({
        ...k,
        permissions: (k.permissions as string[]).join(','),
        keyspaceIds: (k.keyspaceIds as string[] | null)?.join(',') ?? 'all',
      }));
      out(table(rows, COLUMNS), r);
      return 0;
    }
    case 'roll': {
      const r = await ctx.api('POST', `${path(ctx.rest[0])}/roll`, { gracePeriodSeconds: intFlag('grace', need(flags.grace, '--grace')) });
      out(`Rolled: the new root key ${r.id} is shown once, now:\n\n  ${r.key}\n\nThe old one keeps working for ${flags.grace} seconds.`, r);
      return 0;
    }
    case 'revoke': {
      const r = await ctx.api('POST', `${path(ctx.rest[0])}/revoke`, {});
      out(`Revoked root key ${r.id} at ${r.revokedAt}.`, r);
      return 0;
    }
    default:
      throw new UsageError('usage: tessera root-keys create|list|roll|revoke');
  }
}
