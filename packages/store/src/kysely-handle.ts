import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

/**
 * What the SQL adapter of each core port reads and writes through: a Kysely handle (the whole
 * database, or one transaction), its dialect, and whether it is a transaction.
 */
export class KyselyHandle {
  constructor(
    /** The whole database, or one transaction (a Transaction is a Kysely). */
    protected readonly db: Kysely<Database>,
    protected readonly dialectName: Dialect,
    protected readonly inTransaction: boolean,
  ) {}

  /**
   * Whether a row read in order to change it is locked until the commit: PostgreSQL inside a
   * transaction. A SQLite transaction holds the database's one write lock already.
   */
  protected get locksRows(): boolean {
    return this.inTransaction && this.dialectName === 'postgres';
  }
}

type Adapter<T> = new (db: Kysely<Database>, dialectName: Dialect, inTransaction: boolean) => T;
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/**
 * One class with the methods of every adapter given, over one handle: a transaction's repos
 * answer each port the way the adapters do. The adapters hold methods only (no fields, no
 * constructor of their own); their methods are copied, not wrapped, so a call costs what it would
 * on the adapter itself. Two adapters that define the same name are refused.
 */
export function composeRepos<P extends readonly Adapter<KyselyHandle>[]>(...adapters: P): Adapter<Intersection<InstanceType<P[number]>>> {
  return composeOnto(KyselyHandle, ...adapters) as Adapter<Intersection<InstanceType<P[number]>>>;
}

/** As `composeRepos`, on top of `base`'s own methods; an adapter may not define a name `base` has. */
export function composeOnto<B extends KyselyHandle, P extends readonly Adapter<KyselyHandle>[]>(
  base: Adapter<B>,
  ...adapters: P
): Adapter<B & Intersection<InstanceType<P[number]>>> {
  class Composed extends (base as Adapter<KyselyHandle>) {}
  const from = new Map<string, string>();
  for (const adapter of adapters) {
    for (const name of Object.getOwnPropertyNames(adapter.prototype)) {
      if (name === 'constructor') continue;
      if (name in base.prototype) throw new Error(`${adapter.name} and ${base.name} both define ${name}`);
      if (from.has(name)) throw new Error(`${adapter.name} and ${from.get(name)} both define ${name}`);
      from.set(name, adapter.name);
      Object.defineProperty(Composed.prototype, name, Object.getOwnPropertyDescriptor(adapter.prototype, name)!);
    }
  }
  return Composed as unknown as Adapter<B & Intersection<InstanceType<P[number]>>>;
}
