import type { UsageEvent } from '../usage/usage-event.js';
import type { AnomalyKind, Severity } from '@tessera/api';
import type { AnomalyDraft } from './anomaly-records.js';
import type { DetectionTuning } from './detection-tuning.js';
import type { GeoLookup } from './geo-lookup.js';
import type { KeyProfile } from './key-profile.js';

/** What a detector sees besides the event. */
export interface DetectionContext {
  /** The key's profile, before this event is learned (undefined when the event names no key). */
  profile: KeyProfile | undefined;
  honeytokens: ReadonlySet<string>;
  geo: GeoLookup | undefined;
  /** When the batch is processed: the detection time. */
  now: number;
  /** The tuning of the event's keyspace (sensitivity, quiet hours, known networks); undefined: as built. */
  tuning?: DetectionTuning | undefined;
  /** Set while stored events are replayed to rebuild the profiles: learn, but share nothing. */
  replay?: boolean;
  /**
   * Counts a repeat of the finding `fingerprint` at `ts` when it is still in its cool-down, and
   * says so: a detector that fires on every event of a flood (each failure of a burst, each use
   * of a revoked key) asks first, and builds its finding (explanation, details) only when it is new.
   */
  repeatIfOpen?(fingerprint: string, ts: number): boolean;
}

/**
 * One detector: looks at events one at a time, in time order, and keeps what it needs to
 * learn in the key's profile or in its own state. Returns a finding or nothing.
 */
export interface Detector {
  readonly name: string;
  readonly kinds: readonly AnomalyKind[];
  observe(e: UsageEvent, ctx: DetectionContext): AnomalyDraft | undefined;
  /** Detectors of aggregates judge once per batch, after every event of it was observed. */
  evaluate?(now: number, tuning?: TuningOf): AnomalyDraft[];
  /** Learns from one of its findings that an operator resolved as benign, so it is not raised again. */
  learn?(f: BenignFinding, profile: KeyProfile | undefined, now: number): void;
}

/** A keyspace's detection tuning, by its id. */
export type TuningOf = (keyspaceId: string) => DetectionTuning | undefined;

/** What a detector learns from: a finding marked benign. */
export type BenignFinding = Pick<AnomalyDraft, 'kind' | 'workspaceId' | 'keyId' | 'keyspaceId' | 'subject' | 'details' | 'detectedAt'>;

export function finding(
  e: UsageEvent,
  ctx: DetectionContext,
  f: { kind: AnomalyKind; severity: Severity; subject: string; explanation: string; details: Record<string, unknown>; fingerprint: string },
): AnomalyDraft {
  // Built with Object.assign, not object spread: on Node 20 spreading these shapes (a conditional
  // spread above all) costs 7–9 µs per finding, and a burst of failed verifications makes one per
  // event (each then counted as a repeat). Same keys, same order.
  const details: Record<string, unknown> = Object.assign({}, f.details);
  details.ip = e.ip;
  details.network = e.network;
  if (e.userAgent !== null) details.userAgent = e.userAgent;
  const draft = Object.assign({}, f) as Partial<AnomalyDraft> & typeof f;
  draft.workspaceId = e.workspaceId;
  draft.keyId = e.keyId;
  draft.keyspaceId = e.keyspaceId;
  draft.details = details;
  draft.firstEventAt = e.ts;
  draft.detectedAt = Math.max(ctx.now, e.ts);
  return draft as AnomalyDraft;
}

// Made once: `toLocaleString` with options builds a new formatter on every call (tens of µs), and
// a burst of failed verifications asks for one per event.
const ONE_DECIMAL = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const WHOLE = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A number for a sentence: at most one decimal, thousands grouped. */
export function num(n: number): string {
  return (n < 10 ? ONE_DECIMAL : WHOLE).format(n);
}
