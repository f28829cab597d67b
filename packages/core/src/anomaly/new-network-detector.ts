import { LIVE_OUTCOMES, type UsageEvent } from '../usage/usage-event.js';
import { finding, num, type BenignFinding, type DetectionContext, type Detector } from './detector.js';
import type { AnomalyDraft } from './anomaly-records.js';
import { minuteUtc, type KeyProfile } from './key-profile.js';

export interface NewNetworkOptions {
  /** A key is judged once it has this many uses… */
  minEvents: number;
  /** …over at least this long (ms). */
  minAgeMs: number;
  /** Keys seen on more networks than this roam (mobile clients): new networks are normal for them. */
  maxNetworks: number;
  /**
   * With a GeoIP lookup, keys seen on at least this many networks roam within their countries
   * (phones on carrier networks): a new network in a country they use is theirs; a new country is not.
   */
  roamingNetworks: number;
}

export const NEW_NETWORK_DEFAULTS: NewNetworkOptions = { minEvents: 50, minAgeMs: 24 * 3_600_000, maxNetworks: 64, roamingNetworks: 16 };

/**
 * A key used from a network (/24, /48) — or, with a GeoIP lookup, a country — it has never been
 * used from. A network that raised a finding is not learned: its further uses count on the finding.
 */
export class NewNetworkDetector implements Detector {
  readonly name = 'new-network';
  readonly kinds = ['new_network', 'new_country'] as const;

  constructor(private readonly o: NewNetworkOptions = NEW_NETWORK_DEFAULTS) {}

  observe(e: UsageEvent, ctx: DetectionContext): AnomalyDraft | undefined {
    const p = ctx.profile;
    if (p === undefined || e.network === null || !LIVE_OUTCOMES.has(e.outcome)) return undefined;
    // A keyspace's known networks (its offices, its data centres) are never new, nor learned as the key's own.
    if (ctx.tuning !== undefined && ctx.tuning.known(e.ip!)) return undefined;
    const mature = p.events >= this.o.minEvents && e.ts - p.firstSeenAt >= this.o.minAgeMs;
    const location = ctx.geo?.lookup(e.ip!);
    let result: AnomalyDraft | undefined;
    // A roaming key on another network of a country it is used from: its own.
    const roams = location !== undefined && p.networks.size >= this.o.roamingNetworks && p.countries.has(location.country);
    if (mature && !roams && p.networks.size <= this.o.maxNetworks && !p.networks.has(e.network)) {
      const known = [...p.networks.keys()];
      result = finding(e, ctx, {
        kind: 'new_network',
        severity: 'medium',
        subject: e.network,
        explanation: `Key ${e.keyId} was used from network ${e.network} for the first time at ${minuteUtc(e.ts)}; in ${num((e.ts - p.firstSeenAt) / 86_400_000)} days and ${num(p.events)} uses it had been used from ${known.length} network${known.length === 1 ? '' : 's'} (${known.slice(0, 3).join(', ')}${known.length > 3 ? ', …' : ''}).`,
        details: { knownNetworks: known.length, uses: p.events },
        fingerprint: `new_network|${e.keyId}|${e.network}`,
      });
    } else if (mature && location !== undefined && p.countries.size > 0 && !p.countries.has(location.country)) {
      result = finding(e, ctx, {
        kind: 'new_country',
        severity: 'medium',
        subject: location.country,
        explanation: `Key ${e.keyId} was used from ${location.country} (${e.ip}) for the first time at ${minuteUtc(e.ts)}; in ${num(p.events)} uses it had been used from ${[...p.countries].join(', ')} only.`,
        details: { knownCountries: [...p.countries] },
        fingerprint: `new_country|${e.keyId}|${location.country}`,
      });
    }
    if (result === undefined) {
      p.networks.set(e.network, e.ts);
      if (location !== undefined) p.countries.add(location.country);
    }
    return result;
  }

  /** The network (and its country) was the key's own. */
  learn(f: BenignFinding, p: KeyProfile | undefined, now: number): void {
    if (p === undefined) return;
    if (typeof f.details.network === 'string') p.networks.set(f.details.network, now);
    if (f.kind === 'new_country') p.countries.add(f.subject);
  }
}
