/**
 * What the detectors have learned about one key: its networks and countries, the hours of the
 * week it is active, its request rate. Kept in memory by the engine, rebuilt from stored usage
 * events when a node starts.
 */
export interface KeyProfile {
  firstSeenAt: number;
  lastSeenAt: number;
  /** Uses that showed a live key. */
  events: number;
  /** Network → last seen. */
  networks: Map<string, number>;
  countries: Set<string>;
  /** Uses per hour of the week (Monday 00:00 UTC is 0). */
  hours: Uint32Array;
  rate: RateState;
  /** Where the last located use came from. */
  place: { latitude: number; longitude: number; country: string; network: string | null; ip?: string; ts: number } | undefined;
  /** Bit `h`: a use in its keyspace's quiet hour `h` (UTC) was resolved as benign, so that hour is the key's. */
  quietHoursAllowed: number;
}

/** Per-minute request rate: a robust baseline (EWMA of the rate and of its absolute deviation) and a slowly decaying peak. */
export interface RateState {
  minute: number;
  count: number;
  ewma: number;
  ewmad: number;
  peak: number;
  minutes: number;
  threshold: number;
  fired: boolean;
  /** Live uses on this node in the minute, when nodes share detection state (`count` is then the fleet's estimate). */
  here: number;
  /** Consecutive minutes over the threshold. */
  spikeMinutes: number;
  /** Uses in the last minute that went over it (what a benign resolution teaches). */
  lastSpike: number;
  /**
   * The busiest minute of each hour of the day, on weekdays (slots 0–23) and on weekends
   * (24–47): for each slot, that of the last day it was seen (3 × slot), of the day before that
   * (3 × slot + 1), and of the day under way (3 × slot + 2, its day in `seasonalDay`).
   */
  seasonal: Uint16Array | undefined;
  seasonalDay: Uint16Array | undefined;
}

export function newProfile(ts: number): KeyProfile {
  return {
    firstSeenAt: ts,
    lastSeenAt: ts,
    events: 0,
    networks: new Map(),
    countries: new Set(),
    hours: new Uint32Array(168),
    rate: {
      minute: -1,
      count: 0,
      ewma: 0,
      ewmad: 0,
      peak: 0,
      minutes: 0,
      threshold: Infinity,
      fired: false,
      here: 0,
      spikeMinutes: 0,
      lastSpike: 0,
      seasonal: undefined,
      seasonalDay: undefined,
    },
    place: undefined,
    quietHoursAllowed: 0,
  };
}

/** A minute's seasonal slot: its hour of the day, plus 24 on a Saturday or Sunday (UTC). */
export function seasonalSlot(minute: number): number {
  const day = (Math.floor(minute / 1440) + 3) % 7; // Monday 0
  return (day >= 5 ? 24 : 0) + (Math.floor(minute / 60) % 24);
}

/** Hour of the week in UTC, Monday 00:00 = 0 (1970-01-01 was a Thursday). */
export function hourOfWeek(ts: number): number {
  const day = (Math.floor(ts / 86_400_000) + 3) % 7;
  return day * 24 + (Math.floor(ts / 3_600_000) % 24);
}

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export function describeHourOfWeek(h: number): string {
  const hour = h % 24;
  return `${DAYS[Math.floor(h / 24)]} ${String(hour).padStart(2, '0')}:00–${String((hour + 1) % 24).padStart(2, '0')}:00 UTC`;
}

/** `2026-01-08 03:10 UTC` */
export function minuteUtc(ts: number): string {
  return `${new Date(ts).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
