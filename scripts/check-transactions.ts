/**
 * Only use cases open transactions (docs/adr/0011-transaction-owner.md).
 *
 *   node scripts/check-transactions.ts   exit 1, printing file:line, when a file under src/ that is
 *                                        not a use-case file names withOrg, withPlatform or
 *                                        platformStatement
 *
 * Part of `npm run check`. Tests (`*.test.ts`) set up state and may open scopes freely.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** The files allowed to open a transaction, each with the reason (ADR 0011). */
export const transactionOwners: readonly { pattern: RegExp; why: string }[] = [
  { pattern: /^src\/platform\/db\/scope\.ts$/, why: 'defines the scopes' },
  { pattern: /^src\/platform\/index\.ts$/, why: "re-exports them as platform's API" },
  { pattern: /^src\/([a-z-]+\/)?[a-z-]+\/service\.ts$/, why: "a module's service" },
  { pattern: /^src\/auth\/flows\/([a-z-]+\/)*[a-z-]+\.ts$/, why: 'a flow and its steps' },
  {
    pattern: /^src\/crypto\/(keyring|platform-keys|rotation)\.ts$/,
    why: "crypto's key services",
  },
  {
    pattern: /^src\/audit\/(sealer|verify|export)\.ts$/,
    why: "the audit log's sealing, verification and export use cases",
  },
  {
    pattern: /^src\/audit\/(archive|archive-restore|archive-service)\.ts$/,
    why: "the audit archive's rounds, restore and purge: each month's step a transaction of its own",
  },
  { pattern: /^src\/compliance\/access-exports\.ts$/, why: "compliance's export service" },
  {
    pattern: /^src\/siem\/runner\.ts$/,
    why: "the SIEM streams' rounds: each stream's batch and its position a transaction of its own",
  },
  {
    pattern: /^src\/lifecycle\/schedule\.ts$/,
    why: "the lifecycle schedule's rounds: each user decided in a transaction of its own",
  },
  {
    pattern: /^src\/reviews\/schedule\.ts$/,
    why: "the review schedule's rounds: each launch and each campaign's step a transaction of its own",
  },
  {
    pattern: /^src\/compliance\/controls\/runner\.ts$/,
    why: "the compliance checks' runs: each organization's controls in a transaction of its scope",
  },
  { pattern: /^src\/auth\/lockout\/devices\.ts$/, why: "lockout's trusted-devices service" },
  {
    pattern: /^src\/scim\/(call|tokens|groups|group-roles)\.ts$/,
    why: "SCIM's use cases: each SCIM request one transaction in the token's organization (call.ts)",
  },
  {
    pattern: /^src\/oauth\/(adapter|provider|provider-audit|logout|signing-keys)\.ts$/,
    why: "oauth's storage port and hooks, called by oidc-provider",
  },
  {
    pattern: /^src\/federation\/certificates\.ts$/,
    why: "the SSO certificate inventory's listing for the CLI, in the organization's scope",
  },
  {
    pattern: /^src\/saml\/(context|logout)\.ts$/,
    why: "the SAML IdP's use cases beside its service: the shared refusal and single logout",
  },
  {
    pattern: /^src\/http\/api\/index\.ts$/,
    why: "the admin API's route runner: the handler and its audit events in the route's scope",
  },
];

const opener = /\b(withOrg|withPlatform|platformStatement)\b/;
const storeFile = /(^|\/)([a-z-]+\.)?store\.ts$/;

export interface Violation {
  file: string;
  line: number;
  name: string;
}

/** Whether `file` (relative to the repository, with `/`) may open a transaction. */
export function mayOpenTransactions(file: string): boolean {
  if (storeFile.test(file)) return false;
  return transactionOwners.some((owner) => owner.pattern.test(file));
}

/** The lines of `text` (the contents of `file`) that name an opener although they may not. */
export function violationsIn(file: string, text: string): Violation[] {
  if (file.endsWith('.test.ts') || mayOpenTransactions(file)) return [];
  const found: Violation[] = [];
  text.split('\n').forEach((content, index) => {
    const code = content.trim();
    if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/*')) return;
    const match = opener.exec(code);
    if (match?.[1]) found.push({ file, line: index + 1, name: match[1] });
  });
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

if (import.meta.main) {
  const root = join(import.meta.dirname, '..');
  const violations = sourceFiles(join(root, 'src')).flatMap((path) =>
    violationsIn(relative(root, path).split(sep).join('/'), readFileSync(path, 'utf8')),
  );
  for (const v of violations) {
    process.stderr.write(
      `${v.file}:${v.line}: ${v.name} — only use cases (services, flows) open transactions; call one instead (docs/adr/0011-transaction-owner.md)\n`,
    );
  }
  if (violations.length > 0) process.exit(1);
}
