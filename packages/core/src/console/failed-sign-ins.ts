import type { Clock } from '../clock.js';
import { AuthFailureThrottle } from '../root-keys/auth-failure-throttle.js';

/** Failed sign-ins left out of the audit log in one window, written later as one entry. */
export interface FailureSummary {
  failures: number;
  networks: number;
  reasons: Record<string, number>;
  since: number;
  until: number;
}

/**
 * Failed console sign-ins, counted two ways. Per source network (an IPv4 address, an IPv6 /64),
 * in memory: past `perNetwork` failures in a window the network is throttled. And for the audit
 * log: each failure gets an entry of its own while the window's budget lasts; past it, failures are
 * only counted, and the window's count (with how many networks and for which reasons) becomes one
 * summary entry once the window is over. A flood from many addresses so writes a bounded number of
 * entries, and the log still says how many failures there were.
 */
export class FailedSignIns {
  private readonly throttle: AuthFailureThrottle;
  private window = { start: 0, entries: 0 };
  private suppressed: { failures: number; networks: Set<string>; reasons: Record<string, number>; since: number } | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly o: { perNetwork: number; windowMs: number; auditBudget: number },
  ) {
    this.throttle = new AuthFailureThrottle(clock, { limit: o.perNetwork, windowMs: o.windowMs });
  }

  throttled(ip: string): boolean {
    return this.throttle.retryAfter(ip) !== undefined;
  }

  /**
   * Counts a failure. Says how many the network has made in its window and whether this one gets
   * an audit entry of its own (false: it is counted into the window's summary instead).
   */
  count(ip: string, reason: string): { failures: number; audit: boolean } {
    const { network, failures } = this.throttle.failed(ip);
    const now = this.clock.now();
    if (now - this.window.start >= this.o.windowMs) this.window = { start: now, entries: 0 };
    if (this.window.entries < this.o.auditBudget) {
      this.window.entries++;
      return { failures, audit: true };
    }
    this.suppressed ??= { failures: 0, networks: new Set(), reasons: {}, since: now };
    this.suppressed.failures++;
    if (this.suppressed.networks.size < 100_000) this.suppressed.networks.add(network);
    this.suppressed.reasons[reason] = (this.suppressed.reasons[reason] ?? 0) + 1;
    return { failures, audit: false };
  }

  /** The failures left out of the log, once their window is over (or `force`); each is handed out once. */
  takeSummary(force = false): FailureSummary | undefined {
    const s = this.suppressed;
    const now = this.clock.now();
    if (s === undefined || (!force && now - this.window.start < this.o.windowMs)) return undefined;
    this.suppressed = undefined;
    return { failures: s.failures, networks: s.networks.size, reasons: s.reasons, since: s.since, until: now };
  }
}
