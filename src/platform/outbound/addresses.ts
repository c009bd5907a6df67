import { BlockList, isIP } from 'node:net';

/**
 * The address ranges an outbound call must not reach unless the operator allows them
 * (VIGIL_OUTBOUND_ALLOW): everything that is not a public unicast address of the Internet.
 * A webhook URL is chosen by an organization's administrator, so without this a tenant could
 * make Vigil call its own loopback services, the private network or the cloud metadata service
 * (169.254.169.254) and read the answer through the delivery log.
 */
const refusedRanges: [range: string, network: string, prefix: number][] = [
  ['unspecified', '0.0.0.0', 8],
  ['private', '10.0.0.0', 8],
  ['carrier-grade NAT', '100.64.0.0', 10],
  ['loopback', '127.0.0.0', 8],
  ['link-local', '169.254.0.0', 16],
  ['private', '172.16.0.0', 12],
  ['reserved', '192.0.0.0', 24],
  ['documentation', '192.0.2.0', 24],
  ['reserved', '192.88.99.0', 24],
  ['private', '192.168.0.0', 16],
  ['benchmarking', '198.18.0.0', 15],
  ['documentation', '198.51.100.0', 24],
  ['documentation', '203.0.113.0', 24],
  ['multicast', '224.0.0.0', 4],
  ['broadcast', '255.255.255.255', 32],
  ['reserved', '240.0.0.0', 4],
  ['unspecified', '::', 128],
  ['loopback', '::1', 128],
  // IPv4-compatible (deprecated) and NAT64 addresses carry an IPv4 address the gateway reaches.
  ['reserved', '::', 96],
  ['reserved', '64:ff9b::', 96],
  ['reserved', '64:ff9b:1::', 48],
  ['reserved', '100::', 64],
  ['benchmarking', '2001:2::', 48],
  ['documentation', '2001:db8::', 32],
  ['reserved', '2002::', 16],
  ['private', 'fc00::', 7],
  ['link-local', 'fe80::', 10],
  ['reserved', 'fec0::', 10],
  ['multicast', 'ff00::', 8],
];

const familyOf = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

const refused = refusedRanges.map(([range, network, prefix]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, familyOf(network));
  return { range, list };
});

/** The eight 16-bit groups of an IPv6 address (`::` expanded, a dotted IPv4 tail converted). */
function groupsOf(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted.split('.').map(Number);
    text = `${text.slice(0, -dotted.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part ? part.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
}

/**
 * The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, `::ffff:a00:1`), so
 * that it is judged as the IPv4 address it reaches; any other address as it is.
 */
export function unmapped(address: string): string {
  if (isIP(address) !== 6) return address;
  const groups = groupsOf(address);
  if (groups.slice(0, 5).some((g) => g !== 0) || groups[5] !== 0xffff) return address;
  const [high = 0, low = 0] = groups.slice(6);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** The kind of non-public range `address` is in (`loopback`, `private`, …), or null. */
export function refusedRangeOf(address: string): string | null {
  const plain = unmapped(address);
  const family = familyOf(plain);
  return refused.find(({ list }) => list.check(plain, family))?.range ?? null;
}

/**
 * The operator's exceptions (VIGIL_OUTBOUND_ALLOW): host names, addresses and CIDR networks.
 * A name is allowed as written (case-insensitive, no wildcards); an address or network allows
 * every host that resolves into it.
 */
export interface AllowList {
  allowsName(host: string): boolean;
  allowsAddress(address: string): boolean;
}

export function allowListOf(entries: readonly string[]): AllowList {
  const names = new Set<string>();
  const networks = new BlockList();
  for (const raw of entries) {
    const entry = raw
      .trim()
      .toLowerCase()
      .replace(/^\[(.*)\]$/, '$1');
    const [network = '', prefixText] = entry.split('/');
    const family = isIP(network);
    if (family === 0) {
      names.add(entry.replace(/\.$/, ''));
      continue;
    }
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max)
      throw new RangeError(`VIGIL_OUTBOUND_ALLOW: ${raw} is not a valid network`);
    networks.addSubnet(network, prefix, familyOf(network));
  }
  return {
    allowsName: (host) => names.has(host.toLowerCase().replace(/\.$/, '')),
    allowsAddress: (address) => {
      const plain = unmapped(address);
      return (
        networks.check(plain, familyOf(plain)) ||
        (plain !== address && networks.check(address, familyOf(address)))
      );
    },
  };
}
