import { randomBytes } from 'node:crypto';
import { every, type Invalidation, type InvalidationBus, type Ticker } from '@tessera/core';

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
 *
 * Many changes at once (a bulk revoke) travel as one message with one acknowledgement per peer,
 * when every live peer has said it reads such messages (`v` ≥ 2 on what it sends); a node of an
 * older release never says so, and then each change goes alone, as that node expects.
 */
export interface BusTransport {
  /** Sends one encoded message to every node; rejects when it cannot. */
  send(payload: string): Promise<void>;
  readonly connected: boolean;
  /** The largest payload it carries (PostgreSQL's NOTIFY: under 8000 bytes); 64 KiB when not said. */
  readonly maxPayloadBytes?: number;
  close?(): Promise<void>;
}

export interface BusEvents {
  /** The subscription came back after a gap; the caches were dropped. */
  onResync?: () => void;
  onPublishError?: (err: unknown) => void;
  /** Live peers that did not acknowledge a change in time (they may be overloaded or cut off). */
  onAckTimeout?: (peers: string[]) => void;
  /** A change was sent (`sendMs`) and acknowledged by every live peer, or timed out (`ackMs`), in milliseconds. */
  onPublished?: (sendMs: number, ackMs: number) => void;
  /** One peer's acknowledgement arrived this long after the change was sent (milliseconds). */
  onPeerAck?: (ms: number) => void;
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
/** What this node's messages say it reads: 2 — batches (`ms`). Older releases send no `v`. */
const PROTOCOL = 2;
/** The largest batch message when the transport does not say (Redis carries far more). */
const BATCH_BYTES = 64 * 1024;

/**
 * What travels: a change (`m`, with its id `i`), an acknowledgement (`a`, for node `to`), a
 * heartbeat (`h`), or a node's goodbye as it shuts down (`b`).
 */
interface Envelope {
  n?: unknown;
  v?: unknown;
  m?: Invalidation;
  ms?: unknown;
  i?: unknown;
  a?: unknown;
  to?: unknown;
  h?: unknown;
  b?: unknown;
}

interface Pending {
  waiting: Set<string>;
  sentAt: number;
  done: () => void;
}

export class RemoteInvalidationBus implements InvalidationBus {
  readonly nodeId = randomBytes(8).toString('hex');
  private readonly handlers: ((message: Invalidation) => void)[] = [];
  private outbox: Invalidation[] = [];
  private flushing = false;
  /** Other nodes, by id, with when they were last heard from. */
  private readonly peers = new Map<string, { seen: number; readsBatches: boolean }>();
  private readonly awaiting = new Map<string, Pending>();
  private nextId = 0;
  private readonly heartbeat: Ticker;
  resyncs = 0;
  publishFailures = 0;
  received = 0;
  ackTimeouts = 0;

  constructor(
    private readonly transport: BusTransport,
    private readonly events: BusEvents = {},
    private readonly timing: BusTiming = DEFAULT_BUS_TIMING,
  ) {
    this.heartbeat = every(timing.heartbeatMs, () => this.beat());
  }

  async publish(message: Invalidation): Promise<void> {
    this.deliver(message);
    if (this.outbox.length > 0 || !this.transport.connected) return this.queueAndFlush(message);
    await this.send({ m: message }, [message]);
  }

  /**
   * Many changes: one message, acknowledged once by each peer, when every live peer reads batches;
   * else one `publish` each (all at once, so their waits overlap).
   */
  async publishMany(messages: Invalidation[]): Promise<void> {
    if (messages.length <= 1 || !this.allPeersReadBatches()) {
      await Promise.all(messages.map((m) => this.publish(m)));
      return;
    }
    for (const m of messages) this.deliver(m);
    if (this.outbox.length > 0 || !this.transport.connected) {
      for (const m of messages) this.queueAndFlush(m);
      return;
    }
    // Cut to the transport's payload size, with room for the envelope around the changes.
    const budget = (this.transport.maxPayloadBytes ?? BATCH_BYTES) - 200;
    const batches: Invalidation[][] = [[]];
    let bytes = 0;
    for (const m of messages) {
      const size = Buffer.byteLength(JSON.stringify(m)) + 1;
      if (bytes + size > budget && batches.at(-1)!.length > 0) {
        batches.push([]);
        bytes = 0;
      }
      batches.at(-1)!.push(m);
      bytes += size;
    }
    await Promise.all(batches.map((batch) => this.send({ ms: batch }, batch)));
  }

  /** Sends a change (or a batch) and waits for the live peers' acknowledgements; queues it if it cannot be sent. */
  private async send(body: { m: Invalidation } | { ms: Invalidation[] }, messages: Invalidation[]): Promise<void> {
    const id = `${this.nodeId}.${this.nextId++}`;
    const started = performance.now();
    const acked = this.awaitAcks(id, started);
    try {
      await this.transport.send(JSON.stringify({ n: this.nodeId, v: PROTOCOL, ...body, i: id }));
    } catch (err) {
      this.awaiting.get(id)?.done();
      this.publishFailures++;
      this.events.onPublishError?.(err);
      for (const m of messages) this.queue(m);
      return;
    }
    const sent = performance.now();
    await acked;
    this.events.onPublished?.(sent - started, performance.now() - sent);
  }

  private allPeersReadBatches(): boolean {
    for (const peer of this.peers.values()) if (!peer.readsBatches) return false;
    return true;
  }

  /** The live peers known now; resolves when each has acknowledged `id`, or at the timeout. */
  private awaitAcks(id: string, sentAt: number): Promise<void> {
    const now = Date.now();
    const waiting = new Set<string>();
    for (const [peer, { seen }] of this.peers) {
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
      this.awaiting.set(id, { waiting, sentAt, done });
    });
  }

  /** Tells the other nodes this one is alive (and so is to be waited for); sends what waits in the outbox. */
  private beat(): void {
    if (!this.transport.connected) return;
    this.transport.send(JSON.stringify({ n: this.nodeId, v: PROTOCOL, h: 1 })).catch(() => {});
    if (this.outbox.length > 0) void this.flushOutbox();
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
    this.peers.set(e.n, { seen: Date.now(), readsBatches: typeof e.v === 'number' && e.v >= 2 });
    if (e.a !== undefined) {
      if (e.to !== this.nodeId || typeof e.a !== 'string') return;
      const p = this.awaiting.get(e.a);
      if (p === undefined || !p.waiting.delete(e.n)) return;
      this.events.onPeerAck?.(performance.now() - p.sentAt);
      if (p.waiting.size === 0) p.done();
      return;
    }
    const messages = e.m !== undefined ? [e.m] : Array.isArray(e.ms) ? (e.ms as Invalidation[]) : [];
    if (messages.length === 0 || !messages.every(isInvalidation)) return;
    this.received += messages.length;
    for (const m of messages) this.deliver(m);
    // Dropped from this node's caches: say so to the node that is waiting.
    if (typeof e.i === 'string' && this.transport.connected)
      this.transport.send(JSON.stringify({ n: this.nodeId, v: PROTOCOL, a: e.i, to: e.n })).catch(() => {});
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
    await this.heartbeat.stop();
    for (const p of [...this.awaiting.values()]) p.done();
    await this.flushOutbox().catch(() => {});
    // The others stop waiting for this node's acknowledgements.
    if (this.transport.connected) await this.transport.send(JSON.stringify({ n: this.nodeId, v: PROTOCOL, b: 1 })).catch(() => {});
    await this.transport.close?.();
  }

  /**
   * Queues a change behind those waiting, and sends them all when the transport is up: a send that
   * failed while the connection stayed up (a command timeout under load) is retried by the next
   * change or heartbeat, not only when the connection comes back.
   */
  private queueAndFlush(message: Invalidation): void {
    this.queue(message);
    if (this.transport.connected) void this.flushOutbox();
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
  if (m === null || typeof m !== 'object') return false;
  if (m.kind === 'all') return true;
  if (m.kind === 'oauth_client' || m.kind === 'oauth_signing_key' || m.kind === 'keyspace' || m.kind === 'keyspace_policy')
    return typeof m.id === 'string';
  return (m.kind === 'key' || m.kind === 'root_key') && typeof m.id === 'string' && typeof m.hash === 'string';
}
