import { randomBytesOf } from '../../crypto/index.ts';

/** Letters and digits nobody misreads when copying them (no 0/O, 1/l/I). */
const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
/** The largest multiple of the alphabet's size under 256: bytes above it are drawn again. */
const unbiased = 256 - (256 % alphabet.length);
const group = 5;

function randomChars(count: number): string {
  let chars = '';
  while (chars.length < count) {
    for (const byte of randomBytesOf(count)) {
      if (byte < unbiased && chars.length < count) chars += alphabet[byte % alphabet.length];
    }
  }
  return chars;
}

const allClasses = (chars: string) =>
  /[a-z]/.test(chars) && /[A-Z]/.test(chars) && /\d/.test(chars);

/**
 * A temporary password an administrator hands over and the user replaces at their first
 * sign-in: groups of five characters joined by hyphens, at least `minLength` long (never under
 * 23, about 116 random bits), with lowercase and uppercase letters, digits and a symbol, so that
 * every policy's composition rules accept it.
 */
export function temporaryPassword(minLength: number): string {
  const groups = Math.max(4, Math.ceil((minLength + 1) / (group + 1)));
  let chars: string;
  do chars = randomChars(groups * group);
  while (!allClasses(chars));
  return Array.from({ length: groups }, (_, i) => chars.slice(i * group, (i + 1) * group)).join(
    '-',
  );
}
