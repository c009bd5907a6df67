import type { PlatformKeys } from '../../crypto/index.ts';
import { signStatement, verifyStatement } from '../../crypto/index.ts';
import { isAppError, type Outbound } from '../../platform/index.ts';
import { domainErrors } from './errors.ts';
import {
  fileContent,
  parseFile,
  type Statement,
  statementContext,
  statementText,
  verificationPath,
} from './model.ts';
import type { DomainRow } from './store.ts';

/** The signing key's purpose: the audit seal's Ed25519 key, with a context of its own. */
const signingPurpose = 'audit-seal';
const dayOf = (at: Date) => at.toISOString().slice(0, 10);

/**
 * The signed file that verifies a claimed domain (docs/sso.md#home-realm-discovery-and-domains):
 * what Vigil hands the administrator, and the check of what the domain serves.
 */
export function createVerificationFiles(deps: {
  keys: Pick<PlatformKeys, 'active'>;
  outbound: Pick<Outbound, 'request'>;
  fileUrl?: (domain: string) => string;
}) {
  const urlOf = deps.fileUrl ?? ((domain: string) => `https://${domain}${verificationPath}`);

  const statementOf = (row: DomainRow): Statement => ({
    orgId: row.org_id,
    domain: row.domain,
    date: dayOf(row.created_at),
  });

  /**
   * A file's signature, checked with the platform key that signs files now. A file signed before
   * that key was rotated is refused (the claim shows the new file): the check never has to load
   * an old key, which would open a transaction inside the caller's.
   */
  async function signedByVigil(keyId: string, statement: Statement, signature: string) {
    const key = await deps.keys.active(signingPurpose);
    if (key.id !== keyId) return 'stale';
    return verifyStatement(key, statementContext, statementText(statement), signature);
  }

  /** The answer's text; throws verificationFailed when there is none to check. */
  async function fetched(row: DomainRow, fail: (problem: string) => Error): Promise<string> {
    try {
      const answer = await deps.outbound.request(urlOf(row.domain), {
        timeoutMs: 5000,
        maxBodyBytes: 4096,
      });
      if (answer.status !== 200) throw fail(`it answered HTTP ${answer.status}`);
      if (answer.truncated) throw fail('the file is larger than 4 KiB');
      return answer.body.toString('utf8');
    } catch (err) {
      if (isAppError(err) && err.code === 'sso.domain_verification_failed') throw err;
      // The SSRF guard's or the network's refusal, in its own words (no address is secret here:
      // the administrator named the domain).
      throw fail(isAppError(err) ? err.message : 'it could not be fetched');
    }
  }

  return {
    urlOf,

    /** What to publish, and where. */
    async fileOf(row: DomainRow): Promise<{ url: string; content: string }> {
      const key = await deps.keys.active(signingPurpose);
      const statement = statementOf(row);
      const signature = signStatement(key, statementContext, statementText(statement));
      return { url: urlOf(row.domain), content: fileContent(statement, key.id, signature) };
    },

    /** Fetches and checks the domain's file; throws verificationFailed saying what was wrong. */
    async check(row: DomainRow): Promise<void> {
      const fail = (problem: string) =>
        domainErrors.verificationFailed({ domain: row.domain, problem });
      const file = parseFile(await fetched(row, fail));
      if (!file) throw fail('the file is not a Vigil verification file');
      const expected = statementOf(row);
      if (file.statement.orgId !== expected.orgId || file.statement.domain !== expected.domain)
        throw fail('the file was issued for another organization or domain');
      if (file.statement.date !== expected.date)
        throw fail('the file was issued for an earlier claim of the domain');
      const signed = await signedByVigil(file.keyId, file.statement, file.signature);
      if (signed === 'stale')
        throw fail(
          'it is signed with a key Vigil no longer signs with: publish the file shown now',
        );
      if (!signed) throw fail('its signature does not verify');
    },
  };
}
