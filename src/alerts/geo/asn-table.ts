import { readFileSync } from 'node:fs';
import type { NumericAddress } from './address.ts';

/**
 * Address ranges → autonomous system number, from CSV files of the numeric format of the
 * `@ip-location-db/asn` package: `start,end,asn,"organization"` per line, inclusive ranges, the
 * addresses as decimal numbers (IPv4 and IPv6 lines may share a file: an end above 2^32 − 1 is
 * IPv6). Kept in typed arrays (a few MB for 500,000 ranges, instead of an object per range) and
 * searched by bisection.
 */
export interface AsnTable {
  /** The AS number announcing the address, or null. */
  lookup(address: NumericAddress): number | null;
  readonly size: { ipv4: number; ipv6: number };
}

const maxIpv4 = 0xffffffff;
const low64 = (1n << 64n) - 1n;

interface Rows4 {
  start: number[];
  end: number[];
  asn: number[];
}
interface Rows6 {
  start: bigint[];
  end: bigint[];
  asn: number[];
}

function parseFile(path: string, v4: Rows4, v6: Rows6): void {
  const text = readFileSync(path, 'latin1');
  let at = 0;
  while (at < text.length) {
    let lineEnd = text.indexOf('\n', at);
    if (lineEnd === -1) lineEnd = text.length;
    // Only the first three fields: the organization's name (quoted, with commas) is not needed.
    const c1 = text.indexOf(',', at);
    const c2 = c1 === -1 ? -1 : text.indexOf(',', c1 + 1);
    const c3 = c2 === -1 ? -1 : text.indexOf(',', c2 + 1);
    if (c3 !== -1 && c3 < lineEnd) {
      const startText = text.slice(at, c1);
      const endText = text.slice(c1 + 1, c2);
      const asn = Number(text.slice(c2 + 1, c3));
      // A header or a malformed line is skipped, not fatal: the rest still locates.
      if (/^\d+$/.test(startText) && /^\d+$/.test(endText) && Number.isInteger(asn) && asn > 0) {
        if (endText.length <= 10 && Number(endText) <= maxIpv4) {
          v4.start.push(Number(startText));
          v4.end.push(Number(endText));
          v4.asn.push(asn);
        } else {
          v6.start.push(BigInt(startText));
          v6.end.push(BigInt(endText));
          v6.asn.push(asn);
        }
      }
    }
    at = lineEnd + 1;
  }
}

/** Row order by start (the shipped files are sorted: then this is the identity). */
function orderByStart<T extends number | bigint>(start: T[]): number[] {
  const order = start.map((_, i) => i);
  const sorted = start.every((value, i) => i === 0 || (start[i - 1] as T) <= value);
  if (!sorted) order.sort((a, b) => ((start[a] as T) < (start[b] as T) ? -1 : 1));
  return order;
}

/** The last index whose start is ≤ the value (starts ascending), or -1. */
function lastAtOrBelow(count: number, startAt: (i: number) => boolean): number {
  let low = 0;
  let high = count - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    if (startAt(mid)) {
      found = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}

/** Reads the tables (synchronously: the caller loads them once, on first use). */
export function loadAsnTable(paths: readonly string[]): AsnTable {
  const v4: Rows4 = { start: [], end: [], asn: [] };
  const v6: Rows6 = { start: [], end: [], asn: [] };
  for (const path of paths) parseFile(path, v4, v6);

  const order4 = orderByStart(v4.start);
  const start4 = Uint32Array.from(order4, (i) => v4.start[i] as number);
  const end4 = Uint32Array.from(order4, (i) => v4.end[i] as number);
  const asn4 = Uint32Array.from(order4, (i) => v4.asn[i] as number);

  // 128-bit values as two 64-bit halves: typed arrays instead of 100,000 BigInt objects.
  const order6 = orderByStart(v6.start);
  const n6 = order6.length;
  const startHigh = new BigUint64Array(n6);
  const startLow = new BigUint64Array(n6);
  const endHigh = new BigUint64Array(n6);
  const endLow = new BigUint64Array(n6);
  const asn6 = new Uint32Array(n6);
  order6.forEach((row, i) => {
    const start = v6.start[row] as bigint;
    const end = v6.end[row] as bigint;
    startHigh[i] = start >> 64n;
    startLow[i] = start & low64;
    endHigh[i] = end >> 64n;
    endLow[i] = end & low64;
    asn6[i] = v6.asn[row] as number;
  });
  const at6 = (high: BigUint64Array, low: BigUint64Array, i: number) =>
    ((high[i] as bigint) << 64n) | (low[i] as bigint);

  return {
    size: { ipv4: start4.length, ipv6: n6 },
    lookup(address) {
      if (address.family === 4) {
        const value = address.value;
        const i = lastAtOrBelow(start4.length, (k) => (start4[k] as number) <= value);
        return i >= 0 && value <= (end4[i] as number) ? (asn4[i] as number) : null;
      }
      const value = address.value;
      const i = lastAtOrBelow(n6, (k) => at6(startHigh, startLow, k) <= value);
      return i >= 0 && value <= at6(endHigh, endLow, i) ? (asn6[i] as number) : null;
    },
  };
}
