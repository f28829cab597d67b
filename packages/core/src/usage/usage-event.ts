import { isIPv4, isIPv6 } from 'node:net';
import type { VerifyCode } from '@tessera/api';
import { normalizeIp } from '../net/ip-allowlist.js';

/**
 * One verification, as the monitoring sees it. Never the key: a key is named by its id, and an
 * unknown key by nothing at all.
 */
export interface UsageEvent {
  ts: number;
  workspaceId: string;
  keyId: string | null;
  keyspaceId: string | null;
  ownerId: string | null;
  outcome: VerifyCode;
  /** The end client's address (`ip` given to verify, else the caller's). */
  ip: string | null;
  /** The address's network: /24 for IPv4, /48 for IPv6. */
  network: string | null;
  userAgent: string | null;
  /** Credits spent (0 when the verification failed). */
  cost: number;
  resource: string | null;
  method: string | null;
  /** The scope expression the caller required, if any. */
  scopes: string | null;
  /** Set when a NOT_FOUND key turned out to be a deleted one (found after the fact, off the hot path). */
  deleted?: boolean;
  /**
   * As stored: how many verifications, alike in every other field and made within the same second,
   * this one stands for (`ts` is the first of them). Absent: one. The detectors see each one.
   */
  count?: number;
}

/** Outcomes that show the caller holds a live key (it was found, in force, and not refused for its state). */
export const LIVE_OUTCOMES: ReadonlySet<VerifyCode> = new Set([
  'VALID',
  'RATE_LIMITED',
  'USAGE_EXCEEDED',
  'INSUFFICIENT_SCOPE',
  'IP_NOT_ALLOWED',
]);
/** Outcomes of guessing: a key that does not parse or is not known. */
export const FAILED_OUTCOMES: ReadonlySet<VerifyCode> = new Set(['MALFORMED', 'NOT_FOUND']);

/**
 * The network an address belongs to: its /24 (IPv4) or /48 (IPv6), written as a CIDR.
 * Undefined for something that is not an address.
 */
export function networkOf(ip: string): string | undefined {
  const a = normalizeIp(ip);
  if (isIPv4(a)) {
    const p = a.split('.');
    return `${p[0]}.${p[1]}.${p[2]}.0/24`;
  }
  if (isIPv6(a)) {
    const groups = expandIpv6(a);
    return groups === undefined
      ? undefined
      : `${groups
          .slice(0, 3)
          .map((g) => g.replace(/^0+(?=.)/, ''))
          .join(':')}::/48`;
  }
  return undefined;
}

function expandIpv6(a: string): string[] | undefined {
  const zone = a.indexOf('%');
  const addr = zone === -1 ? a : a.slice(0, zone);
  const [head, tail] = addr.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail (::ffff:1.2.3.4 is handled above) takes two groups; /48 never reaches it.
  const fill = 8 - h.length - t.length;
  if (tail === undefined && h.length !== 8) return undefined;
  return [...h, ...Array<string>(Math.max(0, fill)).fill('0'), ...t].map((g) => g.toLowerCase());
}
