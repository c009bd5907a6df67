/**
 * `n` random bytes, copied out of a pool refilled 4 KiB at a time: one CSPRNG call per ~400 ids
 * or ~100 tokens instead of one each (as node:crypto's randomUUID does; each call into OpenSSL
 * costs more than the copy). Each byte is handed out once. The pool is filled by the Web Crypto
 * API, which is node:crypto's CSPRNG (DESIGN §5.8), since platform sits below src/crypto; src/crypto's
 * `randomBytesOf` draws from here too.
 */
const pool = new Uint8Array(4096);
export const maxPooled = 256;
let poolOffset = pool.length;
export function pooledRandomBytes(n: number): Uint8Array {
  if (n > maxPooled) throw new RangeError(`at most ${maxPooled} pooled random bytes at a time`);
  return drawn(n).slice();
}

/** The next `n` bytes of the pool, as a view: for callers that read them at once. */
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
