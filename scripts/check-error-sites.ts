/**
 * Fails (exit 1) when `new AppError(` appears outside the registry machinery
 * (src/platform/errors.ts): every error is declared in its module's `errors.ts` and thrown
 * through that registry's raisers, so docs/errors.md lists them all.
 *
 *   node scripts/check-error-sites.ts
 */
import { globSync, readFileSync } from 'node:fs';
import { root } from './generated-doc.ts';

const machinery = 'src/platform/errors.ts';

/**
 * Files not converted yet, each named so that what is left stays visible. An entry whose file
 * no longer builds an AppError fails the check too: take it off the list.
 */
const notYetConverted = new Set([
  'src/auth/flows/account.ts',
  'src/http/api/auth.ts',
  'src/http/api/index.ts',
  'src/http/api/route.ts',
  'src/http/api/routes/access.ts',
  'src/http/api/routes/clients.ts',
  'src/http/api/routes/orgs.ts',
]);

const building = globSync('{src,test,scripts,bench}/**/*.ts', { cwd: root })
  .filter((file) => readFileSync(`${root}/${file}`, 'utf8').includes('new AppError('))
  .filter((file) => file !== machinery && file !== 'scripts/check-error-sites.ts');

const outside = building.filter((file) => !notYetConverted.has(file));
const converted = [...notYetConverted].filter((file) => !building.includes(file));
for (const file of outside)
  console.error(
    `${file}: builds an AppError; declare it in the module's errors.ts and throw its raiser`,
  );
for (const file of converted)
  console.error(
    `${file}: builds no AppError any more; take it off the list in scripts/check-error-sites.ts`,
  );
if (outside.length + converted.length > 0) process.exitCode = 1;
