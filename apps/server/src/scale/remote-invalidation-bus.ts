import { randomBytes } from 'node:crypto';
import type { Invalidation, InvalidationBus } from '@tessera/core';

/**
 * The part every cross-node bus shares: local subscribers hear a change at once (so the node
 * that made it never serves the old record), the transport carries it to the other nodes, and
 * messages that could not be sent wait in a bounded outbox until the transport is back.
 *
 * After a gap in the subscription a node cannot know what it missed, so it drops its whole
 * cache (`{ kind: 'all' }`): a missed revocation can never keep a key alive past a reconnect.
 *
 * A change is acknowledged: every node that dropped the record from its caches says so, and
 * `publish` returns once each live peer has (or after `ackTimeoutMs`). So when a revocation's
 * API call returns, no node that was alive and reachable still holds the key. Peers make
 * themselves known by a heartbeat every second; one not heard from for 3.5 s is not waited for.
 */
export interface BusTransport {
  /** Sends one encoded message to every node; rejects when it cannot. */
  send(payload: string): Promise<void>;
  readonly connected: boolean;
  close?(): Promise<void>;
}

export interface BusEvents {
  /** The subscription came back after a gap; the caches were dropped. */
  onResync?: () => void;
  onPublishError?: (err: unknown) => void;
  /** Live peers that did not acknowledge a change in time (they may be overloaded or cut off). */
  onAckTimeout?: (peers: string[]) => void;
}

export interface BusTiming {
  /** How long `publish` waits for the peers' acknowledgements. */
  ackTimeoutMs: number;
  heartbeatMs: number;
  /** A peer not heard from for this long is no longer waited for. */
  peerTtlMs: number;
}

export const DEFAULT_BUS_TIMING: BusTiming = { ackTimeoutMs: 500, heartbeatMs: 1000, peerTtlMs: 3500 };

const OUTBOX_LIMIT = 1000;

/**
 * What travels: a change (`m`, with its id `i`), an acknowledgement (`a`, for node `to`), a
 * heartbeat (`h`), or a node's goodbye as it shuts down (`b`).
 */
interface Envelope {
  n?: unknown;
  m?: Invalidation;
  i?: unknown;
  a?: unknown;
  to?: unknown;
  h?: unknown;
  b?: unknown;
}

interface Pending {
  waiting: Set<string>;
  done: () => void;
}

export class RemoteInvalidationBus implements InvalidationBus {
  readonly nodeId = randomBytes(8).toString('hex');
  private readonly handlers: ((message: Invalidation) => void)[] = [];
  private outbox: Invalidation[] = [];
  private flushing = false;
  /** Other nodes, by id, with when they were last heard from. */
  private readonly peers = new Map<string, number>();
  private readonly awaiting = new Map<string, Pending>();
  private nextId = 0;
  private readonly heartbeat: NodeJS.Timeout;
  resyncs = 0;
  publishFailures = 0;
  received = 0;
  ackTimeouts = 0;

  constructor(
    private readonly transport: BusTransport,
    private readonly events: BusEvents = {},
    private readonly timing: BusTiming = DEFAULT_BUS_TIMING,
  ) {
    this.heartbeat = setInterval(() => this.beat(), timing.heartbeatMs);
    this.heartbeat.unref();
  }

  async publish(message: Invalidation): Promise<void> {
    this.deliver(message);
    if (this.outbox.length > 0 || !this.transport.connected) return this.queue(message);
    const id = `${this.nodeId}.${this.nextId++}`;
    const acked = this.awaitAcks(id);
    try {
      await this.transport.send(JSON.stringify({ n: this.nodeId, m: message, i: id }));
    } catch (err) {
      this.awaiting.get(id)?.done();
      this.publishFailures++;
      this.events.onPublishError?.(err);
      this.queue(message);
      return;
    }
    await acked;
  }

  /** The live peers known now; resolves when each has acknowledged `id`, or at the timeout. */
  private awaitAcks(id: string): Promise<void> {
    const now = Date.now();
    const waiting = new Set<string>();
    for (const [peer, seen] of this.peers) {
      if (now - seen <= this.timing.peerTtlMs) waiting.add(peer);
      else this.peers.delete(peer);
    }
    if (waiting.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.ackTimeouts++;
        this.events.onAckTimeout?.([...waiting]);
        done();
      }, this.timing.ackTimeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.awaiting.delete(id);
        resolve();
      };
      this.awaiting.set(id, { waiting, done });
    });
  }

  /** Tells the other nodes this one is alive (and so is to be waited for). */
  private beat(): void {
    if (this.transport.connected) this.transport.send(JSON.stringify({ n: this.nodeId, h: 1 })).catch(() => {});
  }

  subscribe(handler: (message: Invalidation) => void): void {
    this.handlers.push(handler);
  }

  /** The transport hands every received payload here. */
  receive(payload: string): void {
    let e: Envelope;
    try {
      e = JSON.parse(payload) as Envelope;
    } catch {
      return;
    }
    if (e === null || typeof e !== 'object' || typeof e.n !== 'string' || e.n === this.nodeId) return;
    if (e.b !== undefined) {
      this.peers.delete(e.n);
      for (const p of [...this.awaiting.values()]) if (p.waiting.delete(e.n) && p.waiting.size === 0) p.done();
      return;
    }
    this.peers.set(e.n, Date.now());
    if (e.a !== undefined) {
      if (e.to !== this.nodeId || typeof e.a !== 'string') return;
      const p = this.awaiting.get(e.a);
      if (p !== undefined && p.waiting.delete(e.n) && p.waiting.size === 0) p.done();
      return;
    }
    if (e.m === undefined || !isInvalidation(e.m)) return;
    this.received++;
    this.deliver(e.m);
    // Dropped from this node's caches: say so to the node that is waiting.
    if (typeof e.i === 'string' && this.transport.connected)
      this.transport.send(JSON.stringify({ n: this.nodeId, a: e.i, to: e.n })).catch(() => {});
  }

  /** The transport calls this once it is subscribed (`again`: after a gap, so the caches go). */
  subscribed(again: boolean): void {
    this.beat();
    if (!again) return void this.flushOutbox();
    this.resyncs++;
    this.deliver({ kind: 'all' });
    this.events.onResync?.();
    void this.flushOutbox();
  }

  /** The transport calls this when it can send again. */
  async flushOutbox(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.outbox.length > 0 && this.transport.connected) {
        const next = this.outbox[0]!;
        await this.transport.send(JSON.stringify({ n: this.nodeId, m: next }));
        this.outbox.shift();
      }
    } catch (err) {
      this.publishFailures++;
      this.events.onPublishError?.(err);
    } finally {
      this.flushing = false;
    }
  }

  get pending(): number {
    return this.outbox.length;
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const p of [...this.awaiting.values()]) p.done();
    await this.flushOutbox().catch(() => {});
    // The others stop waiting for this node's acknowledgements.
    if (this.transport.connected) await this.transport.send(JSON.stringify({ n: this.nodeId, b: 1 })).catch(() => {});
    await this.transport.close?.();
  }

  private queue(message: Invalidation): void {
    // Past the bound, one "drop everything" stands for all that was lost.
    if (this.outbox.length >= OUTBOX_LIMIT) this.outbox = [{ kind: 'all' }];
    else this.outbox.push(message);
  }

  private deliver(message: Invalidation): void {
    for (const h of this.handlers) h(message);
  }
}

function isInvalidation(m: Invalidation): boolean {
  if (m.kind === 'all') return true;
  if (m.kind === 'oauth_client') return typeof m.id === 'string';
  return (m.kind === 'key' || m.kind === 'root_key') && typeof m.id === 'string' && typeof m.hash === 'string';
}
