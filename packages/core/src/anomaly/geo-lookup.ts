import { BlockList, isIPv4 } from 'node:net';
import { normalizeIp, parseCidr } from '../net/ip-allowlist.js';

/** Where an address is, as far as a GeoIP database can tell. */
export interface GeoLocation {
  /** ISO 3166-1 alpha-2. */
  country: string;
  latitude: number;
  longitude: number;
}

/**
 * The seam for a GeoIP database. Tessera ships none: the server reads a MaxMind-format file the
 * operator points to (`TESSERA_GEOIP_DATABASE`); without one, detection works on networks only,
 * and new-country and impossible-travel detection stay off.
 */
export interface GeoLookup {
  lookup(ip: string): GeoLocation | undefined;
}

/**
 * A GeoIP lookup over a small table of CIDRs, first match wins. Useful for private networks
 * (offices, data centres) whose location you know; the tests use it with made-up locations
 * for documentation addresses, which are a fixture, not geography.
 */
export class CidrTableGeoLookup implements GeoLookup {
  private readonly entries: { list: BlockList; location: GeoLocation }[] = [];

  constructor(table: readonly { cidr: string; location: GeoLocation }[]) {
    for (const { cidr, location } of table) {
      const parsed = parseCidr(cidr);
      if (parsed === undefined) throw new Error(`invalid CIDR: ${cidr}`);
      const list = new BlockList();
      list.addSubnet(parsed.address, parsed.prefix, parsed.family);
      this.entries.push({ list, location });
    }
  }

  lookup(ip: string): GeoLocation | undefined {
    const a = normalizeIp(ip);
    const family = isIPv4(a) ? 'ipv4' : 'ipv6';
    for (const e of this.entries) {
      try {
        if (e.list.check(a, family)) return e.location;
      } catch {
        return undefined;
      }
    }
    return undefined;
  }
}

/** Great-circle distance in kilometres (haversine, mean Earth radius). */
export function distanceKm(a: GeoLocation, b: GeoLocation): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}
