import { intFlag, list, listed, need, query, table, UsageError, type CommandContext } from './context.js';

const COLUMNS = ['id', 'url', 'events', 'enabled', 'secretStart', 'updatedAt'];
const row = (w: Record<string, unknown>) => ({ ...w, events: (w.events as string[]).join(',') });

/** `tessera webhooks …`: subscriptions and their deliveries, over the API. */
export async function webhooksCommand(sub: string | undefined, ctx: CommandContext): Promise<number> {
  const { flags, out } = ctx;
  const path = () => `/v1/webhooks/${encodeURIComponent(need(ctx.rest[0], 'ID'))}`;
  const shown = (r: Record<string, unknown>) => out(table([row(r)], COLUMNS), r);
  switch (sub) {
    case 'create': {
      const body = { url: need(ctx.rest[0], 'URL'), events: need(list(flags.events), '--events') };
      const r = await ctx.api('POST', '/v1/webhooks', body);
      out(`Subscribed ${r.url} as ${r.id}. Its signing secret is shown once, now:\n\n  ${r.secret}\n`, r);
      return 0;
    }
    case 'list': {
      const r = await ctx.api('GET', '/v1/webhooks');
      out(table(r.items.map(row), COLUMNS), r);
      return 0;
    }
    case 'get':
      shown(await ctx.api('GET', path()));
      return 0;
    case 'enable':
    case 'disable':
      shown(await ctx.api('PATCH', path(), { enabled: sub === 'enable' }));
      return 0;
    case 'delete':
      await ctx.api('DELETE', path());
      out(`Deleted webhook ${ctx.rest[0]}.`, { id: ctx.rest[0], deleted: true });
      return 0;
    case 'rotate-secret': {
      const r = await ctx.api('POST', `${path()}/rotate-secret`, {});
      out(`The new signing secret of ${r.id} is shown once, now:\n\n  ${r.secret}\n`, r);
      return 0;
    }
    case 'test': {
      const r = await ctx.api('POST', `${path()}/test`, {});
      out(`Sent a test event: delivery ${r.id} is ${r.status}${r.responseStatus ? ` (HTTP ${r.responseStatus})` : ''}.`, r);
      return 0;
    }
    case 'deliveries': {
      const q = query({ limit: flags.limit === undefined ? undefined : intFlag('limit', flags.limit) });
      const r = await listed(ctx, `${path()}/deliveries${q}`);
      out(table(r.items, ['id', 'eventType', 'status', 'attempts', 'responseStatus', 'lastError', 'lastAttemptAt']), r);
      return 0;
    }
    default:
      throw new UsageError('usage: tessera webhooks create|list|get|enable|disable|delete|rotate-secret|test|deliveries');
  }
}
