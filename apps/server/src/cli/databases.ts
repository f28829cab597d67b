import { readFileSync } from 'node:fs';
import { intFlag, listed, need, table, UsageError, type CommandContext } from './context.js';

const USAGE = 'usage: tessera databases connect|connections|disconnect|role|roles|rm-role|creds|leases|lease|renew|revoke';

/** `tessera databases …`, over the API; passwords and statements come from stdin, out of shell history. */
export async function databasesCommand(sub: string | undefined, ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const arg = (what: string) => encodeURIComponent(need(ctx.rest[0], what));
  const seconds = (name: 'ttl' | 'default-ttl' | 'max-ttl' | 'increment') => (f[name] === undefined ? undefined : intFlag(name, f[name]));
  /** A list, as a table of these columns. */
  const shown = async (path: string, columns: string[]) => {
    const r = await ctx.api('GET', path);
    ctx.out(table(r.items, columns), r.items);
    return 0;
  };
  /** Deletes what `path` names: the one named first on the command line. */
  const deleted = async (what: string, path: string) => {
    await ctx.api('DELETE', path);
    ctx.out(`Deleted the ${what} ${ctx.rest[0]}.`, { name: ctx.rest[0], deleted: true });
    return 0;
  };
  switch (sub) {
    case 'connect': {
      const password = stdin('pipe the admin password on stdin: tessera databases connect NAME … < password-file');
      const body = {
        host: need(f.host, '--host'),
        ...(f.port !== undefined && { port: intFlag('port', f.port) }),
        database: need(f.database, '--database'),
        username: need(f.username, '--username'),
        ...(f['tls-mode'] !== undefined && { tlsMode: f['tls-mode'] }),
        password,
      };
      const r = await ctx.api('PUT', `/v1/databases/connections/${arg('NAME')}`, body);
      ctx.out(`Connected ${r.name}: ${r.username}@${r.host}:${r.port}/${r.database} (${r.tlsMode}).`, r);
      return 0;
    }
    case 'connections':
      return shown('/v1/databases/connections', ['name', 'host', 'port', 'database', 'username', 'tlsMode']);
    case 'disconnect':
      return deleted('connection', `/v1/databases/connections/${arg('NAME')}`);
    case 'role': {
      const body = {
        connection: need(f.connection, '--connection'),
        creationStatements: stdin('pipe the creation statements on stdin: tessera databases role NAME --connection C < create.sql'),
        ...(f['revocation-file'] !== undefined && { revocationStatements: readFileSync(f['revocation-file'], 'utf8') }),
        ...(f['renew-file'] !== undefined && { renewStatements: readFileSync(f['renew-file'], 'utf8') }),
        ...(f['default-ttl'] !== undefined && { defaultTtlSeconds: seconds('default-ttl') }),
        ...(f['max-ttl'] !== undefined && { maxTtlSeconds: seconds('max-ttl') }),
      };
      const r = await ctx.api('PUT', `/v1/databases/roles/${arg('NAME')}`, body);
      ctx.out(`Wrote the role ${r.name} on ${r.connection} (TTL ${r.defaultTtlSeconds} s, at most ${r.maxTtlSeconds} s).`, r);
      return 0;
    }
    case 'roles':
      return shown('/v1/databases/roles', ['name', 'connection', 'defaultTtlSeconds', 'maxTtlSeconds']);
    case 'rm-role':
      return deleted('role', `/v1/databases/roles/${arg('NAME')}`);
    case 'creds': {
      const ttl = seconds('ttl');
      const r = await ctx.api('POST', `/v1/databases/roles/${arg('ROLE')}/credentials`, ttl === undefined ? {} : { ttlSeconds: ttl });
      ctx.out(
        [
          `username  ${r.username}`,
          `password  ${r.password}`,
          `lease     ${r.lease.leaseId} (expires ${r.lease.expiresAt})`,
          `(shown this once; connect to ${r.host}:${r.port}/${r.database})`,
        ].join('\n'),
        r,
      );
      return 0;
    }
    case 'leases': {
      const query = new URLSearchParams();
      if (f.role !== undefined) query.set('role', f.role);
      if (f.state !== undefined) query.set('state', f.state);
      if (f.limit !== undefined) query.set('limit', String(intFlag('limit', f.limit)));
      const r = await listed(ctx, `/v1/databases/leases${query.size > 0 ? `?${query}` : ''}`);
      ctx.out(table(r.items, ['leaseId', 'role', 'login', 'issuedTo', 'state', 'expiresAt', 'attempts', 'lastError']), r.items);
      return 0;
    }
    case 'lease': {
      const r = await ctx.api('GET', `/v1/databases/leases/${arg('LEASE_ID')}`);
      ctx.out(
        table([r], ['leaseId', 'role', 'login', 'issuedTo', 'issuedAt', 'state', 'expiresAt', 'maxExpiresAt', 'attempts', 'lastError']),
        r,
      );
      return 0;
    }
    case 'renew': {
      const increment = seconds('increment');
      const r = await ctx.api(
        'POST',
        `/v1/databases/leases/${arg('LEASE_ID')}/renew`,
        increment === undefined ? {} : { incrementSeconds: increment },
      );
      ctx.out(`Renewed ${r.leaseId} until ${r.expiresAt}${r.expiresAt === r.maxExpiresAt ? ' (its maximum)' : ''}.`, r);
      return 0;
    }
    case 'revoke': {
      const r = await ctx.api('POST', `/v1/databases/leases/${arg('LEASE_ID')}/revoke`);
      ctx.out(
        r.state === 'revoked'
          ? `Revoked ${r.leaseId}: ${r.login} is dropped and its sessions ended.`
          : `Revoking ${r.leaseId}: the attempt failed (${r.lastError}); it is retried until it succeeds.`,
        r,
      );
      return r.state === 'revoked' ? 0 : 1;
    }
    default:
      throw new UsageError(USAGE);
  }
}

function stdin(hint: string): string {
  const text = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  if (text === '') throw new UsageError(hint);
  return text;
}
