import { periodic, type Periodic } from '../lifecycle/periodic.js';
import type { AuditRecord } from '../store/records.js';
import type { CursorRepos } from '../webhooks/cursor-repos.js';
import type { AuditRepos } from './audit-repos.js';

/** Somewhere the audit log is copied to as it is written (a syslog collector, a log pipeline). */
export interface AuditSink {
  /** Names the destination in errors and logs (never a credential). */
  readonly name: string;
  /** Resolves once the entries are handed over; rejects if any was not. */
  send(entries: readonly AuditRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** The stored position of the stream in the audit log, shared by every node. */
const CURSOR = 'audit.stream';
const PAGE = 200;

/** A page claimed by this node whose sending failed and that another node had already passed. */
export interface AuditStreamGap {
  fromSeq: number;
  toSeq: number;
}

/**
 * Copies each new audit entry to a sink, once, whichever node wrote it. A node claims a page by
 * moving the shared cursor past it (compare-and-set), then sends it; if the send fails, the
 * cursor is moved back so the page is sent again on the next poll. Only a crash between the
 * claim and the send, or another node passing the cursor meanwhile, leaves a gap, and the gap is
 * reported (`onGap`) with the sequence numbers to export. Each message carries its `seq`, so a
 * collector sees a gap too. The stream starts at the log's head when first configured: history
 * is read with `GET /v1/audit/export` or `tessera audit export`.
 */
export class AuditStream {
  private readonly polls: Periodic<number>;

  constructor(
    private readonly store: CursorRepos & Pick<AuditRepos, 'scanAudit' | 'auditHead'>,
    private readonly sink: AuditSink,
    options: { intervalMs?: number; onError?: (err: unknown) => void; onGap?: (gap: AuditStreamGap) => void } = {},
  ) {
    this.onGap = options.onGap ?? (() => {});
    this.polls = periodic(options.intervalMs ?? 1000, () => this.read(), options.onError ?? (() => {}));
  }

  private readonly onGap: (gap: AuditStreamGap) => void;

  /**
   * Anchors the stream at the log's head if this is its first start, then polls on the timer.
   * The anchor is set before the node serves, so nothing written after the start is skipped.
   */
  async start(): Promise<void> {
    await this.cursor();
    this.polls.start();
  }

  /** The shared cursor; when no node has streamed yet, sets it at the head and answers undefined. */
  private async cursor(): Promise<number | undefined> {
    const cursor = await this.store.getCursor(CURSOR);
    if (cursor === undefined) await this.store.advanceCursor(CURSOR, undefined, (await this.store.auditHead()).seq);
    return cursor;
  }

  /** Stops polling, sends what is pending once more, and closes the sink. */
  async stop(): Promise<void> {
    await this.polls.stop();
    await this.polls.run().catch(() => 0);
    await this.sink.close();
  }

  /** Sends what was written since the last poll; answers how many entries this node sent. */
  poll(): Promise<number> {
    return this.polls.run();
  }

  private async read(): Promise<number> {
    let sent = 0;
    for (;;) {
      const cursor = await this.cursor();
      if (cursor === undefined) return sent;
      const entries = await this.store.scanAudit(cursor + 1, PAGE);
      if (entries.length === 0) return sent;
      const last = entries[entries.length - 1]!.seq;
      if (!(await this.store.advanceCursor(CURSOR, cursor, last))) return sent; // another node took this page
      try {
        await this.sink.send(entries);
      } catch (err) {
        // Handed back for the next poll, unless another node has moved on meanwhile.
        if (!(await this.store.advanceCursor(CURSOR, last, cursor).catch(() => false))) {
          this.onGap({ fromSeq: entries[0]!.seq, toSeq: last });
        }
        throw err;
      }
      sent += entries.length;
      if (entries.length < PAGE) return sent;
    }
  }
}
