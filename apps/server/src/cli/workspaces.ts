import { intFlag, list, listed, need, query, table, UsageError, type CommandContext } from './context.js';

const COLUMNS = ['id', 'name', 'createdAt'];

/** `tessera workspaces …`: create, list and rename workspaces, over the API (docs/workspaces.md). */
export async function workspacesCommand(sub: string | undefined, ctx: CommandContext): Promise<number> {
  const { flags, out } = ctx;
  switch (sub) {
    case 'create': {
      const name = need(ctx.rest[0], 'NAME');
      const permissions = list(flags['root-key-permissions']);
      const body: Record<string, unknown> = { name };
      if (permissions !== undefined) body.rootKey = { name: flags['root-key-name'] ?? `${name} admin`, permissions };
      else if (flags['root-key-name'] !== undefined) throw new UsageError('--root-key-name needs --root-key-permissions');
      const r = await ctx.api('POST', '/v1/workspaces', body);
      const key = r.rootKey === undefined ? '' : `\nIts first root key ${r.rootKey.id} is shown once, now:\n\n  ${r.rootKey.key}\n`;
      out(`Created workspace ${r.workspace.id} (${r.workspace.name}).${key}`, r);
      return 0;
    }
    case 'list': {
      const r = await listed(
        ctx,
        `/v1/workspaces${query({ limit: flags.limit === undefined ? undefined : intFlag('limit', flags.limit) })}`,
      );
      out(table(r.items, COLUMNS), r);
      return 0;
    }
    case 'rename': {
      const id = need(ctx.rest[0], 'ID');
      const r = await ctx.api('PATCH', `/v1/workspaces/${encodeURIComponent(id)}`, { name: need(ctx.rest[1], 'NAME') });
      out(`Renamed workspace ${r.id} to ${r.name}.`, r);
      return 0;
    }
    default:
      throw new UsageError('usage: tessera workspaces create|list|rename');
  }
}
