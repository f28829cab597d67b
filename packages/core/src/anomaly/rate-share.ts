/** What a node adds to the shared per-key rates: one key's uses in one minute, since the last exchange. */
export interface RateDelta {
  keyId: string;
  minute: number;
  uses: number;
}

/** Every node's uses of one key in one minute, as read back from the shared store. */
export type RateTotal = RateDelta;

/** Live uses of every key in one minute: this node's (sent), or every node's (read back). */
export interface UsesDelta {
  minute: number;
  uses: number;
}

/** A key busy enough on this node, in one minute, to be counted with the other nodes. */
interface Hot {
  keyId: string;
  minute: number;
  /** Uses here in the minute, and how many of them were sent. */
  here: number;
  sent: number;
  /** Every node's uses as last read (this node's sent ones included). */
  merged: number;
}

/** A share of its threshold a key's estimated rate must reach on a node to be shared. */
export const RATE_HOT_SHARE = 0.25;

/**
 * The per-key rates a node shares when nodes share detection state. Behind a load balancer each
 * node sees a share of a key's uses, so its baseline is kept in the fleet's terms: a live use
 * counts as `scale` uses (every node's live uses over this node's, lately, from one counter per
 * minute), and only keys whose estimate reaches a quarter of their threshold in a minute send
 * their counts and read everyone's: a spike is judged on every node's uses of the key, and the
 * quiet keys cost nothing.
 */
export class RateShare {
  private readonly hot = new Map<string, Hot>();
  /** Minute → this node's live uses, and the part not sent yet. */
  private readonly here = new Map<number, [number, number]>();
  /** Minute → every node's live uses, as last read. */
  private readonly fleet = new Map<number, number>();
  /** What one live use here stands for in the fleet (1 until every node's counts are known). */
  scale = 1;

  /** Counts a live use of any key on this node (for the scale). */
  use(minute: number): void {
    const c = this.here.get(minute);
    if (c === undefined) this.here.set(minute, [1, 1]);
    else {
      c[0]++;
      c[1]++;
    }
  }

  get(keyId: string, minute: number): Hot | undefined {
    return this.hot.get(`${keyId}|${minute}`);
  }

  /** Starts sharing a key's minute: `here`, its uses on this node so far. */
  heat(keyId: string, minute: number, here: number): Hot {
    const h = { keyId, minute, here, sent: 0, merged: 0 };
    this.hot.set(`${keyId}|${minute}`, h);
    return h;
  }

  /** A hot key's uses in its minute, every node's: the others' as last read, this node's as counted. */
  static total(h: Hot): number {
    return Math.max(h.merged - h.sent, 0) + h.here;
  }

  /** Takes what this node counted since the last call. */
  drain(): { deltas: RateDelta[]; uses: UsesDelta[] } {
    const deltas: RateDelta[] = [];
    for (const h of this.hot.values())
      if (h.here > h.sent) {
        deltas.push({ keyId: h.keyId, minute: h.minute, uses: h.here - h.sent });
        h.sent = h.here;
      }
    const uses: UsesDelta[] = [];
    for (const [minute, c] of this.here)
      if (c[1] > 0) {
        uses.push({ minute, uses: c[1] });
        c[1] = 0;
      }
    return { deltas, uses };
  }

  /** Keys hot in the minute under way, to read back; older minutes are forgotten. */
  keys(minute: number): string[] {
    const out: string[] = [];
    for (const [id, h] of this.hot)
      if (h.minute === minute) out.push(h.keyId);
      else if (h.minute < minute - 1) this.hot.delete(id);
    for (const m of this.here.keys()) if (m < minute - 3) this.here.delete(m);
    for (const m of this.fleet.keys()) if (m < minute - 3) this.fleet.delete(m);
    return out;
  }

  /**
   * Lays every node's counts over this node's: the hot keys' uses in `minute`, and every node's
   * live uses of the two minutes before it, which set the scale.
   */
  merge(totals: readonly RateTotal[], uses: readonly UsesDelta[], minute: number): void {
    for (const t of totals) {
      const h = this.hot.get(`${t.keyId}|${t.minute}`);
      if (h !== undefined) h.merged = Math.max(h.merged, t.uses);
    }
    for (const u of uses) this.fleet.set(u.minute, u.uses);
    let fleet = 0;
    let here = 0;
    for (const m of [minute - 2, minute - 1]) {
      const f = this.fleet.get(m);
      const c = this.here.get(m);
      if (f === undefined || c === undefined) continue;
      fleet += f;
      here += c[0];
    }
    // A few dozen uses at least, or the ratio is noise; never below 1 (this node's own are in it).
    if (here >= 20) this.scale = Math.max(1, fleet / here);
  }
}
