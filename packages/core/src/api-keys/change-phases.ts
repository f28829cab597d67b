/**
 * Where a change to a key spends its time, phase by phase, for the revoke path's histogram
 * (`tessera_key_change_phase_seconds`). A revoke, an update, an enable or disable and a delete are
 * one write with their audit entry (on PostgreSQL one statement, no BEGIN or COMMIT): `write` until
 * the key is written (waiting for its row included), `audit` until the audit head moved (waiting
 * for the head included), both as the database saw them, and `commit` for the rest of that call (a
 * pool connection or SQLite's write lock, the round trip, the commit and its flush to disk). A roll
 * and a revoke by owner run a transaction: `begin` (a pool connection, SQLite's write lock), `retry`
 * (earlier attempts PostgreSQL rolled back for a deadlock or a serialization conflict), `write`,
 * `audit` (it holds the audit head until the commit) and `commit`. Then `publish`: the invalidation
 * on every node, which returns once each live peer has acknowledged it (see the bus).
 */
export type ChangePhase = 'begin' | 'retry' | 'write' | 'audit' | 'commit' | 'publish';
export type ChangeAction = 'update' | 'revoke' | 'delete' | 'roll' | 'revoke_by_owner';
/** Told how long one phase of one change took, in milliseconds. */
export type ChangeObserver = (action: ChangeAction, phase: ChangePhase, ms: number) => void;

/** A stopwatch with laps: each `lap` charges the time since the previous one to a phase. */
export class ChangeLaps {
  private last = performance.now();
  private readonly spent = new Map<ChangePhase, number>();
  private begun = false;

  /** The transaction's body starts (again, when it is retried). */
  begin(): void {
    this.lap(this.begun ? 'retry' : 'begin');
    this.begun = true;
  }

  lap(phase: ChangePhase): void {
    const now = performance.now();
    this.spent.set(phase, (this.spent.get(phase) ?? 0) + now - this.last);
    this.last = now;
  }

  /**
   * Charges the time since the previous lap to the parts a store reported (`write`, `audit`, in
   * milliseconds) and the rest to `rest`.
   */
  split(parts: Partial<Record<ChangePhase, number>>, rest: ChangePhase): void {
    const now = performance.now();
    let left = now - this.last;
    for (const [phase, ms] of Object.entries(parts) as [ChangePhase, number][]) {
      const charged = Math.min(Math.max(ms, 0), left);
      this.spent.set(phase, (this.spent.get(phase) ?? 0) + charged);
      left -= charged;
    }
    this.spent.set(rest, (this.spent.get(rest) ?? 0) + left);
    this.last = now;
  }

  report(action: ChangeAction, observe: ChangeObserver | undefined): void {
    if (observe !== undefined) for (const [phase, ms] of this.spent) observe(action, phase, ms);
  }
}
