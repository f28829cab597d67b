import { parseNetwork } from '../net/address-policy.js';
import ipaddr from 'ipaddr.js';
import type { KeyspacePolicy } from './anomaly-records.js';
import type { PolicyRepos } from './policy-repos.js';

/** A keyspace's detection tuning, compiled for the detectors (a policy's three detection fields). */
export interface DetectionTuning {
  /** Thresholds' margins are divided by it (1: as built). */
  sensitivity: number;
  /** Bit `h` set: use in hour `h` of the day (UTC) is suspicious. */
  quietHours: number;
  /** Whether an address is in one of the keyspace's known networks. */
  known(ip: string): boolean;
}

/** Whether hour-of-day `h` is one of the tuning's quiet hours. */
export const isQuietHour = (t: DetectionTuning, h: number): boolean => (t.quietHours & (1 << h)) !== 0;

/** The tuning a policy sets, or undefined when it sets none (the detectors run as built). */
export function compileTuning(
  p: Pick<KeyspacePolicy, 'detectionSensitivity' | 'quietHours' | 'knownNetworks'>,
): DetectionTuning | undefined {
  if (p.detectionSensitivity === 1 && p.quietHours.length === 0 && p.knownNetworks.length === 0) return undefined;
  const networks = p.knownNetworks.map(parseNetwork);
  let quiet = 0;
  for (const h of p.quietHours) quiet |= 1 << h;
  return {
    sensitivity: p.detectionSensitivity,
    quietHours: quiet,
    known(ip) {
      if (networks.length === 0 || !ipaddr.isValid(ip)) return false;
      const a = ipaddr.process(ip);
      return networks.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits));
    },
  };
}

/** Checks a policy's known networks; the message names the first that is not a CIDR or an address. */
export function invalidNetwork(networks: readonly string[]): string | undefined {
  for (const n of networks) {
    try {
      parseNetwork(n);
    } catch {
      return n;
    }
  }
  return undefined;
}

/**
 * Every keyspace's tuning, in memory, for the detectors to read synchronously on each event.
 * Loaded at start; a keyspace is read again when its policy changes (on any node: the
 * invalidation bus says so).
 */
export class DetectionTunings {
  private readonly map = new Map<string, DetectionTuning>();

  constructor(private readonly store: Pick<PolicyRepos, 'getPolicy' | 'listPolicies'>) {}

  /** The tuning of a keyspace; undefined: as built. */
  readonly get = (keyspaceId: string): DetectionTuning | undefined => (this.map.size === 0 ? undefined : this.map.get(keyspaceId));

  /** Takes a keyspace's policy as it now is. */
  set(keyspaceId: string, policy: KeyspacePolicy | undefined): void {
    const t = policy === undefined ? undefined : compileTuning(policy);
    if (t === undefined) this.map.delete(keyspaceId);
    else this.map.set(keyspaceId, t);
  }

  async load(): Promise<void> {
    const all = await this.store.listPolicies();
    this.map.clear();
    for (const p of all) this.set(p.keyspaceId, p);
  }

  async refresh(keyspaceId: string): Promise<void> {
    this.set(keyspaceId, await this.store.getPolicy(keyspaceId));
  }
}
