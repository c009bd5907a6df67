import { isUuid } from '../platform/index.ts';
import { cryptoErrors } from './errors.ts';
import { constantTimeEqual, randomBytesOf, sha256 } from './primitives.ts';

/**
 * Split tokens (`<id>.<secret>`): the id finds the row, only SHA-256(secret) is stored, and the
 * presented secret is compared in constant time (docs/architecture.md#invariant-2, #invariant-8).
 */
export interface SplitToken {
  id: string;
  /** What the holder gets, once: `<id>.<secret>`. */
  token: string;
  secretHash: Buffer;
}

export function createSplitToken(id: string, secretBytes = 32): SplitToken {
  const secret = randomBytesOf(secretBytes).toString('base64url');
  return { id, token: `${id}.${secret}`, secretHash: sha256(secret) };
}

export function parseSplitToken(token: string): { id: string; secret: string } {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot === token.length - 1 || token.length > 512) {
    throw cryptoErrors.tokenMalformed();
  }
  return { id: token.slice(0, dot), secret: token.slice(dot + 1) };
}

/**
 * The parts of a presented token, or null when it is malformed or its id is not a UUID (every
 * split token Vigil issues has a UUIDv7 id): callers then answer "invalid" without a lookup.
 */
export function readSplitToken(token: string): { id: string; secret: string } | null {
  try {
    const parsed = parseSplitToken(token);
    return isUuid(parsed.id) ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * The parts of a credential presented as `<prefix><id>.<secret>` (API keys, SCIM tokens), or null
 * when it lacks the prefix or is malformed: the caller answers "invalid" without a lookup.
 */
export function readPrefixedToken(
  presented: string,
  prefix: string,
): { id: string; secret: string } | null {
  return presented.startsWith(prefix) ? readSplitToken(presented.slice(prefix.length)) : null;
}

/** What a secret is compared with when its id found no row, so that it costs what a known one does. */
const unknownTokenHash = sha256(randomBytesOf(32));

/**
 * Whether `secret` is the one whose hash is stored, in constant time. `storedHash` undefined (the
 * id found no row) is compared with a random hash and never matches: an unknown id is not told
 * apart from a wrong secret by the time it takes.
 */
export function splitTokenMatches(secret: string, storedHash: Uint8Array | undefined): boolean {
  return constantTimeEqual(sha256(secret), storedHash ?? unknownTokenHash);
}

/** A credential's last use is written at most once a minute, so a busy one is not a write a request. */
const useRecordIntervalMs = 60_000;

/** Whether a use at `now` should be recorded, given the one last recorded. */
export function useWorthRecording(lastUsedAt: Date | null, now: Date): boolean {
  return !lastUsedAt || now.getTime() - lastUsedAt.getTime() >= useRecordIntervalMs;
}

/** A random opaque string of `bytes` bytes of entropy, base64url. */
export function randomToken(bytes = 32): string {
  return randomBytesOf(bytes).toString('base64url');
}
