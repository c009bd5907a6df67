/**
 * Admin API handlers take their types from their route's schemas (`defineRoute`,
 * src/http/api/route.ts): a cast of `call.body`, `call.query` or `call.params`, or of an answer,
 * would hide a schema and its handler drifting apart.
 *
 *   node scripts/check-route-casts.ts   exit 1, printing file:line, on a cast in src/http/api/routes
 *
 * Part of `npm run check`.
 */
import { globSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const cast =
  /\bcall\.(body|query|params)\b[^;]*?\bas\b|\bas \{|\bas z\.(output|input)\b|\bas unknown\b/;

/** The lines of a route module that cast, as `file:line: code`. */
export function castsIn(file: string, text: string): string[] {
  return text
    .split('\n')
    .map((line, i) => ({ line: line.trim(), at: `${file}:${i + 1}` }))
    .filter(({ line }) => cast.test(line))
    .map(({ line, at }) => `${at}: ${line}`);
}

if (import.meta.main) {
  const root = join(import.meta.dirname, '..');
  const found = globSync('src/http/api/routes/**/*.ts', { cwd: root }).flatMap((file) =>
    castsIn(file, readFileSync(join(root, file), 'utf8')),
  );
  for (const line of found) {
    console.error(`${line} — type the route's schemas instead of casting (docs/admin-api.md)`);
  }
  if (found.length > 0) process.exitCode = 1;
}
