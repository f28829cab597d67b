import ipaddr from 'ipaddr.js';

/** IPv6 global unicast (RFC 4291 §2.4): everything else in IPv6 is special or unassigned. */
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');
/** The well-known NAT64 prefix (RFC 6052 §2.1), whose last 32 bits are an IPv4 address. */
const NAT64 = ipaddr.parseCIDR('64:ff9b::/96');
/** Ranges no receiver can live in, whatever a deployment allows. */
const NEVER = new Set(['unspecified', 'multicast', 'broadcast']);

/**
 * The range an address belongs to: `public` for a globally routable unicast address, otherwise
 * ipaddr.js's name for it (`loopback`, `private`, `linkLocal`, `carrierGradeNat`, `uniqueLocal`,
 * `unspecified`, `multicast`, `broadcast`, `reserved`, …; `invalid` when it is not an address).
 * IPv6 forms that carry an IPv4 address (IPv4-mapped, RFC 6145 translated, well-known NAT64) are
 * judged by that address; IPv4-compatible addresses (`::a.b.c.d`, deprecated) and other IPv6
 * space outside 2000::/3 are not public.
 */
export function addressRange(address: string): string {
  const bare = unbracketed(address);
  if (!ipaddr.isValid(bare)) return 'invalid';
  // ipaddr.js reads `::a.b.c.d` as IPv4-mapped; the system reads it as IPv4-compatible, in ::/96.
  if (/^::(\d{1,3}\.){3}\d{1,3}$/.test(bare)) return 'reserved';
  const parsed = ipaddr.parse(bare);
  if (parsed.kind() === 'ipv4') return v4Range(parsed as ipaddr.IPv4);
  const v6 = parsed as ipaddr.IPv6;
  const range = v6.range();
  if (range === 'ipv4Mapped' || range === 'rfc6145' || v6.match(NAT64)) return v4Range(embeddedV4(v6));
  if (range === 'unicast' && !v6.match(GLOBAL_UNICAST)) return 'reserved';
  return range === 'unicast' ? 'public' : range;
}

/** `[::1]`, as URLs write IPv6 hosts, is `::1`. */
function unbracketed(address: string): string {
  return address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
}

function v4Range(v4: ipaddr.IPv4): string {
  const range = v4.range();
  return range === 'unicast' ? 'public' : range;
}

function embeddedV4(v6: ipaddr.IPv6): ipaddr.IPv4 {
  const bytes = v6.toByteArray();
  return new ipaddr.IPv4(bytes.slice(12));
}

/**
 * Which addresses outbound requests may reach: public ones always; others per `allowPrivate`:
 * `false` none, `true` any unicast address (loopback and link-local included), or a list of
 * CIDRs (`10.20.0.0/16`, `fd00:1::/64`, or bare addresses) that may be reached besides.
 * Unspecified, multicast and broadcast addresses are never allowed.
 */
export function addressPolicy(allowPrivate: boolean | readonly string[]): (address: string) => boolean {
  const networks = typeof allowPrivate === 'boolean' ? [] : allowPrivate.map(parseNetwork);
  return (address) => {
    const range = addressRange(address);
    if (range === 'public') return true;
    if (range === 'invalid' || NEVER.has(range) || allowPrivate === false) return false;
    if (allowPrivate === true) return true;
    const parsed = ipaddr.process(unbracketed(address));
    return networks.some(([net, bits]) => net.kind() === parsed.kind() && parsed.match(net, bits));
  };
}

/** A CIDR or a bare address as a network; throws on anything else. */
export function parseNetwork(cidr: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  if (ipaddr.isValidCIDR(cidr)) {
    const [net, bits] = ipaddr.parseCIDR(cidr);
    // An IPv4-mapped network is kept as the IPv4 one, as addresses are compared after ipaddr.process().
    if (net.kind() === 'ipv6' && (net as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96)
      return [(net as ipaddr.IPv6).toIPv4Address(), bits - 96];
    return [net, bits];
  }
  if (ipaddr.isValid(cidr)) {
    const address = ipaddr.process(cidr);
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  }
  throw new Error(`not an address or CIDR: ${cidr.slice(0, 64)}`);
}
