import { isIPv4, isIPv6 } from 'node:net';

/** An address as a number: IPv4 as 32 bits, IPv6 as 128 bits. */
export type NumericAddress = { family: 4; value: number } | { family: 6; value: bigint };

function ipv4Value(ip: string): number {
  const [a = 0, b = 0, c = 0, d = 0] = ip.split('.').map(Number);
  return ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
}

/** The eight 16-bit groups of a valid IPv6 address (a trailing dotted quad becomes two groups). */
function ipv6Groups(ip: string): number[] {
  let text = ip;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = ipv4Value(tail);
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  if (rest === undefined) return left;
  const right = parse(rest);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

const ipv4MappedPrefix = 0xffffn << 32n; // ::ffff:0:0/96
const nat64Prefix = 0x64ff9bn << 96n; // 64:ff9b::/96 (RFC 6052): the IPv4 address it translates to
const low32 = 0xffffffffn;

/**
 * Parses an address as the audit log records it (a zone suffix such as `%eth0` is dropped).
 * IPv4-mapped and NAT64 IPv6 addresses are the IPv4 address they carry: that is where the
 * client is. Null for anything that is not an address.
 */
export function numericAddress(ip: string): NumericAddress | null {
  const text = ip.trim().split('%')[0] ?? '';
  if (isIPv4(text)) return { family: 4, value: ipv4Value(text) };
  if (!isIPv6(text)) return null;
  let value = 0n;
  for (const group of ipv6Groups(text)) value = (value << 16n) | BigInt(group);
  const prefix96 = value & ~low32;
  if (prefix96 === ipv4MappedPrefix || prefix96 === nat64Prefix)
    return { family: 4, value: Number(value & low32) };
  return { family: 6, value };
}

type Range4 = readonly [base: string, bits: number];

/**
 * IPv4 ranges that are not a place on the public Internet (IANA special-purpose registry,
 * RFC 6890): this host, private (RFC 1918), shared CGNAT (RFC 6598), loopback, link-local,
 * IETF protocol assignments, documentation (RFC 5737), benchmarking, multicast and reserved.
 */
const notPublic4: readonly Range4[] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

/**
 * The same for IPv6: unspecified and loopback, discard-only (RFC 6666), documentation
 * (RFC 3849, RFC 9637), unique local (RFC 4193), link-local, multicast.
 */
const notPublic6: readonly Range4[] = [
  ['::', 127],
  ['100::', 64],
  ['2001:db8::', 32],
  ['3fff::', 20],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
];

const ranges4 = notPublic4.map(([base, bits]) => {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { network: (ipv4Value(base) & mask) >>> 0, mask };
});
const ranges6 = notPublic6.map(([base, bits]) => {
  const parsed = numericAddress(base) as { value: bigint };
  const mask = ((1n << BigInt(bits)) - 1n) << BigInt(128 - bits);
  return { network: parsed.value & mask, mask };
});

/** Private, loopback, link-local, CGNAT, documentation, multicast or reserved. */
export function isNotPublic(address: NumericAddress): boolean {
  if (address.family === 4)
    return ranges4.some((r) => (address.value & r.mask) >>> 0 === r.network);
  return ranges6.some((r) => (address.value & r.mask) === r.network);
}

/**
 * The address's /24 (IPv4) or /48 (IPv6) in CIDR notation: the network when the ASN table
 * does not know it (a /24 is the smallest block routed on the Internet; a /48, a site).
 */
export function prefixOf(address: NumericAddress): string {
  if (address.family === 4) {
    const v = address.value;
    return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.0/24`;
  }
  const groups = [112n, 96n, 80n].map((shift) => Number((address.value >> shift) & 0xffffn));
  while (groups.length > 0 && groups[groups.length - 1] === 0) groups.pop();
  return `${groups.map((g) => g.toString(16)).join(':')}::/48`;
}
