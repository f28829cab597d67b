import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnomalyEngine } from '@tessera/core';
import { afterAll, describe, expect, it } from 'vitest';
import { openMmdbGeoLookup } from '../../apps/server/src/adapters/geoip/mmdb-geo-lookup.js';
import { DAY, event, normal, T0 } from './traffic.js';

/*
 * A MaxMind DB file built by hand, per the format's specification
 * (https://maxmind.github.io/MaxMind-DB/): an IPv4 search tree with 24-bit records, a data
 * section of maps, and the metadata after the `\xAB\xCD\xEFMaxMind.com` marker. Each network is
 * a /24 with made-up places: a fixture of the tests, not geography.
 */
type Value = string | number | { double: number } | { u16: number } | { u32: number } | Value[] | { [k: string]: Value };

function encode(v: Value): Buffer {
  const ctrl = (type: number, size: number) => (type <= 7 ? Buffer.from([(type << 5) | size]) : Buffer.from([size, type - 7])); // extended types: 0 in the top bits, then type - 7
  if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    return Buffer.concat([ctrl(2, b.length), b]);
  }
  if (Array.isArray(v)) return Buffer.concat([ctrl(11, v.length), ...v.map(encode)]);
  if (typeof v === 'object' && 'double' in v) {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v.double as number);
    return Buffer.concat([ctrl(3, 8), b]);
  }
  if (typeof v === 'object' && 'u16' in v)
    return Buffer.concat([ctrl(5, 2), Buffer.from([(v.u16 as number) >> 8, (v.u16 as number) & 255])]);
  if (typeof v === 'object' && 'u32' in v) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v.u32 as number);
    return Buffer.concat([ctrl(6, 4), b]);
  }
  if (typeof v === 'number') throw new Error('say which integer type');
  const entries = Object.entries(v);
  return Buffer.concat([ctrl(7, entries.length), ...entries.flatMap(([k, x]) => [encode(k), encode(x)])]);
}

function buildMmdb(networks: { prefix: string; country: string; latitude: number; longitude: number }[]): Buffer {
  // One chain of 24 nodes per network (a /24), sharing nodes where prefixes share bits.
  const nodes: [number, number][] = [[-1, -1]];
  const data: Buffer[] = [];
  let dataLength = 0;
  const leaves: { node: number; side: number; offset: number }[] = [];
  for (const n of networks) {
    const record = encode({
      country: { iso_code: n.country },
      location: { latitude: { double: n.latitude }, longitude: { double: n.longitude } },
    });
    const bits = n.prefix.split('.').flatMap((o) => Number(o).toString(2).padStart(8, '0').split('').map(Number));
    let at = 0;
    for (let i = 0; i < 23; i++) {
      let next = nodes[at]![bits[i]!]!;
      if (next === -1) {
        next = nodes.length;
        nodes.push([-1, -1]);
        nodes[at]![bits[i]!] = next;
      }
      at = next;
    }
    leaves.push({ node: at, side: bits[23]!, offset: dataLength });
    data.push(record);
    dataLength += record.length;
  }
  const count = nodes.length;
  for (const l of leaves) nodes[l.node]![l.side] = count + 16 + l.offset;
  const tree = Buffer.alloc(count * 6);
  nodes.forEach(([left, right], i) => {
    tree.writeUIntBE(left === -1 ? count : left, i * 6, 3); // `count`: no data for this address
    tree.writeUIntBE(right === -1 ? count : right, i * 6 + 3, 3);
  });
  const metadata = encode({
    node_count: { u32: count },
    record_size: { u16: 24 },
    ip_version: { u16: 4 },
    database_type: 'Tessera-Test-City',
    languages: ['en'],
    binary_format_major_version: { u16: 2 },
    binary_format_minor_version: { u16: 0 },
    build_epoch: { u32: 1_767_225_600 },
    description: { en: 'test fixture' },
  });
  return Buffer.concat([tree, Buffer.alloc(16), ...data, Buffer.from('\xAB\xCD\xEFMaxMind.com', 'latin1'), metadata]);
}

const dir = mkdtempSync(join(tmpdir(), 'tessera-mmdb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('GeoIP from a MaxMind-format database', () => {
  const path = join(dir, 'test-city.mmdb');
  writeFileSync(
    path,
    buildMmdb([
      { prefix: '198.51.100', country: 'DE', latitude: 50.11, longitude: 8.68 },
      { prefix: '203.0.113', country: 'AU', latitude: -33.87, longitude: 151.21 },
    ]),
  );
  const geo = openMmdbGeoLookup(path);

  it('places addresses of its networks, and no others', () => {
    expect(geo.lookup('198.51.100.7')).toEqual({ country: 'DE', latitude: 50.11, longitude: 8.68 });
    expect(geo.lookup('203.0.113.250')).toEqual({ country: 'AU', latitude: -33.87, longitude: 151.21 });
    expect(geo.lookup('192.0.2.1')).toBeUndefined();
    expect(geo.lookup('2001:db8::1')).toBeUndefined(); // an IPv6 address in an IPv4 database
  });

  it('feeds impossible travel: Frankfurt then Sydney five minutes later', () => {
    const engine = new AnomalyEngine({ geo });
    const history = normal({ from: T0, to: T0 + 8 * DAY, perMinute: 2, networks: ['198.51.100'] });
    expect(engine.process(history, T0 + 8 * DAY).created).toEqual([]);
    const at = T0 + 8 * DAY + 3_600_000;
    const out = engine.process([event(at, { ip: '198.51.100.7' }), event(at + 300_000, { ip: '203.0.113.9' })], at + 301_000);
    expect(out.created.map((f) => f.kind).sort()).toEqual(['impossible_travel', 'new_network']);
  });
});
