import { UsageError, type CommandContext } from './context.js';

interface RotationAnswer {
  secret: string;
  rotator: string;
  connection?: string;
  usernames?: string[];
  url?: string;
  every: string | null;
  state: string;
  nextRotationAt: string | null;
  attempts: number;
  lastResult: string | null;
  lastError: string | null;
  lastRotatedAt: string | null;
  signingSecret?: string;
  version?: number | null;
}

/** `tessera secrets rotation set|show|list|now|clear …`, over the API (docs/rotation.md). */
export async function secretRotationCommand(ctx: CommandContext): Promise<number> {
  const [action, name] = ctx.rest;
  const path = (base: string, n: string) => `${base}/${n.split('/').map(encodeURIComponent).join('/')}`;
  const need = (v: string | undefined) => {
    if (v === undefined || v === '') throw new UsageError(`usage: tessera secrets rotation ${action} NAME`);
    return v;
  };
  switch (action) {
    case 'set': {
      const { rotator, every, manual, connection, usernames, endpoint } = ctx.flags;
      if ((typeof every === 'string') === (manual === true)) throw new UsageError('give one of --every 30d|12h or --manual');
      const schedule = { every: typeof every === 'string' ? every : null };
      let body: Record<string, unknown>;
      if (rotator === 'postgres-alternating') {
        if (typeof connection !== 'string' || typeof usernames !== 'string')
          throw new UsageError('postgres-alternating needs --connection NAME --usernames A,B');
        body = { rotator, connection, usernames: usernames.split(','), ...schedule };
      } else if (rotator === 'webhook') {
        if (typeof endpoint !== 'string') throw new UsageError('webhook needs --endpoint URL');
        body = { rotator, url: endpoint, ...schedule };
      } else throw new UsageError('--rotator must be postgres-alternating or webhook');
      const r = (await ctx.api('PUT', path('/v1/secret-rotations', need(name)), body)) as RotationAnswer;
      const secretLine = r.signingSecret
        ? `\nSigning secret (shown once; the endpoint checks the tessera-signature header with it):\n${r.signingSecret}`
        : '';
      ctx.out(`Rotation of ${r.secret} set: ${describe(r)}${secretLine}`, r);
      return 0;
    }
    case 'show': {
      const r = (await ctx.api('GET', path('/v1/secret-rotations', need(name)))) as RotationAnswer;
      ctx.out(describe(r), r);
      return 0;
    }
    case 'list': {
      const r = (await ctx.api('GET', '/v1/secret-rotations')) as { items: RotationAnswer[] };
      ctx.out(r.items.length === 0 ? '(none)' : r.items.map((i) => `${i.secret}  ${describe(i)}`).join('\n'), r.items);
      return 0;
    }
    case 'now': {
      const r = (await ctx.api('POST', path('/v1/secret-rotations', need(name)))) as RotationAnswer;
      if (r.version === null) {
        ctx.out(`Rotation of ${r.secret} failed: ${r.lastError ?? 'unknown error'}; the current version stays. ${describe(r)}`, r);
        return 1;
      }
      ctx.out(`Rotated ${r.secret}: version ${r.version} is current.`, r);
      return 0;
    }
    case 'clear': {
      await ctx.api('DELETE', path('/v1/secret-rotations', need(name)));
      ctx.out(`Rotation of ${name} cleared; its versions stay.`, { secret: name, cleared: true });
      return 0;
    }
    default:
      throw new UsageError('usage: tessera secrets rotation set|show|list|now|clear');
  }
}

function describe(r: RotationAnswer): string {
  const by = r.rotator === 'webhook' ? `webhook ${r.url}` : `postgres-alternating ${r.connection} (${(r.usernames ?? []).join('/')})`;
  const last =
    r.lastResult === null
      ? 'never rotated'
      : `last ${r.lastResult}${r.lastError ? ` (${r.lastError}, ${r.attempts} attempt${r.attempts === 1 ? '' : 's'})` : ''}`;
  const next = r.nextRotationAt === null ? (r.state === 'rotating' ? 'rotating now' : 'no rotation scheduled') : `next ${r.nextRotationAt}`;
  return `${by}, ${r.every === null ? 'manual' : `every ${r.every}`}; ${last}; ${next}`;
}
