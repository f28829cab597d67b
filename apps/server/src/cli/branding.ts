import { table, UsageError, type CommandContext } from './context.js';

const USAGE = "usage: tessera branding [get] | set [--name N] [--logo-url URL] [--brand-color #RRGGBB] ('' clears a field)";

/** `tessera branding …`, over the API: the brand of the workspace's hosted pages. */
export async function brandingCommand(sub: string | undefined, k: CommandContext): Promise<number> {
  const { flags } = k;
  switch (sub ?? 'get') {
    case 'get': {
      const b = await k.api('GET', '/v1/workspace/branding');
      k.out(table([b], ['name', 'logoUrl', 'color']), b);
      return 0;
    }
    case 'set': {
      const body: Record<string, string | null> = {};
      for (const [flag, field] of [
        ['name', 'name'],
        ['logo-url', 'logoUrl'],
        ['brand-color', 'color'],
      ] as const) {
        const value = flags[flag];
        if (typeof value === 'string') body[field] = value === '' ? null : value;
      }
      if (Object.keys(body).length === 0) throw new UsageError(USAGE);
      const b = await k.api('PATCH', '/v1/workspace/branding', body);
      k.out(table([b], ['name', 'logoUrl', 'color']), b);
      return 0;
    }
    default:
      throw new UsageError(USAGE);
  }
}
