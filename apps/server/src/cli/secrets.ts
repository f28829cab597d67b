import { readFileSync } from 'node:fs';
import { UsageError, type CommandContext } from './context.js';
import { secretRotationCommand } from './secret-rotation.js';

/** `tessera secrets …`, over the API; values come from stdin so they stay out of shell history. */
export async function secretsCommand(sub: string | undefined, ctx: CommandContext): Promise<number> {
  const name = ctx.rest[0];
  const path = (n: string) => `/v1/secrets/${n.split('/').map(encodeURIComponent).join('/')}`;
  const need = (v: string | undefined) => {
    if (v === undefined || v === '') throw new UsageError(`usage: tessera secrets ${sub} NAME`);
    return v;
  };
  switch (sub) {
    case 'put': {
      const value = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
      if (value === '') throw new UsageError('pipe the secret value on stdin: tessera secrets put NAME < file');
      const rotateBy = ctx.flags['rotate-by'];
      const r = await ctx.api('PUT', path(need(name)), {
        value,
        ...(typeof rotateBy === 'string' && { rotateBy: new Date(rotateBy).toISOString() }),
      });
      ctx.out(`Stored ${r.name} version ${r.version}.`, r);
      return 0;
    }
    case 'get': {
      const version = ctx.flags.version;
      const r = await ctx.api('GET', path(need(name)) + (typeof version === 'string' ? `?version=${encodeURIComponent(version)}` : ''));
      if (ctx.flags.json) ctx.out('', r);
      else process.stdout.write(r.value + (process.stdout.isTTY ? '\n' : ''));
      return 0;
    }
    case 'list': {
      const r = await ctx.api('GET', `/v1/secrets${ctx.flags.due ? '?rotation=due' : ''}`);
      const rows = (r.items as { name: string; version: number; rotateBy: string | null; rotation: string }[]).map(
        (s) => `${s.name}  v${s.version}  ${s.rotation}${s.rotateBy ? ` (rotate by ${s.rotateBy})` : ''}`,
      );
      ctx.out(rows.length === 0 ? '(none)' : rows.join('\n'), r.items);
      return 0;
    }
    case 'rm': {
      await ctx.api('DELETE', path(need(name)));
      ctx.out(`Deleted ${name} and destroyed its versions.`, { name, deleted: true });
      return 0;
    }
    case 'rotation':
      return secretRotationCommand(ctx);
    default:
      throw new UsageError('usage: tessera secrets put|get|list|rm|rotation');
  }
}
