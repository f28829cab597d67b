import { FAILED_OUTCOMES } from '../usage/usage-event.js';

export interface FleetFailureOptions {
  /** Failures are summed over this many minutes (the current one included). */
  windowMinutes: number;
  /** A window is judged against its baseline: this many standard deviations above it… */
  sigmas: number;
  /** …and at least this many failures (or sources) more than expected. */
  minExcess: number;
  /**
   * The same two margins for distinct failing addresses. Each address counts once however often
   * it tries, so the count does not swing with one client's retries as failures do, and a
   * narrower margin holds as well.
   */
  sourceSigmas: number;
  sourceMinExcess: number;
  /** Failures from fewer addresses than this are left to the per-address detector. */
  minSources: number;
  /** Minutes of baseline a scope needs before it is judged. */
  learnMinutes: number;
  /** The least failures (and sources) per minute a baseline assumes. */
  floorPerMinute: number;
  /** Weight of the newest minute in the running baseline (1/360: about six hours). */
  alpha: number;
  /** Scopes kept at most. */
  maxScopes: number;
  /** A scope's finding repeats at most once a minute while it stays high. */
  repeatEveryMs: number;
}

export const FLEET_FAILURE_DEFAULTS: FleetFailureOptions = {
  windowMinutes: 10,
  sigmas: 5,
  minExcess: 8,
  sourceSigmas: 4,
  sourceMinExcess: 6,
  minSources: 10,
  learnMinutes: 60,
  floorPerMinute: 0.2,
  alpha: 1 / 360,
  maxScopes: 10_000,
  repeatEveryMs: 60_000,
};

/** A client that failed to authenticate at an OAuth endpoint (nothing of what it sent but its claimed id). */
export interface ClientAuthFailure {
  ts: number;
  workspaceId: string;
  /** The client id the request named (a well-formed one), or null. */
  clientId: string | null;
  ip: string | null;
  /** `token`, `introspection` or `revocation`. */
  endpoint: string;
}

/** Outcomes that count as failures fleet-wide: guessing, and probing keys that do not serve. */
export const FLEET_OUTCOMES: ReadonlySet<string> = new Set([...FAILED_OUTCOMES, 'REVOKED', 'EXPIRED', 'DISABLED']);
