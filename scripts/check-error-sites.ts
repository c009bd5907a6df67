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

export const buildsAppError = (text: string) => text.includes('new AppError(');

/** What is wrong, one line each, given the files that build an AppError. */
export function errorSiteProblems(building: readonly string[]): string[] {
  return building
    .filter((file) => file !== machinery)
    .map(
      (file) =>
        `${file}: builds an AppError; declare it in the module's errors.ts and throw its raiser`,
    );
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
