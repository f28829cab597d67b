import { Resolver, type LookupAddress } from 'node:dns';
import { readFileSync } from 'node:fs';
import { isIP, type LookupFunction } from 'node:net';
import { systemClock, type Clock } from '../clock.js';

export interface HostLookupOptions {
  /** Read before DNS is asked, like the system resolver does. Default `/etc/hosts`; a missing file holds no names. */
  hostsFile?: string;
  /** Time for the first try of a DNS query (ms); later tries wait longer. Default 1000. */
  timeoutMs?: number;
  /** Tries per name server. Default 2: a name server that does not answer is given up on after about 4 s. */
  tries?: number;
  /** Name servers (`ip` or `ip:port`) instead of those in `/etc/resolv.conf`. */
  servers?: string[];
  /** Where the search domains and `ndots` come from, as for the system resolver. Default `/etc/resolv.conf`. */
  resolvConf?: string;
  clock?: Clock;
}

/** How long the hosts file, the search domains, and the name servers a new Resolver reads from `/etc/resolv.conf` are kept. */
const REREAD_MS = 60_000;

const LOOPBACK: LookupAddress[] = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
];

/** c-ares codes that mean the name has no address of that family, as opposed to DNS failing to answer. */
const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA']);

/**
 * A `lookup` for node:net and node:http(s) that never calls getaddrinfo(). Node's default,
 * `dns.lookup`, runs getaddrinfo() on libuv's thread pool, where a slow or dead DNS server holds a
 * thread for seconds that a timeout cannot take back — and the same few threads sign access tokens.
 *
 * Answers, in order: IP literals as they are; `localhost` and `*.localhost` as loopback (RFC 6761
 * §6.3); names in the hosts file; then DNS through c-ares (A and AAAA asked together, within
 * `timeoutMs` and `tries`). IPv4 addresses come first. The search domains of `/etc/resolv.conf`
 * apply as they do for the system resolver: a name with fewer dots than `ndots` (default 1) is
 * tried under each search domain first, then as written; any other name as written first; a name
 * ending in a dot only as written. The next candidate is tried only when a name does not exist.
 *
 * @example
 * request(url, { lookup: hostLookup(), signal: AbortSignal.timeout(10_000) });
 */
export function hostLookup(options: HostLookupOptions = {}): LookupFunction {
  const clock = options.clock ?? systemClock;
  let readAt = -Infinity;
  let hosts = new Map<string, LookupAddress[]>();
  let resolver: Resolver | undefined;
  let search: Search = { domains: [], ndots: 1 };
  const current = () => {
    if (clock.now() - readAt >= REREAD_MS) {
      readAt = clock.now();
      hosts = readHosts(options.hostsFile ?? '/etc/hosts');
      search = readSearch(options.resolvConf ?? '/etc/resolv.conf');
      resolver = new Resolver({ timeout: options.timeoutMs ?? 1000, tries: options.tries ?? 2 });
      if (options.servers !== undefined) resolver.setServers(options.servers);
    }
    return { hosts, resolver: resolver!, search };
  };

  return (hostname, lookupOptions, callback) => {
    const family = lookupOptions.family === 'IPv4' ? 4 : lookupOptions.family === 'IPv6' ? 6 : (lookupOptions.family ?? 0);
    const answer = (addresses: LookupAddress[]) => {
      if (lookupOptions.all) callback(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    };
    // Like dns.lookup: a literal is its own answer, whatever family was asked for.
    const literal = isIP(hostname);
    if (literal !== 0) return process.nextTick(answer, [{ address: hostname, family: literal }]);
    const name = hostname.toLowerCase().replace(/\.$/, '');
    const { hosts, resolver, search } = current();
    const known = name === 'localhost' || name.endsWith('.localhost') ? LOOPBACK : (hosts.get(name) ?? []);
    const local = known.filter((a) => family === 0 || a.family === family);
    if (local.length > 0) return process.nextTick(answer, local);
    void resolveSearching(resolver, hostname, family, search).then(answer, (err: NodeJS.ErrnoException) => callback(err, ''));
  };
}

interface Search {
  domains: string[];
  ndots: number;
}

/** The names to ask for, in order, as the system resolver would (resolv.conf(5): `search`, `ndots`). */
function candidates(hostname: string, search: Search): string[] {
  if (hostname.endsWith('.')) return [hostname.slice(0, -1)];
  const searched = search.domains.map((d) => `${hostname}.${d}`);
  return hostname.split('.').length - 1 >= search.ndots ? [hostname, ...searched] : [...searched, hostname];
}

/** Each candidate name in turn while the answer is "no such name"; any other failure ends the search. */
async function resolveSearching(resolver: Resolver, hostname: string, family: number, search: Search): Promise<LookupAddress[]> {
  for (const name of candidates(hostname, search)) {
    try {
      return await resolve(resolver, name, family);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOTFOUND') throw err;
    }
  }
  throw Object.assign(new Error(`resolve ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', syscall: 'resolve', hostname });
}

/** A and AAAA records, IPv4 first; the error of the first query that failed for another reason than "no such name". */
async function resolve(resolver: Resolver, hostname: string, family: number): Promise<LookupAddress[]> {
  const queries = [
    family === 6 ? undefined : query(resolver, 'resolve4', hostname, 4),
    family === 4 ? undefined : query(resolver, 'resolve6', hostname, 6),
  ];
  const results = await Promise.allSettled(queries.filter((q) => q !== undefined));
  const addresses = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
  if (addresses.length > 0) return addresses;
  for (const r of results) if (r.status === 'rejected' && !NOT_FOUND.has((r.reason as NodeJS.ErrnoException).code!)) throw r.reason;
  throw Object.assign(new Error(`resolve ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', syscall: 'resolve', hostname });
}

function query(resolver: Resolver, rrtype: 'resolve4' | 'resolve6', hostname: string, family: 4 | 6): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) =>
    resolver[rrtype](hostname, (err, addresses) => (err ? reject(err) : resolve(addresses.map((address) => ({ address, family }))))),
  );
}

/**
 * The lines of a system file without comments, split into words; none when it cannot be read.
 * Read synchronously on purpose: an asynchronous read would wait for the thread pool this avoids.
 */
function wordsOf(file: string, comment: RegExp): string[][] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').map((line) => line.replace(comment, '').trim().split(/\s+/));
}

/** `search` (or `domain`; the last line of either wins) and `options ndots:N`; a missing file has none. */
function readSearch(file: string): Search {
  const search: Search = { domains: [], ndots: 1 };
  for (const [keyword, ...words] of wordsOf(file, /[#;].*/)) {
    if (keyword === 'search' || keyword === 'domain') search.domains = words.map((d) => d.replace(/\.$/, '')).filter((d) => d !== '');
    if (keyword === 'options')
      for (const w of words) {
        const ndots = /^ndots:(\d+)$/.exec(w);
        if (ndots !== null) search.ndots = Math.min(15, Number(ndots[1]));
      }
  }
  return search;
}

/** `address name [aliases…]` lines, `#` to the end of a line a comment; names compared without case. */
function readHosts(file: string): Map<string, LookupAddress[]> {
  const hosts = new Map<string, LookupAddress[]>();
  for (const [address = '', ...names] of wordsOf(file, /#.*/)) {
    const family = isIP(address);
    if (family === 0) continue;
    for (const name of names) {
      const key = name.toLowerCase();
      const addresses = hosts.get(key) ?? [];
      if (!addresses.some((a) => a.address === address)) addresses.push({ address, family });
      hosts.set(key, addresses);
    }
  }
  for (const addresses of hosts.values()) addresses.sort((a, b) => a.family - b.family);
  return hosts;
}
