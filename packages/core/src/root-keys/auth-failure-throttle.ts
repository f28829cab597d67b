import ipaddr from 'ipaddr.js';
import type { Clock } from '../clock.js';

/**
 * Failed authentications on the management API, counted per source network in fixed windows:
 * past `limit` attempts in a window the network is refused until the window ends (a guess per
 * attempt is then impossible, whatever is sent), and only a sample of the failures is audited
 * (the 1st, 10th, 100th… of each window), with a cap per window over all networks. Memory is
 * bounded: past `maxNetworks` the oldest window is forgotten.
 */
export interface AuthFailureThrottleOptions {
  /** Failed attempts a network may make per window (0: no throttling, failures are still audited). */
  limit: number;
  windowMs: number;
  maxNetworks?: number;
  /** Audit entries per window over all networks, so that a spread-out flood stays bounded too. */
  maxAuditsPerWindow?: number;
}

interface Window {
  start: number;
  failures: number;
}

/** An IPv4 address as its /32, an IPv6 address as its /64 (one host's usual allocation); IPv4-mapped IPv6 as IPv4. */
export function sourceNetwork(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  let address = ipaddr.parse(ip);
  if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress()) address = address.toIPv4Address();
  if (address instanceof ipaddr.IPv4) return `${address.toString()}/32`;
  const parts = address.parts.slice(0, 4);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toString()}/64`;
}

export class AuthFailureThrottle {
  private readonly windows = new Map<string, Window>();
  private audits = { start: 0, count: 0 };

  constructor(
    private readonly clock: Clock,
    private readonly o: AuthFailureThrottleOptions,
  ) {}

  get windowSeconds(): number {
    return Math.round(this.o.windowMs / 1000);
  }

  /** Seconds until `ip` may try again, or undefined when it is not throttled. */
  retryAfter(ip: string): number | undefined {
    // Every authenticated request asks: with no failure counted, it costs no address parsing.
    if (this.o.limit === 0 || this.windows.size === 0) return undefined;
    const w = this.current(sourceNetwork(ip));
    if (w === undefined || w.failures < this.o.limit) return undefined;
    return Math.max(1, Math.ceil((w.start + this.o.windowMs - this.clock.now()) / 1000));
  }

  /** Counts a refused attempt (failed or throttled); says whether this one is to be audited. */
  failed(ip: string): { network: string; failures: number; audit: boolean } {
    const network = sourceNetwork(ip);
    const now = this.clock.now();
    let w = this.current(network);
    if (w === undefined) {
      w = { start: now, failures: 0 };
      this.windows.delete(network);
      this.windows.set(network, w);
      if (this.windows.size > (this.o.maxNetworks ?? 100_000)) this.windows.delete(this.windows.keys().next().value!);
    }
    w.failures++;
    let audit = isPowerOfTen(w.failures);
    if (audit) {
      if (now - this.audits.start >= this.o.windowMs) this.audits = { start: now, count: 0 };
      audit = this.audits.count++ < (this.o.maxAuditsPerWindow ?? 100);
    }
    return { network, failures: w.failures, audit };
  }

  private current(network: string): Window | undefined {
    const w = this.windows.get(network);
    return w !== undefined && this.clock.now() - w.start < this.o.windowMs ? w : undefined;
  }
}

function isPowerOfTen(n: number): boolean {
  while (n >= 10 && n % 10 === 0) n /= 10;
  return n === 1;
}
