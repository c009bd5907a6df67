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

/** The next `n` bytes of the pool, as a view: for callers that copy them at once. */
function drawn(n: number): Uint8Array {
  if (poolOffset + n > pool.length) {
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + n);
  poolOffset += n;
  return out;
}

/**
 * UUIDv7 (RFC 9562): time-ordered, so primary-key indexes stay append-friendly.
 * The random bits come from the Web Crypto API, which is node:crypto's CSPRNG (DESIGN §5.8);
 * the global is used because only src/crypto may import node:crypto and platform sits below it.
 */
export function newId(now: number = Date.now()): string {
  const bytes = new Uint8Array(16);
  bytes.set(drawn(10), 6);
  // 48-bit milliseconds, big-endian (exact in a double; no BigInt needed).
  const high = Math.floor(now / 2 ** 16);
  bytes[0] = (high >>> 24) & 0xff;
  bytes[1] = (high >>> 16) & 0xff;
  bytes[2] = (high >>> 8) & 0xff;
  bytes[3] = high & 0xff;
  bytes[4] = (now >>> 8) & 0xff;
  bytes[5] = now & 0xff;
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && uuidPattern.test(value);
}
