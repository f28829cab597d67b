/**
 * Where a change to a key spends its time, phase by phase, for the revoke path's histogram
 * (`tessera_key_change_phase_seconds`): waiting for the transaction to begin (a pool connection,
 * SQLite's write lock), earlier attempts of a transaction PostgreSQL rolled back (a deadlock or a
 * serialization conflict, run again: `retry`), the writes, the audit append (it holds the audit head until the commit),
 * the commit, and the invalidation on every node (`publish`: it returns once each live peer has
 * acknowledged, see the bus).
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

  report(action: ChangeAction, observe: ChangeObserver | undefined): void {
    if (observe !== undefined) for (const [phase, ms] of this.spent) observe(action, phase, ms);
  }
}
