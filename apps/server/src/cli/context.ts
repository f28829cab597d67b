import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Actor } from '@tessera/core';
import { loadConfig, type Config } from '../config.js';
import { readSetting } from '../read-setting.js';
import { AUDIT_OPTIONS } from './audit-help.js';
import { BACKUP_OPTIONS } from './backup-help.js';
import { DATABASES_OPTIONS } from './databases-help.js';
import { END_USERS_OPTIONS } from './end-users-help.js';
import { KEYRING_OPTIONS } from './key-custody-help.js';
import { OAUTH_OPTIONS } from './oauth-help.js';
import { PORTAL_OPTIONS } from './portal-help.js';
import { SECRETS_OPTIONS } from './secrets-help.js';
import { USERS_OPTIONS } from './users-help.js';
import { ADMIN_OPTIONS } from './admin-help.js';
import { WORKSPACES_OPTIONS } from './workspaces-help.js';
import { ROTATION_OPTIONS } from './rotation-help.js';
import { DETECTION_OPTIONS } from './detection-help.js';
import { flags } from './flag-help.js';

/** A command used wrongly: exit code 2, with a pointer to the help. */
export class UsageError extends Error {}
/** The server did not answer: exit code 3. */
export class Unreachable extends Error {}

/** Who the audit log names for a change a command makes on the instance itself. */
export const CLI_ACTOR: Actor = { id: 'system', workspaceId: null, ip: null };

/** Every flag of every command (node:util's parser refuses any other). */
const OPTIONS = {
  ...flags(
    ['data-dir', 'port', 'host', 'url', 'root-key', 'keyspace', 'owner', 'name', 'prefix', 'scopes', 'ttl', 'limit', 'grace', 'reason'],
    ['insecure-http', 'dry-run', 'json', 'revoke', 'files-only'],
  ),
  ...AUDIT_OPTIONS,
  ...KEYRING_OPTIONS,
  ...SECRETS_OPTIONS,
  ...DATABASES_OPTIONS,
  ...USERS_OPTIONS,
  ...END_USERS_OPTIONS,
  ...BACKUP_OPTIONS,
  ...OAUTH_OPTIONS,
  ...PORTAL_OPTIONS,
  ...ROTATION_OPTIONS,
  ...DETECTION_OPTIONS,
  ...ADMIN_OPTIONS,
  ...WORKSPACES_OPTIONS,
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

export const parse = (argv: string[]) => parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
export type Flags = ReturnType<typeof parse>['values'];

/** What every command is given: its flags and arguments, output, the API client and the configuration. */
export interface CommandContext {
  flags: Flags;
  /** The positional arguments after the subcommand. */
  rest: string[];
  /** Prints the human line, or the JSON value with --json. */
  out(human: string, json: unknown): void;
  /** Calls the running server with the root key; answers the parsed body, throws its problem. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- CLI output is printed, not typed
  api(method: string, path: string, body?: unknown): Promise<any>;
  /** The server's base URL (--url, TESSERA_URL). */
  baseUrl: string;
  /** The instance's configuration, from the environment and the flags. */
  config(): Config;
}

export type Command = (sub: string | undefined, ctx: CommandContext) => Promise<number>;

export function commandContext(flags: Flags, rest: string[]): CommandContext {
  const baseUrl = (flags.url ?? process.env.TESSERA_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
  return {
    flags,
    rest,
    out: (human, json) => process.stdout.write((flags.json ? JSON.stringify(json) : human) + '\n'),
    api: (method, path, body) => api(baseUrl, { rootKey: flags['root-key'], workspace: flags.workspace }, method, path, body),
    baseUrl,
    config: () =>
      loadConfig(process.env, {
        dataDir: flags['data-dir'],
        port: flags.port === undefined ? undefined : intFlag('port', flags.port),
        host: flags.host,
        insecureHttp: flags['insecure-http'],
      }),
  };
}

/** Who calls: the root key given by flag (else the environment's), and the workspace it acts in (`--workspace`). */
type Caller = { rootKey: string | undefined; workspace: string | undefined };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CLI output is printed, not typed
async function api(base: string, caller: Caller, method: string, path: string, body?: unknown): Promise<any> {
  const { workspace } = caller;
  const rootKey = caller.rootKey ?? readSetting(process.env, 'TESSERA_ROOT_KEY');
  if (!rootKey) throw new UsageError('set TESSERA_ROOT_KEY to a root key (printed by tessera init)');
  let res: Response;
  try {
    res = await fetch(base + path, {
      method,
      headers: {
        authorization: `Bearer ${rootKey}`,
        ...(workspace !== undefined && { 'tessera-workspace': workspace }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    throw new Unreachable(
      `cannot reach Tessera at ${base}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`,
    );
  }
  const text = await res.text();
  const data = text === '' ? {} : res.ok && res.headers.get('content-type')?.includes('ndjson') ? text : JSON.parse(text);
  if (!res.ok) throw new Error(`${data.code ?? res.status}: ${data.detail ?? res.statusText}`);
  return data;
}

/** The value of a required flag or argument; a usage error without it. */
export function need<T>(value: T | undefined, name: string): T {
  if (value === undefined || value === '') throw new UsageError(`${name} is required`);
  return value;
}

export function intFlag(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number`);
  return Number(value);
}

/** A comma-separated flag as a list (`a, b,` → ['a', 'b']). */
export function list(value: string | undefined): string[] | undefined {
  return value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * A list answer, and with --all every later page too: follows `nextCursor` until the last page and
 * answers one list of all the items (progress on stderr, so the output stays clean to pipe).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CLI output is printed, not typed
export async function listed(ctx: CommandContext, path: string): Promise<{ items: any[]; nextCursor?: string | null }> {
  const first = await ctx.api('GET', path);
  if (!ctx.flags.all) {
    if (typeof first.nextCursor === 'string') process.stderr.write('More on later pages: add --all for every item.\n');
    return first;
  }
  const items = [...first.items];
  const join = path.includes('?') ? '&' : '?';
  for (let cursor = first.nextCursor; typeof cursor === 'string';) {
    if (process.stderr.isTTY) process.stderr.write(`\r${items.length} so far…`);
    const page = await ctx.api('GET', `${path}${join}cursor=${encodeURIComponent(cursor)}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  }
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  return { items, nextCursor: null };
}

/**
 * One of a keyspace's settings (`policy`, `portal`), of the keyspace named first on the command
 * line: read, or changed with `method` when the patch has any field.
 */
export function keyspaceSettings(ctx: CommandContext, leaf: string) {
  const path = `/v1/keyspaces/${encodeURIComponent(need(ctx.rest[0], 'KEYSPACE_ID'))}/${leaf}`;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- CLI output is printed, not typed
  return async (method: 'PUT' | 'PATCH', patch: object): Promise<{ changing: boolean; settings: any }> => {
    const changing = Object.keys(patch).length > 0;
    return { changing, settings: changing ? await ctx.api(method, path, patch) : await ctx.api('GET', path) };
  };
}

/** A time flag: RFC 3339, or how long ago (`30m`, `24h`, `7d`) as RFC 3339. */
export function timeFlag(name: string, value: string | undefined, now = Date.now()): string | undefined {
  if (value === undefined) return undefined;
  const ago = /^(\d{1,6})([mhd])$/.exec(value);
  if (ago !== null)
    return new Date(now - Number(ago[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[ago[2] as 'm' | 'h' | 'd']).toISOString();
  if (Number.isNaN(Date.parse(value))) throw new UsageError(`--${name} must be an RFC 3339 time or how long ago (30m, 24h, 7d)`);
  return value;
}

/** A query string of the flags that are set. */
export function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== false) q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

/** Rows as aligned columns, `-` for an empty cell. */
export function table(rows: Record<string, unknown>[], cols: string[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((r) => cols.map((c) => (r[c] === null || r[c] === undefined ? '-' : String(r[c]))));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(cols), ...cells.map(line)].join('\n');
}
