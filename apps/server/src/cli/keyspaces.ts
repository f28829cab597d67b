import { need, table, UsageError, type CommandContext } from './context.js';

/** `tessera keyspaces create|list`, over the API. */
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
  throw new UsageError('usage: tessera keyspaces create|list');
}
