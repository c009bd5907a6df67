import { hash, verify } from '@node-rs/argon2';

/** `Algorithm.Argon2id` of @node-rs/argon2 (a const enum, which erasable TypeScript cannot import). */
const argon2id = 2;

/** argon2id with OWASP's parameters (DESIGN §1); they travel inside the encoded hash. */
export const passwordHashParams = {
  algorithm: argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFKC'), passwordHashParams);
}

export async function verifyPassword(encoded: string, password: string): Promise<boolean> {
  try {
    return await verify(encoded, password.normalize('NFKC'));
  } catch {
    return false;
  }
}

/** True when the stored hash was made with other parameters and should be rehashed at sign-in. */
export function passwordNeedsRehash(encoded: string): boolean {
  const p = passwordHashParams;
  return !encoded.startsWith(
    `$argon2id$v=19$m=${p.memoryCost},t=${p.timeCost},p=${p.parallelism}$`,
  );
}
