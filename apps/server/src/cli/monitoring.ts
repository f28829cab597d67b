import { intFlag, need, query, table, timeFlag, UsageError, type CommandContext } from './context.js';

/** `tessera anomalies …`: what the detectors found, and acknowledging or resolving it. */
export async function anomaliesCommand(sub: string | undefined, ctx: CommandContext): Promise<number> {
  const { flags, out } = ctx;
  const path = () => `/v1/anomalies/${encodeURIComponent(need(ctx.rest[0], 'ID'))}`;
  const columns = ['id', 'severity', 'status', 'kind', 'explanation', 'lastSeenAt'];
  switch (sub) {
    case 'list': {
      const q = query({
        status: flags.status,
        kind: flags.kind,
        keyId: flags.key,
        limit: flags.limit === undefined ? undefined : intFlag('limit', flags.limit),
      });
      const r = await ctx.api('GET', `/v1/anomalies${q}`);
      out(table(r.items, columns), r);
      return 0;
    }
    case 'get': {
      const r = await ctx.api('GET', path());
      out(JSON.stringify(r, null, 2), r);
      return 0;
    }
    case 'acknowledge':
    case 'resolve': {
      const r = await ctx.api('POST', `${path()}/${sub}`, {});
      out(`Anomaly ${r.id} is ${r.status}.`, r);
      return 0;
    }
    default:
      throw new UsageError('usage: tessera anomalies list|get|acknowledge|resolve');
  }
}

/** `tessera suspensions …`: keys an anomaly disabled, and undoing that. */
export async function suspensionsCommand(sub: string | undefined, ctx: CommandContext): Promise<number> {
  const { flags, out } = ctx;
  switch (sub) {
    case 'list': {
      const r = await ctx.api('GET', `/v1/suspensions${query({ keyId: flags.key, active: flags.active })}`);
      out(table(r.items, ['id', 'keyId', 'reason', 'suspendedAt', 'undoneAt', 'undoneBy']), r);
      return 0;
    }
    case 'undo': {
      const r = await ctx.api('POST', `/v1/suspensions/${encodeURIComponent(need(ctx.rest[0], 'ID'))}/undo`, {});
      out(`Suspension ${r.id} undone: key ${r.keyId} is ${r.wasEnabled ? 'enabled' : 'left disabled, as it was before'} again.`, r);
      return 0;
    }
    default:
      throw new UsageError('usage: tessera suspensions list|undo');
  }
}

/** `tessera hygiene --keyspace ID`: the keyspace's stale, unused and over-privileged keys. */
export async function hygieneCommand(sub: string | undefined, ctx: CommandContext): Promise<number> {
  if (sub !== undefined) throw new UsageError('usage: tessera hygiene --keyspace ID [--sweep]');
  if (ctx.flags.sweep) {
    const r = await ctx.api('POST', `/v1/hygiene/sweep`, {});
    ctx.out(JSON.stringify(r, null, 2), r);
    return 0;
  }
  const keyspaceId = need(ctx.flags.keyspace, '--keyspace');
  const r = await ctx.api('GET', `/v1/hygiene${query({ keyspaceId })}`);
  const sections: [string, string][] = [
    ['neverUsed', 'Never used'],
    ['unused', 'Unused lately'],
    ['expiringSoon', 'Expiring soon'],
    ['noExpiry', 'Never expire'],
    ['overPrivileged', 'Hold scopes no verification needed'],
  ];
  const human = sections
    .map(([field, title]) => {
      const rows = (r[field] as Record<string, unknown>[]).map((k) => ({ ...k, unused: (k.unused as string[] | undefined)?.join(',') }));
      const cols = ['keyId', 'name', 'ownerId', 'lastUsedAt', 'expiresAt', ...(field === 'overPrivileged' ? ['unused'] : [])];
      return `${title} (${rows.length}):\n${table(rows, cols)}`;
    })
    .join('\n\n');
  ctx.out(`${r.liveKeys} live keys in ${keyspaceId}.\n\n${human}`, r);
  return 0;
}

/** `tessera analytics …`: verifications from the stored roll-ups of every node. */
export async function analyticsCommand(sub: string | undefined, ctx: CommandContext): Promise<number> {
  const { flags, out } = ctx;
  const range = { from: timeFlag('from', flags.from), to: timeFlag('to', flags.to) };
  switch (sub) {
    case 'verifications': {
      const q = query({ keyId: flags.key, ownerId: flags.owner, keyspaceId: flags.keyspace, granularity: flags.granularity, ...range });
      const r = await ctx.api('GET', `/v1/analytics/verifications${q}`);
      const rows = r.series.map((p: { time: string; total: number; valid: number }) => ({ ...p, invalid: p.total - p.valid }));
      out(
        `${r.totals.total} verifications, ${r.totals.valid} valid (${r.from} to ${r.to}, per ${r.granularity}):\n${table(rows, ['time', 'total', 'valid', 'invalid'])}`,
        r,
      );
      return 0;
    }
    case 'top': {
      const q = query({
        by: need(flags.by, '--by'),
        outcome: flags.outcome,
        limit: flags.limit === undefined ? undefined : intFlag('limit', flags.limit),
        ...range,
      });
      const r = await ctx.api('GET', `/v1/analytics/top${q}`);
      out(table(r.items, ['subject', 'count', 'cost']), r);
      return 0;
    }
    default:
      throw new UsageError('usage: tessera analytics verifications|top');
  }
}
