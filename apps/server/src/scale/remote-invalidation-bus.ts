import { randomBytes } from 'node:crypto';
import type { Invalidation, InvalidationBus } from '@tessera/core';

/**
 * The part every cross-node bus shares: local subscribers hear a change at once (so the node
 * that made it never serves the old record), the transport carries it to the other nodes, and
 * messages that could not be sent wait in a bounded outbox until the transport is back.
 *
 * After a gap in the subscription a node cannot know what it missed, so it drops its whole
 * cache (`{ kind: 'all' }`): a missed revocation can never keep a key alive past a reconnect.
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
}

const OUTBOX_LIMIT = 1000;

export class RemoteInvalidationBus implements InvalidationBus {
  readonly nodeId = randomBytes(8).toString('hex');
  private readonly handlers: ((message: Invalidation) => void)[] = [];
  private outbox: Invalidation[] = [];
  private flushing = false;
  resyncs = 0;
  publishFailures = 0;
  received = 0;

  constructor(
    private readonly transport: BusTransport,
    private readonly events: BusEvents = {},
  ) {}

  async publish(message: Invalidation): Promise<void> {
    this.deliver(message);
    if (this.outbox.length > 0 || !this.transport.connected) return this.queue(message);
    try {
      await this.transport.send(this.encode(message));
    } catch (err) {
      this.publishFailures++;
      this.events.onPublishError?.(err);
      this.queue(message);
    }
  }

  subscribe(handler: (message: Invalidation) => void): void {
    this.handlers.push(handler);
  }

  /** The transport hands every received payload here. */
  receive(payload: string): void {
    let parsed: { n?: unknown; m?: Invalidation };
    try {
      parsed = JSON.parse(payload) as typeof parsed;
    } catch {
      return;
    }
    if (parsed.n === this.nodeId || parsed.m === undefined || !isInvalidation(parsed.m)) return;
    this.received++;
    this.deliver(parsed.m);
  }

  /** The transport calls this once it is subscribed again after a gap. */
  resubscribed(): void {
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
        await this.transport.send(this.encode(next));
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
    await this.flushOutbox().catch(() => {});
    await this.transport.close?.();
  }

  private queue(message: Invalidation): void {
    // Past the bound, one "drop everything" stands for all that was lost.
    if (this.outbox.length >= OUTBOX_LIMIT) this.outbox = [{ kind: 'all' }];
    else this.outbox.push(message);
  }

  private encode(message: Invalidation): string {
    return JSON.stringify({ n: this.nodeId, m: message });
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
