import { readFileSync } from 'node:fs';
import { listed, need, UsageError, type CommandContext } from './context.js';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * `tessera api METHOD PATH [--data JSON|@FILE|-] [--all]`: any endpoint of the API with the root key,
 * for what no command covers. The answer is printed as JSON; --all gathers every page of a list.
 */
export async function apiCommand(method: string | undefined, ctx: CommandContext): Promise<number> {
  const verb = need(method, 'METHOD').toUpperCase();
  if (!METHODS.has(verb)) throw new UsageError(`METHOD must be one of ${[...METHODS].join(', ')}`);
  const path = need(ctx.rest[0], 'PATH');
  if (!path.startsWith('/')) throw new UsageError('PATH starts with / (such as /v1/keyspaces)');
  if (ctx.flags.all && verb !== 'GET') throw new UsageError('--all pages through a GET list only');
  const body = ctx.flags.data === undefined ? undefined : parseData(ctx.flags.data);
  const r = ctx.flags.all ? await listed(ctx, path) : await ctx.api(verb, path, body);
  process.stdout.write((typeof r === 'string' ? r : JSON.stringify(r, null, ctx.flags.json ? undefined : 2)) + '\n');
  return 0;
}

/** The request body: JSON itself, `@file` for a file's JSON, `-` for JSON on stdin. */
function parseData(data: string): unknown {
  const text = data === '-' ? readFileSync(0, 'utf8') : data.startsWith('@') ? readText(data.slice(1)) : data;
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError('--data must be JSON (or @FILE holding JSON, or - for JSON on stdin)');
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
