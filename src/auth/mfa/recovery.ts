import { randomBytesOf } from '../../crypto/index.ts';

/** Ten single-use recovery codes of 10 characters (50 bits each), grouped for reading aloud. */
export const recoveryCodeCount = 10;
const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U

export function newRecoveryCode(): string {
  const bytes = randomBytesOf(10);
  const chars = [...bytes].map((b) => alphabet[b % 32]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** Case, spaces and dashes do not matter; confusable letters read as the digits they resemble. */
export function normalizeRecoveryCode(input: string): string {
  const raw = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return raw.length === 10 ? `${raw.slice(0, 5)}-${raw.slice(5)}` : raw;
}
