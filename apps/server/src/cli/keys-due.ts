import { intFlag, table, type CommandContext } from './context.js';

interface DueKey {
  keyId: string;
  keyspaceId: string;
  name: string | null;
  ownerId: string | null;
  rotationDueAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

const DAY = 86_400_000;

/**
 * `tessera keys due [--keyspace ID] [--within DAYS]`: the live keys whose rotation falls due within
 * the window (by default each keyspace's `rotationNoticeDays`, when the `key.rotation_due` webhook
 * goes out) or is overdue, soonest first. Reads every page of the key listing.
 */
export async function keysDue(ctx: CommandContext): Promise<number> {
  const { flags } = ctx;
  const within = flags.within === undefined ? undefined : intFlag('within', flags.within) * DAY;
  const now = Date.now();
  const keys: DueKey[] = [];
  const base = flags.keyspace ? `/v1/keys?keyspaceId=${encodeURIComponent(flags.keyspace)}&limit=100` : '/v1/keys?limit=100';
  for (let cursor: string | null | undefined = undefined; ;) {
    const page = await ctx.api('GET', cursor ? `${base}&cursor=${encodeURIComponent(cursor)}` : base);
    keys.push(...(page.items as DueKey[]));
    cursor = page.nextCursor as string | null | undefined;
    if (typeof cursor !== 'string') break;
  }
  const notice = new Map<string, number>();
  const windowOf = async (keyspaceId: string) => {
    if (within !== undefined) return within;
    if (!notice.has(keyspaceId)) {
      const policy = await ctx.api('GET', `/v1/keyspaces/${encodeURIComponent(keyspaceId)}/policy`);
      notice.set(keyspaceId, (policy.rotationNoticeDays as number) * DAY);
    }
    return notice.get(keyspaceId)!;
  };
  const due: DueKey[] = [];
  for (const k of keys) {
    if (k.rotationDueAt === null || k.revokedAt !== null) continue;
    if (k.expiresAt !== null && Date.parse(k.expiresAt) <= now) continue;
    if (Date.parse(k.rotationDueAt) <= now + (await windowOf(k.keyspaceId))) due.push(k);
  }
  due.sort((a, b) => Date.parse(a.rotationDueAt!) - Date.parse(b.rotationDueAt!));
  const rows = due.map((k) => ({ ...k, overdue: Date.parse(k.rotationDueAt!) <= now ? 'yes' : 'no' }));
  const human =
    rows.length === 0
      ? 'No live key is due for rotation.'
      : `${table(rows, ['keyId', 'name', 'ownerId', 'rotationDueAt', 'overdue', 'expiresAt'])}\n\n` +
        'Roll each before its grace ends: tessera keys roll KEY_ID --grace SECONDS [--retire-when-unused]';
  ctx.out(human, { items: due });
  return 0;
}
