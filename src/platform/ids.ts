/**
 * Random bits for ids only: ids name rows and are no secret, so they may come from a pool here in
 * tier 0 (one CSPRNG call per ~400 ids; a `getRandomValues` call per id costs more than the id).
 * Every secret (tokens, seeds, codes, challenges, keys) is drawn by src/crypto instead
 * (docs/adr/0012-secret-randomness-in-crypto.md). The pool is filled by the Web Crypto API, which
 * is node:crypto's CSPRNG (docs/adr/0005-web-crypto-below-crypto.md).
 */
const pool = new Uint8Array(4096);
let poolOffset = pool.length;

/** The next `n` bytes of the pool, as a view: each byte is handed out once, and read at once. */
function drawn(n: number): Uint8Array {
  if (poolOffset + n > pool.length) {
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + n);
  poolOffset += n;
  return out;
}

/** Two lowercase hex digits for each byte value. */
const hexOf = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const hex = (byte: number): string => hexOf[byte & 0xff] ?? '';

/**
 * UUIDv7 (RFC 9562): time-ordered, so primary-key indexes stay append-friendly. Its 74 random
 * bits come from the pool above. Written out byte by byte from a table, without a Buffer: several
 * ids go into every request.
 */
export function newId(now: number = Date.now()): string {
  const random = drawn(10);
  const at = (i: number) => random[i] ?? 0;
  // 48-bit milliseconds, big-endian (exact in a double; no BigInt needed).
  const high = Math.floor(now / 2 ** 16);
  return (
    `${hex(high >>> 24)}${hex(high >>> 16)}${hex(high >>> 8)}${hex(high)}-${hex(now >>> 8)}${hex(now)}-` +
    // Version 7 in the high nibble of byte 6, variant 0b10 in the top bits of byte 8.
    `${hex(0x70 | (at(0) & 0x0f))}${hex(at(1))}-${hex(0x80 | (at(2) & 0x3f))}${hex(at(3))}-` +
    `${hex(at(4))}${hex(at(5))}${hex(at(6))}${hex(at(7))}${hex(at(8))}${hex(at(9))}`
  );
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && uuidPattern.test(value);
}
