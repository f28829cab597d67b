/**
 * Tells every node's caches that a record changed. In one process it calls the subscribers
 * directly; the Redis and PostgreSQL buses carry the same messages between nodes.
 */
export type Invalidation =
  /**
   * A key changed. A revocation says what it wrote (revocation is final), so every node answers
   * REVOKED from the copy it holds, with no read of the store, instead of dropping the copy.
   */
  | { kind: 'key'; id: string; hash: string; revoked?: KeyRevoked }
  | { kind: 'root_key'; id: string; hash: string }
  | { kind: 'oauth_client'; id: string }
  /** An OAuth signing key was retired: every node reads the keys again. */
  | { kind: 'oauth_signing_key'; id: string }
  /** A keyspace's gateway routes changed. */
  | { kind: 'keyspace'; id: string }
  /** A keyspace's policy changed (its detection tuning among it). */
  | { kind: 'keyspace_policy'; id: string }
  | { kind: 'all' };

/** What a revocation wrote: when, and why. */
export interface KeyRevoked {
  at: number;
  reason: string | null;
}

/** The revocation a key message carries, if it carries a well-formed one (a peer's message is checked). */
export function revocationOf(m: Invalidation): KeyRevoked | undefined {
  if (m.kind !== 'key' || m.revoked === undefined || m.revoked === null || typeof m.revoked !== 'object') return undefined;
  const { at, reason } = m.revoked;
  return Number.isSafeInteger(at) && (reason === null || typeof reason === 'string') ? { at, reason } : undefined;
}

export interface InvalidationBus {
  publish(message: Invalidation): void | Promise<void>;
  /** Many changes at once (a bulk revoke): the cross-node buses send them as one message where they can. */
  publishMany(messages: Invalidation[]): void | Promise<void>;
  subscribe(handler: (message: Invalidation) => void): void;
  close(): Promise<void>;
}

export class LocalInvalidationBus implements InvalidationBus {
  private readonly handlers: ((message: Invalidation) => void)[] = [];
  publish(message: Invalidation): void {
    for (const h of this.handlers) h(message);
  }
  publishMany(messages: Invalidation[]): void {
    for (const m of messages) this.publish(m);
  }
  subscribe(handler: (message: Invalidation) => void): void {
    this.handlers.push(handler);
  }
  async close(): Promise<void> {}
}
