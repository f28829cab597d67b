import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BACKUP_HELP, BACKUP_OPTIONS } from './backup/backup-help.js';
import { loadConfig } from './config.js';
import { USERS_HELP, USERS_OPTIONS } from './console/users-help.js';
import type { CommandContext } from './custody-commands.js';
import { CUSTODY_HELP, CUSTODY_OPTIONS } from './custody-help.js';
import { OAUTH_HELP, oauthCommand } from './oauth/oauth-cli.js';
import { readSetting } from './read-setting.js';
import { VERSION } from './version.js';

// Each command loads what it needs when it runs: `tessera --version` or a client command does not
// load the server, the store or the keyring (over a second of start-up otherwise).
const instance = () => import('./instance.js');
const custody = () => import('./custody-commands.js');

const HELP = `tessera — API keys, tokens and their audit trail

Usage: tessera <command> [options]
       tessera --version

Commands:
  init [--data-dir DIR] [--json]        create the data dir, keyring and database; print the first root key
                                        (with --json or on a terminal; otherwise it goes to DIR/initial-root-key)
  serve [--port N] [--host H] [--data-dir DIR] [--insecure-http]
                                        run the server (initialises on first start)
  migrate [--data-dir DIR] [--dry-run]  apply database migrations (--dry-run: list the pending ones, apply nothing)
  keyspaces create --name N --prefix P  create a keyspace
  keyspaces list
  keys create --keyspace ID [--owner ID] [--name N] [--scopes a,b] [--ttl SECONDS]
  keys list --keyspace ID [--owner ID] [--limit N]
  keys get KEY_ID
  keys roll KEY_ID --grace SECONDS
  keys revoke KEY_ID [--reason TEXT]
  verify [--scopes EXPR]                verify a key read from stdin (kept out of shell history)
${OAUTH_HELP}
  audit verify [--offline]              check the audit chain and its signed checkpoints (--offline reads the store directly)
  scan [PATHS…] [--files-only] [--revoke]
                                        find Tessera keys in files and git history (masked); --revoke revokes them
${CUSTODY_HELP}
${USERS_HELP}
${BACKUP_HELP}

Client commands talk to a running server: --url (TESSERA_URL, default http://127.0.0.1:8080) with a
root key in TESSERA_ROOT_KEY, or in the file TESSERA_ROOT_KEY_FILE names (or --root-key, which other
users can see in the process list).
Add --json for machine-readable output.

Exit codes: 0 success; 1 failed (or, for verify, the key is not valid); 2 usage error; 3 server unreachable.`;

class UsageError extends Error {}
class Unreachable extends Error {}

const OPTIONS = {
  'data-dir': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'insecure-http': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  url: { type: 'string' },
  'root-key': { type: 'string' },
  keyspace: { type: 'string' },
  owner: { type: 'string' },
  name: { type: 'string' },
  prefix: { type: 'string' },
  scopes: { type: 'string' },
  ttl: { type: 'string' },
  limit: { type: 'string' },
  grace: { type: 'string' },
  reason: { type: 'string' },
  offline: { type: 'boolean' },
  revoke: { type: 'boolean' },
  'files-only': { type: 'boolean' },
  ...CUSTODY_OPTIONS,
  ...USERS_OPTIONS,
  ...BACKUP_OPTIONS,
  help: { type: 'boolean', short: 'h' },
  'client-id': { type: 'string' },
  'grant-types': { type: 'string' },
  'auth-method': { type: 'string' },
  audience: { type: 'string' },
  alg: { type: 'string' },
} satisfies ParseArgsConfig['options'];

type Flags = ReturnType<typeof parse>['values'];
const parse = (argv: string[]) => parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });

export async function main(argv: string[]): Promise<number> {
  // `--version` before any command is the global flag; after one (`secrets get NAME --version N`) it is that command's.
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`tessera ${VERSION}\n`);
    return 0;
  }
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (err) {
    process.stderr.write(`tessera: ${(err as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  const [command, sub, ...rest] = args.positionals;
  const flags = args.values;
  if (flags.help || command === undefined || command === 'help') {
    process.stdout.write(HELP + '\n');
    return command === undefined && !flags.help ? 2 : 0;
  }
  try {
    return await run(command, sub, rest, flags);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`tessera: ${err.message}\n(see tessera --help)\n`);
      return 2;
    }
    process.stderr.write(`tessera: ${(err as Error).message}\n`);
    return err instanceof Unreachable ? 3 : 1;
  }
}

function configFrom(flags: Flags) {
  return loadConfig(process.env, {
    dataDir: flags['data-dir'],
    port: flags.port === undefined ? undefined : intFlag('port', flags.port),
    host: flags.host,
    insecureHttp: flags['insecure-http'],
  });
}

async function run(command: string, sub: string | undefined, rest: string[], flags: Flags): Promise<number> {
  const out = (human: string, json: unknown) => process.stdout.write((flags.json ? JSON.stringify(json) : human) + '\n');
  switch (command) {
    case 'init': {
      const config = configFrom(flags);
      const { deliverFirstRootKey, firstRootKeyNotice } = await import('./first-root-key.js');
      const { rootKey, rootKeyId } = await (await instance()).initInstance(config);
      // --json is for scripts, which read the key from the pipe; a person at a terminal reads it there.
      if (flags.json || process.stdout.isTTY) {
        out(`Tessera is initialised.\nRoot key (${rootKeyId}), shown once — keep it safe:\n\n  ${rootKey}\n`, { rootKey, rootKeyId });
      } else {
        const file = deliverFirstRootKey(config, rootKey, { interactive: false, print: () => {} })!;
        process.stdout.write(firstRootKeyNotice(file) + '\n');
      }
      return 0;
    }
    case 'serve':
      await (await import('./serve.js')).serve(configFrom(flags));
      return -1; // keep running
    case 'migrate': {
      const { isInitialised, migrationReport, openInstance, openStore } = await instance();
      if (flags['dry-run']) {
        const config = configFrom(flags);
        if (!isInitialised(config)) throw new Error(`Tessera is not initialised in ${config.dataDir} (no keyring there).`);
        const store = openStore(config);
        const pending = await store.pendingMigrations().finally(() => store.close());
        out(pending.length === 0 ? migrationReport([]) : `Pending migrations (${pending.length}): ${pending.join(', ')}.`, { pending });
        return 0;
      }
      const { store, keyring, migrations } = await openInstance(configFrom(flags));
      await store.close();
      await keyring.close();
      out(migrationReport(migrations), { ok: true, applied: migrations });
      return 0;
    }
    case 'audit':
      return (await custody()).auditCommand(sub, commandContext(flags, rest, out));
    case 'keyring':
      return (await custody()).keyringCommand(sub, commandContext(flags, rest, out));
    case 'secrets':
      return (await custody()).secretsCommand(sub, commandContext(flags, rest, out));
    case 'users':
      return (await import('./console/users-command.js')).usersCommand(sub, commandContext(flags, rest, out));
    case 'backup':
      return (await import('./backup/backup-command.js')).backupCommand(sub, commandContext(flags, rest, out));
    case 'restore':
      return (await import('./backup/backup-command.js')).restoreCommand(sub, commandContext(flags, rest, out));
    case 'keyspaces': {
      if (sub === 'create') {
        const ks = await api(flags, 'POST', '/v1/keyspaces', { name: need(flags.name, '--name'), prefix: need(flags.prefix, '--prefix') });
        out(`Created keyspace ${ks.id} (prefix ${ks.prefix}).`, ks);
        return 0;
      }
      if (sub === 'list') {
        const { items } = await api(flags, 'GET', '/v1/keyspaces');
        out(table(items, ['id', 'name', 'prefix', 'createdAt']), items);
        return 0;
      }
      throw new UsageError('usage: tessera keyspaces create|list');
    }
    case 'keys':
      return keysCommand(sub, rest, flags, out);
    case 'oauth':
      return oauthCommand(sub, rest, flags, {
        api: (method, path, body) => api(flags, method, path, body),
        out,
        need,
        intFlag,
        table,
        usage: (m) => new UsageError(m),
        baseUrl: (flags.url ?? process.env.TESSERA_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, ''),
      });
    case 'scan':
      return (await import('./scan/scan-command.js')).scanCommand({
        paths: [sub, ...rest].filter((p): p is string => p !== undefined),
        filesOnly: flags['files-only'] ?? false,
        revoke: flags.revoke
          ? (keys) => api(flags, 'POST', '/v1/keys/leaked', { keys, source: 'tessera scan', action: 'revoke' })
          : undefined,
        json: flags.json ?? false,
        write: (line) => process.stdout.write(line + '\n'),
      });
    case 'verify': {
      const key = (rest.length > 0 || sub !== undefined ? (sub ?? '') : readFileSync(0, 'utf8')).trim();
      if (sub !== undefined)
        process.stderr.write('tessera: warning: a key given as an argument stays in your shell history; pipe it on stdin instead.\n');
      const r = await api(flags, 'POST', '/v1/keys/verify', { key, ...(flags.scopes && { scopes: flags.scopes }) });
      out(r.valid ? `VALID — key ${r.keyId}${r.ownerId ? ` of ${r.ownerId}` : ''}` : `${r.code}${r.keyId ? ` — key ${r.keyId}` : ''}`, r);
      return r.valid ? 0 : 1;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function keysCommand(sub: string | undefined, rest: string[], flags: Flags, out: (h: string, j: unknown) => void): Promise<number> {
  const id = rest[0];
  switch (sub) {
    case 'create': {
      const body: Record<string, unknown> = { keyspaceId: need(flags.keyspace, '--keyspace') };
      if (flags.owner) body.ownerId = flags.owner;
      if (flags.name) body.name = flags.name;
      if (flags.scopes)
        body.scopes = flags.scopes
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
      if (flags.ttl) body.ttlSeconds = intFlag('ttl', flags.ttl);
      const r = await api(flags, 'POST', '/v1/keys', body);
      out(`Created key ${r.keyId}. The key is shown once, now:\n\n  ${r.key}\n`, r);
      return 0;
    }
    case 'list': {
      const q = new URLSearchParams({ keyspaceId: need(flags.keyspace, '--keyspace') });
      if (flags.owner) q.set('ownerId', flags.owner);
      if (flags.limit) q.set('limit', String(intFlag('limit', flags.limit)));
      const r = await api(flags, 'GET', `/v1/keys?${q}`);
      out(table(r.items, ['keyId', 'start', 'ownerId', 'name', 'enabled', 'expiresAt', 'revokedAt']), r);
      return 0;
    }
    case 'get': {
      const r = await api(flags, 'GET', `/v1/keys/${encodeURIComponent(need(id, 'KEY_ID'))}`);
      out(JSON.stringify(r, null, 2), r);
      return 0;
    }
    case 'roll': {
      const r = await api(flags, 'POST', `/v1/keys/${encodeURIComponent(need(id, 'KEY_ID'))}/roll`, {
        gracePeriodSeconds: intFlag('grace', need(flags.grace, '--grace')),
      });
      out(`Rolled: the new key ${r.keyId} is shown once, now:\n\n  ${r.key}\n\nThe old key keeps working for ${flags.grace} seconds.`, r);
      return 0;
    }
    case 'revoke': {
      const r = await api(
        flags,
        'POST',
        `/v1/keys/${encodeURIComponent(need(id, 'KEY_ID'))}/revoke`,
        flags.reason ? { reason: flags.reason } : {},
      );
      out(`Revoked key ${r.keyId} at ${r.revokedAt}.`, r);
      return 0;
    }
    default:
      throw new UsageError('usage: tessera keys create|list|get|roll|revoke');
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CLI output is printed, not typed
async function api(flags: Flags, method: string, path: string, body?: unknown): Promise<any> {
  const base = (flags.url ?? process.env.TESSERA_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
  const rootKey = flags['root-key'] ?? readSetting(process.env, 'TESSERA_ROOT_KEY');
  if (!rootKey) throw new UsageError('set TESSERA_ROOT_KEY to a root key (printed by tessera init)');
  let res: Response;
  try {
    res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${rootKey}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
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

function commandContext(flags: Flags, rest: string[], out: (h: string, j: unknown) => void): CommandContext {
  return {
    flags,
    rest,
    out,
    api: (method, path, body) => api(flags, method, path, body),
    config: () => configFrom(flags),
    usage: (m) => new UsageError(m),
  };
}

function need<T>(value: T | undefined, name: string): T {
  if (value === undefined || value === '') throw new UsageError(`${name} is required`);
  return value;
}

function intFlag(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number`);
  return Number(value);
}

function table(rows: Record<string, unknown>[], cols: string[]): string {
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
