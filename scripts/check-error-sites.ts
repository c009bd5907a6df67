/**
 * Fails (exit 1) when `new AppError(` appears outside the registry machinery
 * (src/platform/errors.ts): every error is declared in its module's `errors.ts` and thrown
 * through that registry's raisers, so docs/errors.md lists them all.
 *
 *   node scripts/check-error-sites.ts
 */
import { globSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const machinery = 'src/platform/errors.ts';

/**
 * Files not converted yet, each named so that what is left stays visible. An entry whose file
 * no longer builds an AppError fails the check too: take it off the list.
 */
export const notYetConverted: ReadonlySet<string> = new Set([
  'src/http/api/auth.ts',
  'src/http/api/index.ts',
  'src/http/api/route.ts',
  'src/http/api/routes/access.ts',
  'src/http/api/routes/clients.ts',
  'src/http/api/routes/orgs.ts',
]);

export const buildsAppError = (text: string) => text.includes('new AppError(');

/** What is wrong, one line each, given the files (other than the machinery) that build one. */
export function errorSiteProblems(building: readonly string[]): string[] {
  const outside = building.filter((file) => file !== machinery && !notYetConverted.has(file));
  const converted = [...notYetConverted].filter((file) => !building.includes(file));
  return [
    ...outside.map(
      (file) =>
        `${file}: builds an AppError; declare it in the module's errors.ts and throw its raiser`,
    ),
    ...converted.map(
      (file) =>
        `${file}: builds no AppError any more; take it off the list in scripts/check-error-sites.ts`,
    ),
  ];
}

if (import.meta.main) {
  const root = join(import.meta.dirname, '..');
  const building = globSync('{src,test,scripts,bench}/**/*.ts', { cwd: root })
    .filter((file) => file !== 'scripts/check-error-sites.ts' && !file.endsWith('.test.ts'))
    .filter((file) => buildsAppError(readFileSync(join(root, file), 'utf8')));
  const problems = errorSiteProblems(building);
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) process.exitCode = 1;
}
