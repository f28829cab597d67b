import type { UsageEvent } from './usage-event.js';

/** Distinct events of one key (or, for an unknown key, of one address) compared per second at most. */
const MAX_ALIKE = 32;

/**
 * The rows to store for a batch: verifications alike in every field and made within the same
 * second become one row with their `count` (the first one's `ts`), so a busy client's thousands of
 * identical calls a second are one insert, not thousands. Every verification is counted; order by
 * time is kept. The events themselves are not changed (the detectors read them).
 */
export function storedEvents(events: readonly UsageEvent[]): UsageEvent[] {
  const rows: UsageEvent[] = [];
  const counts: number[] = [];
  /** Row indexes by the key's id (or the address of an unknown key): the candidates an event may join. */
  const candidates = new Map<string | null, number[]>();
  for (const e of events) {
    const group = e.keyId ?? e.ip;
    let list = candidates.get(group);
    if (list === undefined) candidates.set(group, (list = []));
    let joined = false;
    for (let i = list.length - 1; i >= 0; i--) {
      const r = list[i]!;
      if (alike(rows[r]!, e)) {
        counts[r]! += e.count ?? 1;
        joined = true;
        break;
      }
    }
    if (joined) continue;
    if (list.length < MAX_ALIKE) list.push(rows.length);
    rows.push(e);
    counts.push(e.count ?? 1);
  }
  for (let i = 0; i < rows.length; i++) if (counts[i] !== (rows[i]!.count ?? 1)) rows[i] = Object.assign({}, rows[i], { count: counts[i] });
  return rows;
}

/** The stored events expanded to one per verification (at most `limit`), for what reads them one by one. */
export function eachVerification(stored: readonly UsageEvent[], limit: number): UsageEvent[] {
  const out: UsageEvent[] = [];
  for (const e of stored) for (let n = e.count ?? 1; n > 0 && out.length < limit; n--) out.push(e);
  return out;
}

/** Two events that one stored row stands for: alike in every field, in the same second. */
export function alike(a: UsageEvent, b: UsageEvent): boolean {
  // The fields most likely to differ first; strings of a cached key are the same objects.
  if (a.keyId !== b.keyId || a.ip !== b.ip || a.outcome !== b.outcome || Math.floor(a.ts / 1000) !== Math.floor(b.ts / 1000)) return false;
  if (a.resource !== b.resource || a.method !== b.method || a.userAgent !== b.userAgent || a.scopes !== b.scopes) return false;
  if (a.cost !== b.cost || a.network !== b.network || (a.deleted ?? false) !== (b.deleted ?? false)) return false;
  return a.workspaceId === b.workspaceId && a.keyspaceId === b.keyspaceId && a.ownerId === b.ownerId;
}
