import { createSocket } from 'node:dgram';
import type { LookupOptions } from 'node:dns';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { hostLookup } from './host-lookup.js';

type Records = Record<string, { A?: string[]; AAAA?: string[] }>;

/** A DNS server on loopback (UDP) answering from `records`, NXDOMAIN for other names; with `silent`, no answers at all. */
async function startDnsServer(records: Records, { silent = false } = {}) {
  const socket = createSocket('udp4');
  const asked: string[] = [];
  socket.on('message', (query, from) => {
    // A 12-byte header, then one question: length-prefixed labels, a zero byte, QTYPE, QCLASS.
    let end = 12;
    const labels: string[] = [];
    for (let n = query[end]!; n > 0; n = query[end]!) {
      labels.push(query.toString('latin1', end + 1, end + 1 + n));
      end += n + 1;
    }
    const type = query.readUInt16BE(end + 1);
    end += 5;
    const name = labels.join('.').toLowerCase();
    asked.push(`${type === 1 ? 'A' : type === 28 ? 'AAAA' : type} ${name}`);
    if (silent) return;
    const record = records[name];
    const answers = ((type === 1 ? record?.A : type === 28 ? record?.AAAA : undefined) ?? []).map((ip) => {
      const rdata = type === 1 ? Buffer.from(ip.split('.').map(Number)) : ipv6Bytes(ip);
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
      rr.writeUInt16BE(type, 2);
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(60, 6); // TTL
      rr.writeUInt16BE(rdata.length, 10);
      return Buffer.concat([rr, rdata]);
    });
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2); // the query's id
    header.writeUInt16BE(0x8180 | (record === undefined ? 3 : 0), 2); // a response, recursion available; NXDOMAIN for unknown names
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    socket.send(Buffer.concat([header, query.subarray(12, end), ...answers]), from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    server: `127.0.0.1:${socket.address().port}`,
    asked,
    close: () => new Promise<void>((resolve) => socket.close(resolve)),
  };
}

function ipv6Bytes(ip: string): Buffer {
  const [head = '', tail = ''] = ip.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.from(groups.map((g) => g.padStart(4, '0')).join(''), 'hex');
}

/** The lookup's answer: the list with `all`, else `{ address, family }`. */
function lookUp(lookup: LookupFunction, hostname: string, options: LookupOptions = {}): Promise<unknown> {
  return new Promise((resolve, reject) =>
    lookup(hostname, options, (err, address, family) => (err ? reject(err) : resolve(options.all ? address : { address, family }))),
  );
}

const dir = mkdtempSync(join(tmpdir(), 'tessera-hosts-'));
const hostsFile = join(dir, 'hosts');
let dns: Awaited<ReturnType<typeof startDnsServer>>;

beforeAll(async () => {
  dns = await startDnsServer({
    'both.test': { A: ['192.0.2.20'], AAAA: ['2001:db8::20'] },
    'six.test': { AAAA: ['2001:db8::6'] },
    'pair.test': { A: ['192.0.2.30'], AAAA: ['2001:db8::30'] },
    'hooks.ns.svc.test': { A: ['192.0.2.40'] },
    'hooks.other.svc.test': { A: ['192.0.2.41'] },
    'hooks.ns.svc.svc.test': { A: ['192.0.2.42'] },
  });
});
afterAll(async () => {
  await dns.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('hostLookup: answers without asking DNS', () => {
  /** Runs `check`, and finds that DNS was asked nothing meanwhile. */
  async function withoutDns(check: () => Promise<void>): Promise<void> {
    const before = dns.asked.length;
    await check();
    expect(dns.asked.length).toBe(before);
  }

  it('answers an IP literal as it is, whatever family was asked for', async () => {
    const lookup = hostLookup({ servers: [dns.server], resolvConf: join(dir, 'none'), hostsFile });
    await withoutDns(async () => {
      expect(await lookUp(lookup, '192.0.2.1')).toEqual({ address: '192.0.2.1', family: 4 });
      expect(await lookUp(lookup, '2001:db8::1', { all: true })).toEqual([{ address: '2001:db8::1', family: 6 }]);
      expect(await lookUp(lookup, '192.0.2.1', { family: 6 })).toEqual({ address: '192.0.2.1', family: 4 });
    });
  });

  it('answers localhost and *.localhost with loopback (RFC 6761), in both shapes', async () => {
    const lookup = hostLookup({ servers: [dns.server], resolvConf: join(dir, 'none'), hostsFile });
    const loopback = [
      { address: '127.0.0.1', family: 4 },
      { address: '::1', family: 6 },
    ];
    await withoutDns(async () => {
      expect(await lookUp(lookup, 'localhost', { all: true })).toEqual(loopback);
      expect(await lookUp(lookup, 'localhost')).toEqual({ address: '127.0.0.1', family: 4 });
      expect(await lookUp(lookup, 'Hooks.LocalHost.', { all: true })).toEqual(loopback);
      expect(await lookUp(lookup, 'localhost', { family: 6 })).toEqual({ address: '::1', family: 6 });
      expect(await lookUp(lookup, 'localhost', { family: 4, all: true })).toEqual([loopback[0]]);
    });
  });

  it('answers names from the hosts file: aliases and comments, any case, IPv4 first, either family', async () => {
    writeFileSync(
      hostsFile,
      [
        '# address name aliases',
        '2001:db8::10\thooks.tessera.test',
        '192.0.2.10   hooks.tessera.test  Hooks-Alias   # the receiver',
        '',
        '#192.0.2.99 commented.test',
        'not-an-address broken.test',
      ].join('\n'),
    );
    const lookup = hostLookup({ servers: [dns.server], resolvConf: join(dir, 'none'), hostsFile });
    const both = [
      { address: '192.0.2.10', family: 4 },
      { address: '2001:db8::10', family: 6 },
    ];
    await withoutDns(async () => {
      expect(await lookUp(lookup, 'hooks.tessera.test', { all: true })).toEqual(both);
      expect(await lookUp(lookup, 'HOOKS.Tessera.Test', { all: true })).toEqual(both);
      expect(await lookUp(lookup, 'hooks.tessera.test')).toEqual(both[0]);
      expect(await lookUp(lookup, 'hooks.tessera.test', { family: 6 })).toEqual(both[1]);
      expect(await lookUp(lookup, 'hooks-alias', { all: true })).toEqual([both[0]]);
    });
    // Commented and malformed lines name nothing: those names go to DNS.
    const before = dns.asked.length;
    await expect(lookUp(lookup, 'commented.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(lookUp(lookup, 'broken.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(dns.asked.slice(before).sort()).toEqual(['A broken.test', 'A commented.test', 'AAAA broken.test', 'AAAA commented.test']);
  });

  it('reads the hosts file again after a minute, not before', async () => {
    const clock = new ManualClock();
    writeFileSync(hostsFile, '192.0.2.1 moving.test\n');
    const lookup = hostLookup({ servers: [dns.server], resolvConf: join(dir, 'none'), hostsFile, clock });
    expect(await lookUp(lookup, 'moving.test')).toEqual({ address: '192.0.2.1', family: 4 });
    writeFileSync(hostsFile, '192.0.2.2 moving.test\n');
    clock.advance(59_000);
    expect(await lookUp(lookup, 'moving.test')).toEqual({ address: '192.0.2.1', family: 4 });
    clock.advance(1000);
    expect(await lookUp(lookup, 'moving.test')).toEqual({ address: '192.0.2.2', family: 4 });
  });
});

describe('hostLookup: asks DNS through c-ares', () => {
  it('asks for A and AAAA records and answers IPv4 first, IPv6 when that is all there is', async () => {
    const lookup = hostLookup({ servers: [dns.server], resolvConf: join(dir, 'none'), hostsFile: join(dir, 'none') });
    expect(await lookUp(lookup, 'both.test', { all: true })).toEqual([
      { address: '192.0.2.20', family: 4 },
      { address: '2001:db8::20', family: 6 },
    ]);
    expect(await lookUp(lookup, 'both.test')).toEqual({ address: '192.0.2.20', family: 4 });
    expect(await lookUp(lookup, 'SIX.test')).toEqual({ address: '2001:db8::6', family: 6 });
    // Only the family asked for is asked about (a name not asked before: c-ares may cache answers).
    const before = dns.asked.length;
    expect(await lookUp(lookup, 'pair.test', { family: 6, all: true })).toEqual([{ address: '2001:db8::30', family: 6 }]);
    expect(dns.asked.slice(before)).toEqual(['AAAA pair.test']);
  });

  it('applies the search domains and ndots of resolv.conf as the system resolver does', async () => {
    const resolvConf = join(dir, 'resolv.conf');
    writeFileSync(resolvConf, '# a cluster\nnameserver 192.0.2.53\nsearch ns.svc.test svc.test\noptions ndots:2 timeout:1\n');
    const lookup = hostLookup({ servers: [dns.server], hostsFile: join(dir, 'none'), resolvConf });
    let before = dns.asked.length;
    // Fewer dots than ndots: the search domains first, then the name as written.
    expect(await lookUp(lookup, 'hooks', { family: 4 })).toEqual({ address: '192.0.2.40', family: 4 });
    expect(dns.asked.slice(before)).toEqual(['A hooks.ns.svc.test']);
    before = dns.asked.length;
    expect(await lookUp(lookup, 'hooks.other', { family: 4 })).toEqual({ address: '192.0.2.41', family: 4 });
    expect(dns.asked.slice(before)).toEqual(['A hooks.other.ns.svc.test', 'A hooks.other.svc.test']);
    // As many dots as ndots: as written first.
    before = dns.asked.length;
    expect(await lookUp(lookup, 'both.test.', { family: 4 })).toEqual({ address: '192.0.2.20', family: 4 });
    expect(dns.asked.slice(before)).toEqual(['A both.test']); // a trailing dot: only as written
    before = dns.asked.length;
    expect(await lookUp(lookup, 'hooks.ns.svc', { family: 4 })).toEqual({ address: '192.0.2.42', family: 4 });
    expect(dns.asked.slice(before)).toEqual(['A hooks.ns.svc', 'A hooks.ns.svc.ns.svc.test', 'A hooks.ns.svc.svc.test']);
    await expect(lookUp(lookup, 'nobody', { family: 4 })).rejects.toMatchObject({ code: 'ENOTFOUND', hostname: 'nobody' });
  });

  it('fails with ENOTFOUND naming the host when no address exists (of the family asked for)', async () => {
    const lookup = hostLookup({ servers: [dns.server], resolvConf: join(dir, 'none'), hostsFile: join(dir, 'none') });
    await expect(lookUp(lookup, 'missing.test')).rejects.toMatchObject({
      code: 'ENOTFOUND',
      hostname: 'missing.test',
      message: 'resolve ENOTFOUND missing.test',
    });
    await expect(lookUp(lookup, 'six.test', { family: 4 })).rejects.toMatchObject({ code: 'ENOTFOUND', hostname: 'six.test' });
  });

  it('gives up on a DNS server that does not answer after its timeout and tries', async () => {
    const silent = await startDnsServer({}, { silent: true });
    try {
      const lookup = hostLookup({
        servers: [silent.server],
        resolvConf: join(dir, 'none'),
        hostsFile: join(dir, 'none'),
        timeoutMs: 100,
        tries: 2,
      });
      const started = Date.now();
      await expect(lookUp(lookup, 'slow.test')).rejects.toMatchObject({ code: 'ETIMEOUT', message: 'queryA ETIMEOUT slow.test' });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(silent.asked.filter((q) => q === 'A slow.test')).toHaveLength(2);
    } finally {
      await silent.close();
    }
  });

  it("fails clearly for a name under .invalid (RFC 6761) with the machine's own resolver", async () => {
    const lookup = hostLookup({ timeoutMs: 300, tries: 1 });
    const err = await lookUp(lookup, 'nowhere.tessera.invalid', { all: true }).then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e,
    );
    // NXDOMAIN where DNS answers; a timeout or refusal where no DNS server can be reached.
    expect(err?.code).toMatch(/^(ENOTFOUND|ETIMEOUT|ECONNREFUSED)$/);
    expect(err?.message).toContain('nowhere.tessera.invalid');
  });
});
