import { renderStatements, TargetError, type DatabaseTarget, type TargetConnection } from '@tessera/core';
import pg from 'pg';
import { scramVerifier } from './scram-verifier.js';

export interface PostgresTargetOptions {
  /** How long logging in may take (ms). */
  connectTimeoutMs: number;
  /** How long one statement may run on the target (ms). */
  statementTimeoutMs: number;
}

const DEFAULTS: PostgresTargetOptions = { connectTimeoutMs: 10_000, statementTimeoutMs: 30_000 };

/** PostgreSQL's quoting: identifiers in double quotes, literals in single ones, each doubled inside. */
export const pgQuote = {
  ident: (v: string) => `"${v.replace(/"/g, '""')}"`,
  literal: (v: string) => `'${v.replace(/'/g, "''")}'`,
};

/**
 * Dynamic credentials on PostgreSQL: logs in as the connection's admin for each operation (no
 * pool: the admin password is decrypted per call and dropped after) and runs a role's statements
 * with the login's values quoted in. The admin needs CREATEROLE and `pg_signal_backend` (to end
 * the sessions of a revoked login).
 */
export class PostgresTarget implements DatabaseTarget {
  constructor(private readonly o: PostgresTargetOptions = DEFAULTS) {}

  async verify(c: TargetConnection): Promise<void> {
    await this.session(c, [], async (client) => {
      await client.query('select 1');
    });
  }

  async createLogin(c: TargetConnection, statements: string, login: { name: string; password: string; expiresAt: number }): Promise<void> {
    const sql = renderStatements(statements, { name: login.name, password: login.password, expiration: iso(login.expiresAt) }, pgQuote);
    await this.session(c, [login.password], (client) => inTransaction(client, sql));
  }

  async renewLogin(c: TargetConnection, statements: string, login: { name: string; expiresAt: number }): Promise<void> {
    const sql = renderStatements(statements, { name: login.name, expiration: iso(login.expiresAt) }, pgQuote);
    await this.session(c, [], (client) => inTransaction(client, sql));
  }

  async revokeLogin(c: TargetConnection, statements: string, login: { name: string }): Promise<void> {
    await this.session(c, [], async (client) => {
      const exists = (await client.query('select 1 from pg_roles where rolname = $1', [login.name])).rowCount === 1;
      if (exists) await client.query(`alter role ${pgQuote.ident(login.name)} nologin`); // no new session from here on
      // Ends every session of the login, waiting up to 5 s for each to go.
      await client.query('select pg_terminate_backend(pid, 5000) from pg_stat_activity where usename = $1 and pid <> pg_backend_pid()', [
        login.name,
      ]);
      if (exists) await inTransaction(client, renderStatements(statements, { name: login.name }, pgQuote));
    });
  }

  async setPassword(c: TargetConnection, login: { name: string; password: string }): Promise<void> {
    // The SCRAM verifier, not the password, goes over the wire and into any statement log.
    const verifier = scramVerifier(login.password);
    await this.session(c, [login.password], async (client) => {
      await client.query(`alter role ${pgQuote.ident(login.name)} with password ${pgQuote.literal(verifier)}`);
    });
  }

  /** One admin session: logs in, runs `work`, logs out; failures become a {@link TargetError} without secrets. */
  private async session(c: TargetConnection, secrets: string[], work: (client: pg.Client) => Promise<void>): Promise<void> {
    const client = new pg.Client({
      host: c.host,
      port: c.port,
      database: c.database,
      user: c.username,
      password: c.password,
      ssl: c.tlsMode === 'disable' ? false : { rejectUnauthorized: c.tlsMode === 'verify-full' },
      connectionTimeoutMillis: this.o.connectTimeoutMs,
      statement_timeout: this.o.statementTimeoutMs,
      application_name: 'tessera',
    });
    client.on('error', () => {}); // a lost connection surfaces as the failed query
    try {
      await client.connect();
      await work(client);
    } catch (err) {
      throw targetError(err, [c.password, ...secrets]);
    } finally {
      await client.end().catch(() => {});
    }
  }
}

/**
 * Runs statements in one transaction, holding a transaction-scoped advisory lock that every
 * Tessera node takes on the target: PostgreSQL fails concurrent GRANT and REVOKE on the same
 * object (two logins granted one table at once) with "tuple concurrently updated", so the role
 * changes of all nodes run one at a time.
 */
async function inTransaction(client: pg.Client, sql: string): Promise<void> {
  await client.query('begin');
  try {
    await client.query("select pg_advisory_xact_lock(hashtext('tessera: dynamic database credentials'))");
    await client.query(sql);
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Messages by the driver's codes, for failures before PostgreSQL itself answers. */
const NETWORK: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
};

/**
 * The failure as a message safe to show: PostgreSQL's own (SQLSTATE and text, which can quote a
 * statement near a syntax error) with every secret of the call cut out, or the network's class.
 */
function targetError(err: unknown, secrets: string[]): TargetError {
  const e = err as { code?: string; message?: string };
  let message: string;
  if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) message = `${e.message ?? 'error'} (SQLSTATE ${e.code})`;
  else if (typeof e.code === 'string' && NETWORK[e.code] !== undefined) message = NETWORK[e.code]!;
  else if (/timeout/i.test(e.message ?? '')) message = 'connection timed out';
  else if (/SSL|TLS|certificate/i.test(e.message ?? '')) message = `TLS failed: ${e.message ?? ''}`;
  else message = 'connection failed';
  for (const s of secrets) if (s.length > 0) message = message.split(s).join('[redacted]');
  return new TargetError(message.slice(0, 300));
}
