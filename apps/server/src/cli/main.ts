import { VERSION } from '../version.js';
import { AUDIT_HELP } from './audit-help.js';
import { BACKUP_HELP } from './backup-help.js';
import { commandContext, parse, Unreachable, UsageError, type Command } from './context.js';
import { DATABASES_HELP } from './databases-help.js';
import { END_USERS_HELP } from './end-users-help.js';
import { BRANDING_HELP } from './branding-help.js';
import { KEYRING_HELP } from './key-custody-help.js';
import { OAUTH_HELP } from './oauth-help.js';
import { PORTAL_HELP } from './portal-help.js';
import { SECRETS_HELP } from './secrets-help.js';
import { USERS_HELP } from './users-help.js';
import { ROTATION_HELP } from './rotation-help.js';
import { DETECTION_HELP } from './detection-help.js';
import { ADMIN_HELP } from './admin-help.js';
import { WORKSPACES_HELP } from './workspaces-help.js';

const HELP = `tessera — API keys, tokens and their audit trail

Usage: tessera <command> [options]
       tessera <command> --help          that command's lines only
       tessera --version

Commands:
  init [--data-dir DIR] [--json]        create the data dir, keyring and database; print the first root key
                                        (with --json or on a terminal; otherwise it goes to DIR/initial-root-key)
  serve [--port N] [--host H] [--data-dir DIR] [--insecure-http]
                                        run the server (initialises on first start)
  migrate [--data-dir DIR] [--dry-run]  apply database migrations (--dry-run: list the pending ones, apply nothing)
  keyspaces create --name N --prefix P  create a keyspace
  keyspaces list
${ROTATION_HELP}
${DETECTION_HELP}
  keys create --keyspace ID [--owner ID] [--name N] [--scopes a,b] [--ttl SECONDS]
  keys list --keyspace ID [--owner ID] [--limit N] [--all]
  keys get KEY_ID
  keys roll KEY_ID --grace SECONDS
  keys revoke KEY_ID [--reason TEXT]
  verify [--scopes EXPR]                verify a key read from stdin (kept out of shell history)
${PORTAL_HELP}
${OAUTH_HELP}
  scan [PATHS…] [--files-only] [--revoke]
                                        find Tessera keys in files and git history (masked); --revoke revokes them
${KEYRING_HELP}
${SECRETS_HELP}
${DATABASES_HELP}
${AUDIT_HELP}
${USERS_HELP}
${END_USERS_HELP}
${BRANDING_HELP}
${BACKUP_HELP}
${ADMIN_HELP}
${WORKSPACES_HELP}

Client commands talk to a running server: --url (TESSERA_URL, default http://127.0.0.1:8080) with a
root key in TESSERA_ROOT_KEY, or in the file TESSERA_ROOT_KEY_FILE names (or --root-key, which other
users can see in the process list); --workspace ID acts in another workspace the root key reaches.
Add --json for machine-readable output.

Exit codes: 0 success; 1 failed (or, for verify, the key is not valid); 2 usage error; 3 server unreachable.`;

// Each command is loaded when it runs: `tessera --version` or a client command does not load the
// server, the store or the keyring (over a second of start-up otherwise).
const COMMANDS: Record<string, () => Promise<Command>> = {
  init: async () => (await import('./init.js')).initCommand,
  serve: async () => (await import('./serve.js')).serveCommand,
  migrate: async () => (await import('./migrate.js')).migrateCommand,
  keyspaces: async () => (await import('./keyspaces.js')).keyspacesCommand,
  keys: async () => (await import('./keys.js')).keysCommand,
  verify: async () => (await import('./keys.js')).verifyCommand,
  oauth: async () => (await import('./oauth.js')).oauthCommand,
  portal: async () => (await import('./portal.js')).portalCommand,
  scan: async () => (await import('./scan.js')).scanCommand,
  keyring: async () => (await import('./key-custody.js')).keyringCommand,
  secrets: async () => (await import('./secrets.js')).secretsCommand,
  databases: async () => (await import('./databases.js')).databasesCommand,
  audit: async () => (await import('./audit.js')).auditCommand,
  users: async () => (await import('./users.js')).usersCommand,
  'end-users': async () => (await import('./end-users.js')).endUsersCommand,
  branding: async () => (await import('./branding.js')).brandingCommand,
  backup: async () => (await import('./backup.js')).backupCommand,
  'root-keys': async () => (await import('./root-keys.js')).rootKeysCommand,
  workspaces: async () => (await import('./workspaces.js')).workspacesCommand,
  webhooks: async () => (await import('./webhooks.js')).webhooksCommand,
  anomalies: async () => (await import('./monitoring.js')).anomaliesCommand,
  suspensions: async () => (await import('./monitoring.js')).suspensionsCommand,
  hygiene: async () => (await import('./monitoring.js')).hygieneCommand,
  analytics: async () => (await import('./monitoring.js')).analyticsCommand,
  api: async () => (await import('./api-command.js')).apiCommand,
  restore: async () => (await import('./backup.js')).restoreCommand,
};

/** Runs `tessera` with its arguments; answers the exit code (-1: keep running, the server is up). */
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
  const asked = command === 'help' ? sub : command;
  if (asked !== undefined && (flags.help || command === 'help')) {
    const lines = commandHelp(asked);
    if (lines === undefined) {
      process.stderr.write(`tessera: unknown command "${asked}"\n(see tessera --help)\n`);
      return 2;
    }
    process.stdout.write(`Usage:\n${lines}\n\nAdd --json for machine-readable output. All commands: tessera --help\n`);
    return 0;
  }
  if (flags.help || command === undefined || command === 'help') {
    process.stdout.write(HELP + '\n');
    return command === undefined && !flags.help ? 2 : 0;
  }
  try {
    const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (load === undefined) throw new UsageError(`unknown command "${command}"`);
    return await (
      await load()
    )(sub, commandContext(flags, rest));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`tessera: ${err.message}\n(see tessera --help)\n`);
      return 2;
    }
    process.stderr.write(`tessera: ${(err as Error).message}\n`);
    return err instanceof Unreachable ? 3 : 1;
  }
}

/** A command's own lines of the help (each with the lines that continue it), or undefined for no such command. */
function commandHelp(command: string): string | undefined {
  if (!Object.hasOwn(COMMANDS, command)) return undefined;
  const lines = HELP.slice(HELP.indexOf('Commands:\n') + 'Commands:\n'.length, HELP.indexOf('\n\nClient commands')).split('\n');
  const mine: string[] = [];
  let inside = false;
  for (const line of lines) {
    const starts = /^ {2}(\S+)/.exec(line);
    if (starts !== null) inside = starts[1] === command;
    if (inside) mine.push(line);
  }
  return mine.join('\n');
}
