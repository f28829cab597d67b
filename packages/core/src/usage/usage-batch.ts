import type { VerifyInput, VerifyResult } from '../api-keys/verify-result.js';
import { alike } from './stored-events.js';
import type { UsageEvent } from './usage-event.js';

/**
 * The batch being filled: the events themselves (one fixed shape, passed on as they are, never
 * copied) and, beside them, what only the write needs.
 *
 * A verification alike in every field to the latest one of its key (an unknown key's: of its
 * address) within the same second is counted on that event (`count`, as stored) instead of kept
 * as an object of its own, so a busy key's thousands of calls a second are one object until the
 * batch is taken. The object made to compare dies young, which costs little.
 */
export class UsageBatch {
  readonly events: UsageEvent[] = [];
  /** Verifications the events stand for. */
  verifications = 0;
  /** Per event, the key's granted scopes (a reference to the cached record's array, not a copy). */
  readonly granted: (readonly string[] | undefined)[] = [];
  /** For NOT_FOUND keys, by event index: their stored-hash candidates, to look for a deleted key off the hot path. */
  readonly hashes = new Map<number, string[]>();
  /** By key id, the index of the key's latest event: the one a verification alike to it is counted on. */
  private readonly latestByKey = new Map<string, number>();
  /** The same for unknown keys, by the address they came from. */
  private readonly latestByAddress = new Map<string | null, number>();

  /**
   * Adds a verification made at `ts`; `hashes` for an unknown key to be looked up (its event then
   * stands alone: it may turn out a deleted key). False, and nothing added, when it would need an
   * event of its own and `maxEvents` are there already.
   */
  add(input: VerifyInput, result: VerifyResult, ts: number, hashes: string[] | undefined, maxEvents: number): boolean {
    const event: UsageEvent = {
      ts,
      workspaceId: input.workspaceId,
      keyId: result.keyId ?? null,
      // A key refused by a keyspace pin is still an attempt on that keyspace (fleet-wide detection counts it there).
      keyspaceId: result.keyspaceId ?? input.keyspaceId ?? null,
      ownerId: result.ownerId ?? null,
      outcome: result.code,
      ip: input.ip ?? null,
      network: null,
      userAgent: input.userAgent ?? null,
      cost: result.valid ? (input.cost ?? 1) : 0,
      resource: input.resource ?? null,
      method: input.method ?? null,
      scopes: input.scopes ?? null,
    };
    const latestOf = event.keyId !== null ? this.latestByKey : this.latestByAddress;
    const slot = event.keyId ?? event.ip;
    if (hashes === undefined) {
      const i = latestOf.get(slot);
      const latest = i === undefined || this.hashes.has(i) ? undefined : this.events[i]!;
      if (latest !== undefined && this.granted[i!] === result.scopes && alike(latest, event)) {
        latest.count = (latest.count ?? 1) + 1;
        this.verifications++;
        return true;
      }
    }
    if (this.events.length >= maxEvents) return false;
    if (hashes !== undefined) this.hashes.set(this.events.length, hashes);
    latestOf.set(slot, this.events.length);
    this.granted.push(result.scopes);
    this.events.push(event);
    this.verifications++;
    return true;
  }
}
