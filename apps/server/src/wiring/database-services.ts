import {
  DatabaseAdmin,
  DatabaseLeases,
  LeaseRevoker,
  REVOKER_DEFAULTS,
  type Clock,
  type DatabaseTarget,
  type Keyring,
  type RevocationFailure,
  type RevokerOptions,
  type Store,
} from '@tessera/core';
import { PostgresTarget } from '../adapters/database-target/postgres-target.js';

export interface DatabaseServiceOptions {
  /** The target engine (default: PostgreSQL). */
  target?: DatabaseTarget;
  /** The revoker's interval, claim and backoff (defaults in core's lease-revoker.ts). */
  revoker?: Partial<RevokerOptions>;
  /** A revocation attempt failed: for the server log (the lease shows the same message). */
  onRevocationFailure?: (failure: RevocationFailure) => void;
}

/** Dynamic database credentials: connections and roles, leases, and the revoker that ends them. */
export function createDatabaseServices(
  deps: { store: Store; keyring: Keyring; clock: Clock; onError?: ((err: unknown) => void) | undefined },
  o: DatabaseServiceOptions = {},
) {
  const base = { store: deps.store, keyring: deps.keyring, clock: deps.clock, target: o.target ?? new PostgresTarget() };
  const revoker = new LeaseRevoker({ ...base, onFailure: o.onRevocationFailure }, { ...REVOKER_DEFAULTS, ...o.revoker }, deps.onError);
  return { admin: new DatabaseAdmin(base), leases: new DatabaseLeases(base, revoker), revoker };
}
