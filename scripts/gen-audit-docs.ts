/**
 * Generates the list of audit actions in docs/audit.md (its "Actions" section) from the catalog
 * in src/platform/audit-actions.ts.
 *
 *   node scripts/gen-audit-docs.ts           rewrite the section
 *   node scripts/gen-audit-docs.ts --check   exit 1 when the section is stale
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditActions } from '../src/platform/audit-actions.ts';
import { cell, replaceSection, root, writeOrCheck } from './generated-doc.ts';

const target = join(root, 'docs', 'audit.md');

function section(): string {
  const rows = Object.entries(auditActions).map(
    ([action, description]) => `| \`${action}\` | ${cell(description)} |`,
  );
  return [
    '',
    `Every action Vigil records (${rows.length}), from \`src/platform/audit-actions.ts\` by`,
    '`node scripts/gen-audit-docs.ts`. The actor is whoever acted (a user, an API key, a client,',
    'the operator at the CLI, or the system); `details` holds the context a description mentions.',
    '',
    '| action | what happened; target |',
    '| --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

writeOrCheck(
  target,
  replaceSection(readFileSync(target, 'utf8'), 'audit-actions', section()),
  'scripts/gen-audit-docs.ts',
  process.argv.slice(2),
);
