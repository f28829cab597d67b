import type { Clock } from '../clock.js';

const MINUTE = 60_000;

type Counts = Record<string, number>;

interface KeyTrack {
  minutes: Map<number, Counts>;
  recent: { ts: number; code: string; ip: string | null }[];
}

/**
 * Verifications per minute by outcome, for the console's charts: the whole node, and per key
 * with its most recent verifications. Kept in memory for the last hour on this node (bounded in
 * keys), off the store and cheap enough for the verify path: a map lookup and an increment.
 */
export class VerifyTimeline {
  private readonly all = new Map<number, Counts>();
  private readonly keys = new Map<string, KeyTrack>();

  constructor(
    private readonly clock: Clock,
    readonly windowMinutes = 60,
    private readonly maxKeys = 10_000,
    private readonly recentPerKey = 20,
  ) {}

  record(code: string, keyId?: string, ip?: string): void {
    const now = this.clock.now();
    const minute = now - (now % MINUTE);
    bump(this.all, minute, code, this.windowMinutes);
    if (keyId === undefined) return;
    let track = this.keys.get(keyId);
    if (track === undefined) {
      track = { minutes: new Map(), recent: [] };
      if (this.keys.size >= this.maxKeys) this.keys.delete(this.keys.keys().next().value!);
    } else {
      this.keys.delete(keyId); // re-inserted below: the map's order is least recently used first
    }
    this.keys.set(keyId, track);
    bump(track.minutes, minute, code, this.windowMinutes);
    track.recent.push({ ts: now, code, ip: ip ?? null });
    if (track.recent.length > this.recentPerKey) track.recent.shift();
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
    return (this.keys.get(keyId)?.recent ?? []).map((r) => ({ at: new Date(r.ts).toISOString(), code: r.code, ip: r.ip })).reverse();
  }
}

function bump(map: Map<number, Counts>, minute: number, code: string, windowMinutes: number): void {
  let counts = map.get(minute);
  if (counts === undefined) {
    counts = {};
    map.set(minute, counts);
    const oldest = minute - windowMinutes * MINUTE;
    for (const m of map.keys()) if (m <= oldest) map.delete(m);
  }
  counts[code] = (counts[code] ?? 0) + 1;
}
