import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorSiteProblems } from '../scripts/check-error-sites.ts';
import { replaceSection } from '../scripts/generated-doc.ts';

// Typed registries: errors are built only by src/platform/errors.ts, from each module's errors.ts.

test('an AppError built outside the registry machinery is named, the machinery is not', () => {
  assert.deepEqual(errorSiteProblems(['src/platform/errors.ts']), []);
  assert.deepEqual(errorSiteProblems(['src/platform/errors.ts', 'src/rbac/service.ts']), [
    "src/rbac/service.ts: builds an AppError; declare it in the module's errors.ts and throw its raiser",
  ]);
});

test('a generated section replaces only what is between its markers', () => {
  const doc = [
    'intro',
    '<!-- list: generated, do not edit by hand -->',
    'old',
    '<!-- /list -->',
    'outro',
  ].join('\n');
  assert.equal(
    replaceSection(doc, 'list', 'new\n'),
    [
      'intro',
      '<!-- list: generated, do not edit by hand -->',
      'new',
      '<!-- /list -->',
      'outro',
    ].join('\n'),
  );
  assert.throws(() => replaceSection('no markers', 'list', 'new\n'), /has no <!-- list/);
});
