import type { KeyRecord, Store, UsageUpdate } from '@tessera/core';
import SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteAdapter, SqliteDialect, sql, type DialectAdapter, type Driver, type KyselyConfig } from 'kysely';
import pg from 'pg';
import { KyselyIdempotencyRepos, type IdempotencyTables } from './idempotency/kysely-idempotency-repos.js';
import { applyUsageBatch } from './keys/kysely-usage-batch.js';
import { preparedKeyLookup } from './keys/pg-key-lookup.js';
import { KyselyRepos } from './kysely-repos.js';
import { migrateToLatest, pendingMigrations } from './migrate.js';
import { OwnSchemaPostgresDialect } from './own-schema-dialect.js';
import { retryingTransaction } from './retry-transaction.js';
import { keepStatements } from './sqlite-statements.js';
import type { Database } from './schema.js';

export type StoreConfig = (
  { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema?: string | undefined; poolSize?: number | undefined }
) & {
  /** Told of each statement run through Kysely, after it ends: its SQL with placeholders (never the values), time and error. */
  onQuery?: ((event: { sql: string; durationMs: number; error?: unknown }) => void) | undefined;
};

/** Kysely's log hook, reporting each statement to `onQuery`. */
function queryLog(onQuery: StoreConfig['onQuery']): KyselyConfig['log'] {
  if (onQuery === undefined) return undefined;
  return (event) =>
    onQuery({
      sql: event.query.sql,
      durationMs: event.queryDurationMillis,
      ...(event.level === 'error' && { error: event.error }),
    });
}

/** The Kysely store, for SQLite (embedded) and PostgreSQL. */
export class KyselyStore extends KyselyRepos implements Store {
  readonly dialect: 'sqlite' | 'postgres';
  /** Idempotency records (migration 0013), outside any request's transaction. */
  readonly idempotency: KyselyIdempotencyRepos;

  private constructor(
    readonly kysely: Kysely<Database>,
    dialect: 'sqlite' | 'postgres',
    /** The SQLite handle under Kysely, for the few bulk writes that run better as a prepared statement. */
    readonly sqlite?: SqliteDatabase.Database,
    /** PostgreSQL: the verify path's key lookup as a prepared statement (see preparedKeyLookup). */
    private readonly keyByHash?: (hash: string) => Promise<KeyRecord | undefined>,
  ) {
    super(kysely, dialect, false);
    this.dialect = dialect;
    this.idempotency = new KyselyIdempotencyRepos(kysely as unknown as Kysely<IdempotencyTables>);
  }

  static open(config: StoreConfig): KyselyStore {
    if (config.kind === 'sqlite') {
      const database = new SqliteDatabase(config.file);
      database.pragma('journal_mode = WAL');
      // FULL: a commit is on disk before it is acknowledged, so kill -9 or power loss loses nothing acknowledged.
      database.pragma('synchronous = FULL');
      database.pragma('busy_timeout = 5000');
      database.pragma('foreign_keys = ON');
      return new KyselyStore(
        new Kysely<Database>({
          dialect: new ImmediateSqliteDialect({ database: keepStatements(database) }),
          log: queryLog(config.onQuery),
        }),
        'sqlite',
        database,
      );
    }
    const int8 = 20;
    const pool = new pg.Pool({
      connectionString: config.url,
      max: config.poolSize ?? 10,
      connectionTimeoutMillis: 5000,
      ...(config.schema !== undefined && { options: `-c search_path=${quoteIdent(config.schema)}` }),
      types: {
        // Epoch milliseconds and counters fit a double exactly; read them as numbers.
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === int8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client losing its connection must not crash the process; the next query reports it.
    pool.on('error', () => {});
    // Nor may a checked-out client that loses it between two queries (the pool listens only to idle ones).
    pool.on('connect', (client) => client.on('error', () => {}));
    return new KyselyStore(
      new Kysely<Database>({ dialect: new OwnSchemaPostgresDialect({ pool }), log: queryLog(config.onQuery) }),
      'postgres',
      undefined,
      preparedKeyLookup(pool, config.onQuery),
    );
  }

  /** A key by its hash: on PostgreSQL through the prepared lookup (a transaction's repos read through Kysely). */
  override findKeyByHash(hash: string): Promise<KeyRecord | undefined> {
    return this.keyByHash === undefined ? super.findKeyByHash(hash) : this.keyByHash(hash);
  }

  /** Applies every pending migration; returns the names applied. */
  async migrate(): Promise<string[]> {
    return migrateToLatest(this.kysely, await this.migrationSchema());
  }

  /** The migrations `migrate()` would apply, without applying them. */
  async pendingMigrations(): Promise<string[]> {
    return pendingMigrations(this.kysely, await this.migrationSchema());
  }

  private async migrationSchema(): Promise<string | undefined> {
    if (this.dialect === 'sqlite') return undefined;
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(this.kysely);
    return rows[0]!.schema;
  }

  transaction<T>(fn: (tx: KyselyRepos) => Promise<T>): Promise<T> {
    return retryingTransaction(this.kysely, (trx) => fn(new KyselyRepos(trx, this.dialect, true)));
  }

  applyUsage(updates: readonly UsageUpdate[]): Promise<void> {
    return applyUsageBatch(this.kysely, this.dialect, updates);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.kysely);
  }

  async close(): Promise<void> {
    await this.kysely.destroy();
  }
}

/**
 * SQLite transactions begin IMMEDIATE: they take the write lock first, waiting for it up to
 * busy_timeout. A deferred transaction that reads and then writes is refused at once (SQLITE_BUSY,
 * no wait) whenever another process holds the write lock — `tessera keyring rotate`, `tessera
 * backup` recording itself in the audit log — and the server answered 503 for it.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  /**
   * SQLite's DDL is transactional: migrations run in one transaction, as on PostgreSQL, so a
   * crash or a failed step leaves the database as it was, never half migrated (and the whole
   * migration is one commit, one sync to disk, instead of one per statement).
   */
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid schema name: ${name}`);
  return name;
}
