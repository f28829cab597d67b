/**
 * Tells every node's caches that a record changed. In one process it calls the subscribers
 * directly; the Redis and PostgreSQL buses carry the same messages between nodes.
 */
export type Invalidation =
  | { kind: 'key'; id: string; hash: string }
  | { kind: 'root_key'; id: string; hash: string }
  | { kind: 'oauth_client'; id: string }
  /** An OAuth signing key was retired: every node reads the keys again. */
  | { kind: 'oauth_signing_key'; id: string }
  /** A keyspace's gateway routes changed. */
  | { kind: 'keyspace'; id: string }
  /** A keyspace's policy changed (its detection tuning among it). */
  | { kind: 'keyspace_policy'; id: string }
  | { kind: 'all' };

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
