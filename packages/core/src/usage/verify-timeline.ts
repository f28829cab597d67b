import type { Clock } from '../clock.js';
import type { UsageEvent } from './usage-event.js';

const MINUTE = 60_000;

type Counts = Record<string, number>;

/** One of a key's latest verifications: a slot of a ring, overwritten in place. */
interface Recent {
  ts: number;
  code: string;
  ip: string | null;
}

interface KeyTrack {
  minutes: Map<number, Counts>;
  recent: Recent[];
  /** The ring's next slot once it is full. */
  next: number;
  /** The batch that last moved the key to the end of the map (least recently used first). */
  batch: number;
}

/**
 * Verifications per minute by outcome, for the console's charts: the whole node, and per key
 * with its most recent verifications. Kept in memory for the last hour on this node (bounded in
 * keys), off the store. Fed with the usage recorder's batches (once a second), not on the verify
 * path: every verification the node made, over HTTP, through a gateway or in process.
 */
export class VerifyTimeline {
  private readonly all = new Map<number, Counts>();
  private readonly keys = new Map<string, KeyTrack>();
  private batches = 0;

  constructor(
    private readonly clock: Clock,
    readonly windowMinutes = 60,
    private readonly maxKeys = 10_000,
    private readonly recentPerKey = 20,
  ) {}

  /** Counts a batch of verifications (in time order). */
  ingest(events: readonly UsageEvent[]): void {
    const batch = ++this.batches;
    let minute = Number.NaN;
    let all: Counts = {};
    let keyId: string | null = null;
    let track: KeyTrack | undefined;
    let counts: Counts = {};
    for (const e of events) {
      const m = e.ts - (e.ts % MINUTE);
      if (m !== minute) {
        minute = m;
        all = countsOf(this.all, m, this.windowMinutes);
        keyId = null;
      }
      all[e.outcome] = (all[e.outcome] ?? 0) + 1;
      if (e.keyId === null) continue;
      if (e.keyId !== keyId) {
        keyId = e.keyId;
        track = this.track(keyId, batch);
        counts = countsOf(track.minutes, m, this.windowMinutes);
      }
      counts[e.outcome] = (counts[e.outcome] ?? 0) + 1;
      const t = track!;
      if (t.recent.length < this.recentPerKey) t.recent.push({ ts: e.ts, code: e.outcome, ip: e.ip });
      else {
        const slot = t.recent[t.next]!;
        slot.ts = e.ts;
        slot.code = e.outcome;
        slot.ip = e.ip;
        t.next = (t.next + 1) % this.recentPerKey;
      }
    }
  }

  private track(keyId: string, batch: number): KeyTrack {
    let track = this.keys.get(keyId);
    if (track === undefined) {
      track = { minutes: new Map(), recent: [], next: 0, batch };
      if (this.keys.size >= this.maxKeys) this.keys.delete(this.keys.keys().next().value!);
      this.keys.set(keyId, track);
    } else if (track.batch !== batch) {
      // Moved to the end once a batch, not once a verification.
      track.batch = batch;
      this.keys.delete(keyId);
      this.keys.set(keyId, track);
    }
    return track;
  }

  /** One point per minute of the window, oldest first, with counts by outcome. */
  series(keyId?: string): { minute: string; counts: Counts }[] {
    const source = keyId === undefined ? this.all : this.keys.get(keyId)?.minutes;
    const now = this.clock.now();
    const last = now - (now % MINUTE);
    const out: { minute: string; counts: Counts }[] = [];
    for (let m = last - (this.windowMinutes - 1) * MINUTE; m <= last; m += MINUTE) {
      out.push({ minute: new Date(m).toISOString(), counts: { ...(source?.get(m) ?? {}) } });
    }
    return out;
  }

  /** The key's latest verifications, newest first. */
  recent(keyId: string): { at: string; code: string; ip: string | null }[] {
    const track = this.keys.get(keyId);
    if (track === undefined) return [];
    const { recent, next } = track;
    const inOrder = recent.length < this.recentPerKey ? recent : [...recent.slice(next), ...recent.slice(0, next)];
    return inOrder.map((r) => ({ at: new Date(r.ts).toISOString(), code: r.code, ip: r.ip })).reverse();
  }
}

/** The counts of `minute` in `map`, made (and minutes out of the window dropped) when new. */
function countsOf(map: Map<number, Counts>, minute: number, windowMinutes: number): Counts {
  let counts = map.get(minute);
  if (counts === undefined) {
    counts = {};
    map.set(minute, counts);
    const oldest = minute - windowMinutes * MINUTE;
    for (const m of map.keys()) if (m <= oldest) map.delete(m);
  }
  return counts;
}
