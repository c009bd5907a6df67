import { readFileSync } from 'node:fs';
import type { NumericAddress } from './address.ts';

/**
 * Address ranges → autonomous system number, from CSV files of the numeric format of the
 * `@ip-location-db/asn` package: `start,end,asn,"organization"` per line, inclusive ranges, the
 * addresses as decimal numbers (IPv4 and IPv6 lines may share a file: an end above 2^32 − 1 is
 * IPv6). Kept in typed arrays (under 10 MB for the 515,000 shipped ranges, where an object or
 * a BigInt per range would take several times that) and searched by bisection.
 */
export interface AsnTable {
  /** The AS number announcing the address, or null. */
  lookup(address: NumericAddress): number | null;
  readonly size: { ipv4: number; ipv6: number };
}

const maxIpv4 = 0xffffffff;
const low64 = (1n << 64n) - 1n;

/** A typed array that grows as rows are pushed (the files' row counts are not known ahead). */
function growable<A extends Uint32Array | BigUint64Array>(make: (length: number) => A) {
  let array = make(1024);
  let length = 0;
  return {
    push(value: A extends Uint32Array ? number : bigint) {
      if (length === array.length) {
        const larger = make(array.length * 2);
        larger.set(array as never);
        array = larger;
      }
      array[length++] = value;
    },
    /** The values pushed, in the order given by `order` (row indexes). */
    ordered(order: Uint32Array): A {
      const out = make(order.length);
      for (let i = 0; i < order.length; i++) out[i] = array[order[i] as number] as never;
      return out;
    },
    at(i: number) {
      return array[i] as A extends Uint32Array ? number : bigint;
    },
    get length() {
      return length;
    },
  };
}

type Column32 = ReturnType<typeof growable<Uint32Array>>;
type Column64 = ReturnType<typeof growable<BigUint64Array>>;

interface Columns {
  v4: { start: Column32; end: Column32; asn: Column32 };
  v6: {
    startHigh: Column64;
    startLow: Column64;
    endHigh: Column64;
    endLow: Column64;
    asn: Column32;
  };
}

function parseFile(path: string, columns: Columns): void {
  const text = readFileSync(path, 'latin1');
  const { v4, v6 } = columns;
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
          const start = BigInt(startText);
          const end = BigInt(endText);
          v6.startHigh.push(start >> 64n);
          v6.startLow.push(start & low64);
          v6.endHigh.push(end >> 64n);
          v6.endLow.push(end & low64);
          v6.asn.push(asn);
        }
      }
    }
    at = lineEnd + 1;
  }
}

/** Row indexes by ascending start (the shipped files are sorted: then no sort is needed). */
function orderBy(count: number, before: (a: number, b: number) => boolean): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  let sorted = true;
  for (let i = 1; i < count && sorted; i++) if (before(i, i - 1)) sorted = false;
  if (!sorted) order.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  return order;
}

/** The last index whose start is ≤ the value (starts ascending), or -1. */
function lastAtOrBelow(count: number, startAtOrBelow: (i: number) => boolean): number {
  let low = 0;
  let high = count - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    if (startAtOrBelow(mid)) {
      found = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}

/** The IPv4 rows as three columns sorted by start. */
function sorted4(v4: Columns['v4']) {
  const order = orderBy(v4.start.length, (a, b) => v4.start.at(a) < v4.start.at(b));
  return { start: v4.start.ordered(order), end: v4.end.ordered(order), asn: v4.asn.ordered(order) };
}

/** The IPv6 rows sorted by start (high half, then low half). */
function sorted6(v6: Columns['v6']) {
  const { startHigh: high, startLow: low } = v6;
  const order = orderBy(
    high.length,
    (a, b) => high.at(a) < high.at(b) || (high.at(a) === high.at(b) && low.at(a) < low.at(b)),
  );
  return {
    startHigh: high.ordered(order),
    startLow: low.ordered(order),
    endHigh: v6.endHigh.ordered(order),
    endLow: v6.endLow.ordered(order),
    asn: v6.asn.ordered(order),
  };
}

/**
 * The search over the sorted columns. A function of its own so that its closure holds only the
 * final arrays, not the growable ones they were copied from.
 */
function searchable(t4: ReturnType<typeof sorted4>, t6: ReturnType<typeof sorted6>): AsnTable {
  const v6At = (high: BigUint64Array, low: BigUint64Array, i: number) =>
    ((high[i] as bigint) << 64n) | (low[i] as bigint);
  return {
    size: { ipv4: t4.start.length, ipv6: t6.asn.length },
    lookup(address) {
      if (address.family === 4) {
        const value = address.value;
        const i = lastAtOrBelow(t4.start.length, (k) => (t4.start[k] as number) <= value);
        return i >= 0 && value <= (t4.end[i] as number) ? (t4.asn[i] as number) : null;
      }
      const value = address.value;
      const i = lastAtOrBelow(t6.asn.length, (k) => v6At(t6.startHigh, t6.startLow, k) <= value);
      return i >= 0 && value <= v6At(t6.endHigh, t6.endLow, i) ? (t6.asn[i] as number) : null;
    },
  };
}

/** Reads the tables (synchronously: the caller loads them once, on first use). */
export function loadAsnTable(paths: readonly string[]): AsnTable {
  const columns: Columns = {
    v4: {
      start: growable((n) => new Uint32Array(n)),
      end: growable((n) => new Uint32Array(n)),
      asn: growable((n) => new Uint32Array(n)),
    },
    v6: {
      startHigh: growable((n) => new BigUint64Array(n)),
      startLow: growable((n) => new BigUint64Array(n)),
      endHigh: growable((n) => new BigUint64Array(n)),
      endLow: growable((n) => new BigUint64Array(n)),
      asn: growable((n) => new Uint32Array(n)),
    },
  };
  for (const path of paths) parseFile(path, columns);
  return searchable(sorted4(columns.v4), sorted6(columns.v6));
}
