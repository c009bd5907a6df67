import { z } from 'zod';
import { domainErrors } from './errors.ts';

/** Where a claimed domain serves its verification file (HTTPS only, port 443). */
export const verificationPath = '/.well-known/vigil-domain-verification.txt';

/** Separates these signatures from everything else the platform key signs. */
export const statementContext = 'vigil:sso-domain-verification:v1';

/** The same pattern as the table's CHECK: two labels or more, letters, digits, inner hyphens. */
const domainPattern = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

/** A claimed domain as the API shows it (docs/sso.md#home-realm-discovery-and-domains). */
export interface SsoDomain {
  id: string;
  domain: string;
  connectionId: string | null;
  verification: 'file' | 'attestation' | null;
  verifiedAt: Date | null;
  verifiedBy: string | null;
  /** What to publish, and where, for the file verification. */
  verificationFile: { url: string; content: string };
  createdAt: Date;
}

export const domainInputSchema = z
  .object({ domain: z.string().max(253), connectionId: z.uuid().nullable().optional() })
  .strict();
export const domainUpdateSchema = z.object({ connectionId: z.uuid().nullable() }).strict();
export const verifyInputSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('file') }).strict(),
  z
    .object({ method: z.literal('attestation'), statement: z.string().trim().min(10).max(2000) })
    .strict(),
]);
export type VerifyInput = z.output<typeof verifyInputSchema>;

/**
 * The domain as stored: lowercased, without a trailing dot. Refused when it is not a DNS name
 * of two labels or more (no ports, paths, wildcards or IP addresses).
 */
export function normalizeDomain(value: string): string {
  const domain = value.trim().toLowerCase().replace(/\.$/, '');
  const problem =
    domain.length > 253
      ? 'longer than 253 characters'
      : !domainPattern.test(domain)
        ? 'letters, digits, hyphens and dots only, two labels or more'
        : domain.split('.').some((label) => label.length > 63)
          ? 'a label is longer than 63 characters'
          : /^[0-9.]+$/.test(domain)
            ? 'an IP address, not a name'
            : null;
  if (problem)
    throw domainErrors.domainInvalid({
      domain: value.slice(0, 260),
      problem,
      // Named by its field too, so that a form shows it next to the domain.
      details: { errors: [{ path: 'domain', message: problem }] },
    });
  return domain;
}

/** The domain of an email address (lowercased), or null when it has none. */
export function domainOfEmail(email: string): string | null {
  const at = email.trim().lastIndexOf('@');
  if (at < 1) return null;
  try {
    return normalizeDomain(email.trim().slice(at + 1));
  } catch {
    return null;
  }
}

/** What a verification file states: the organization, the domain and the claim's date. */
export interface Statement {
  orgId: string;
  domain: string;
  /** YYYY-MM-DD (UTC) of the claim. */
  date: string;
}

export const statementText = (s: Statement): string =>
  `organization=${s.orgId}\ndomain=${s.domain}\ndate=${s.date}`;

/** The file's text: the statement, the signing key's id and the signature, one field a line. */
export function fileContent(s: Statement, keyId: string, signature: string): string {
  return [
    '# Vigil domain verification: serve this file unchanged at',
    `# https://${s.domain}${verificationPath}`,
    'vigil-domain-verification=v1',
    statementText(s),
    `key=${keyId}`,
    `signature=${signature}`,
    '',
  ].join('\n');
}

/** The fields of a fetched file (comments and blank lines skipped), or null when malformed. */
export function parseFile(
  text: string,
): { statement: Statement; keyId: string; signature: string } | null {
  const fields = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 1) return null;
    const name = line.slice(0, eq);
    // A field given twice is refused: which one counts would be the reader's guess.
    if (fields.has(name)) return null;
    fields.set(name, line.slice(eq + 1));
  }
  const orgId = fields.get('organization');
  const domain = fields.get('domain');
  const date = fields.get('date');
  const keyId = fields.get('key');
  const signature = fields.get('signature');
  if (fields.get('vigil-domain-verification') !== 'v1') return null;
  if (!orgId || !domain || !date || !keyId || !signature) return null;
  return { statement: { orgId, domain, date }, keyId, signature };
}
