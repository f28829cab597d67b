import { readFileSync } from 'node:fs';
import type { GeoLookup } from '@tessera/core';
import { Reader, type CityResponse } from 'mmdb-lib';

/**
 * A GeoIP lookup over a MaxMind-format database (`.mmdb`: GeoLite2 City, GeoIP2 City, or a
 * compatible one such as DB-IP's), read once into memory at start. An address the database does
 * not place, or places without coordinates, is unknown to the detectors.
 */
export function openMmdbGeoLookup(path: string): GeoLookup {
  const reader = new Reader<CityResponse>(readFileSync(path));
  return {
    lookup(ip: string) {
      let r: CityResponse | null;
      try {
        r = reader.get(ip);
      } catch {
        return undefined; // not an address the database can hold (an IPv6 one in an IPv4 database)
      }
      const country = r?.country?.iso_code ?? r?.registered_country?.iso_code;
      const { latitude, longitude } = r?.location ?? {};
      if (country === undefined || typeof latitude !== 'number' || typeof longitude !== 'number') return undefined;
      return { country, latitude, longitude };
    },
  };
}
