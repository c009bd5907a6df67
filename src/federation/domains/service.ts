import {
  type LoadedPlatformKey,
  type PlatformKeys,
  signStatement,
  verifyStatement,
} from '../../crypto/index.ts';
import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  type Database,
  isAppError,
  newId,
  type Outbound,
  type Tx,
  withPlatform,
} from '../../platform/index.ts';
import { domainErrors } from './errors.ts';
import {
  domainOfEmail,
  fileContent,
  normalizeDomain,
  parseFile,
  type SsoDomain,
  type Statement,
  statementContext,
  statementText,
  type VerifyInput,
  verificationPath,
} from './model.ts';
import * as store from './store.ts';

export interface SsoDomainsDeps {
  database: Database;
  audit: AuditWriter;
  clock: Clock;
  /** The platform's Ed25519 key signs the verification files (docs/sso.md). */
  keys: Pick<PlatformKeys, 'active' | 'byId'>;
  /** Fetches the files, behind the SSRF guard (docs/webhooks.md#ssrf-guard). */
  outbound: Pick<Outbound, 'request'>;
  platformOrgId: string;
  /**
   * Where a domain's file is fetched: `https://{domain}/.well-known/vigil-domain-verification.txt`.
   * Only tests change it (a local HTTPS server on another port); nothing configures it.
   */
  fileUrl?: (domain: string) => string;
}

/** The signing key's purpose: the audit seal's Ed25519 key, with its own context. */
const signingPurpose = 'audit-seal';
const dayOf = (at: Date) => at.toISOString().slice(0, 10);
const isUniqueViolation = (err: unknown) => (err as { code?: unknown })?.code === '23505';

/**
 * The email domains an organization claims for home-realm discovery, verified by a signed file
 * the domain serves or by a platform administrator's attestation; once verified, the domain is
 * the organization's alone, and sign-ins with an email there go to the connection it names.
 */
export function createSsoDomains(deps: SsoDomainsDeps) {
  const fileUrl = deps.fileUrl ?? ((domain: string) => `https://${domain}${verificationPath}`);

  const statementOf = (row: store.DomainRow): Statement => ({
    orgId: row.org_id,
    domain: row.domain,
    date: dayOf(row.created_at),
  });

  async function toDomain(row: store.DomainRow): Promise<SsoDomain> {
    const key = await deps.keys.active(signingPurpose);
    const statement = statementOf(row);
    const signature = signStatement(key, statementContext, statementText(statement));
    return {
      id: row.id,
      domain: row.domain,
      connectionId: row.connection_id,
      verification: row.verification,
      verifiedAt: row.verified_at,
      verifiedBy: row.verified_by,
      verificationFile: {
        url: fileUrl(row.domain),
        content: fileContent(statement, key.id, signature),
      },
      createdAt: row.created_at,
    };
  }

  async function found(tx: Tx, orgId: string, id: string): Promise<store.DomainRow> {
    const row = await store.domainOf(tx, orgId, id);
    if (!row) throw domainErrors.domainNotFound();
    return row;
  }

  async function checkConnection(tx: Tx, orgId: string, connectionId: string | null | undefined) {
    if (connectionId && !(await store.connectionIn(tx, orgId, connectionId)))
      throw domainErrors.connectionInvalid();
  }

  /** A file's signature, checked with the platform key it names (an audit-seal key, any age). */
  async function signedByVigil(keyId: string, statement: Statement, signature: string) {
    let key: LoadedPlatformKey;
    try {
      key = await deps.keys.byId(keyId);
    } catch {
      return false;
    }
    return (
      key.purpose === signingPurpose &&
      verifyStatement(key, statementContext, statementText(statement), signature)
    );
  }

  /** Fetches and checks the domain's file; throws verificationFailed saying what was wrong. */
  async function checkFile(row: store.DomainRow): Promise<void> {
    const fail = (problem: string) =>
      domainErrors.verificationFailed({ domain: row.domain, problem });
    let text: string;
    try {
      const answer = await deps.outbound.request(fileUrl(row.domain), {
        timeoutMs: 5000,
        maxBodyBytes: 4096,
      });
      if (answer.status !== 200) throw fail(`it answered HTTP ${answer.status}`);
      if (answer.truncated) throw fail('the file is larger than 4 KiB');
      text = answer.body.toString('utf8');
    } catch (err) {
      if (isAppError(err) && err.code === 'sso.domain_verification_failed') throw err;
      throw fail(isAppError(err) ? err.message : 'it could not be fetched');
    }
    const file = parseFile(text);
    if (!file) throw fail('the file is not a Vigil verification file');
    const expected = statementOf(row);
    if (file.statement.orgId !== expected.orgId || file.statement.domain !== expected.domain)
      throw fail('the file was issued for another organization or domain');
    if (file.statement.date !== expected.date)
      throw fail('the file was issued for an earlier claim of the domain');
    if (!(await signedByVigil(file.keyId, file.statement, file.signature)))
      throw fail('its signature does not verify');
  }

  return {
    async list(tx: Tx, orgId: string): Promise<SsoDomain[]> {
      return Promise.all((await store.domainsOf(tx, orgId)).map(toDomain));
    },

    async get(tx: Tx, orgId: string, id: string): Promise<SsoDomain> {
      return toDomain(await found(tx, orgId, id));
    },

    /** Claims a domain (unverified); refused when another organization verified it. */
    async claim(
      tx: Tx,
      orgId: string,
      input: { domain: string; connectionId?: string | null },
      actor: AuditActor,
    ): Promise<SsoDomain> {
      const domain = normalizeDomain(input.domain);
      await checkConnection(tx, orgId, input.connectionId);
      if (await store.claimIn(tx, orgId, domain)) throw domainErrors.domainExists({ domain });
      const now = deps.clock.now();
      const row: store.DomainRow = {
        id: newId(now.getTime()),
        org_id: orgId,
        domain,
        connection_id: input.connectionId ?? null,
        verification: null,
        verified_at: null,
        verified_by: null,
        created_at: now,
      };
      if (!(await store.insertClaim(tx, row))) throw domainErrors.domainTaken({ domain });
      await deps.audit(tx, {
        orgId,
        action: 'sso.domain.added',
        actor,
        target: { type: 'sso_domain', id: row.id },
        details: { before: null, after: { domain, connectionId: row.connection_id } },
      });
      return toDomain(row);
    },

    /** Points the domain's sign-ins at another connection of the organization (or none). */
    async update(
      tx: Tx,
      orgId: string,
      id: string,
      input: { connectionId: string | null },
      actor: AuditActor,
    ): Promise<SsoDomain> {
      const row = await found(tx, orgId, id);
      await checkConnection(tx, orgId, input.connectionId);
      if (row.connection_id === input.connectionId) return toDomain(row);
      await store.updateDomain(tx, id, { connection_id: input.connectionId });
      await deps.audit(tx, {
        orgId,
        action: 'sso.domain.updated',
        actor,
        target: { type: 'sso_domain', id },
        details: {
          domain: row.domain,
          before: { connectionId: row.connection_id },
          after: { connectionId: input.connectionId },
        },
      });
      return toDomain({ ...row, connection_id: input.connectionId });
    },

    /**
     * Verifies a claim: by the signed file the domain serves over HTTPS, or by a platform
     * administrator's attestation (`byPlatform`: the caller acts for the platform). Audited with
     * the method and who verified it.
     */
    async verify(
      tx: Tx,
      orgId: string,
      id: string,
      input: VerifyInput,
      actor: AuditActor,
      caller: { byPlatform: boolean },
    ): Promise<SsoDomain> {
      const row = await found(tx, orgId, id);
      if (row.verified_at) throw domainErrors.domainVerified({ domain: row.domain });
      if (input.method === 'attestation' && !caller.byPlatform)
        throw domainErrors.attestationForbidden();
      if (input.method === 'file') await checkFile(row);
      const now = deps.clock.now();
      const verifiedBy = actor.id ?? actor.type;
      try {
        await store.updateDomain(tx, id, {
          verification: input.method,
          verified_at: now,
          verified_by: verifiedBy,
        });
      } catch (err) {
        // Another organization verified it first (the unique index of verified domains).
        if (isUniqueViolation(err)) throw domainErrors.domainTaken({ domain: row.domain });
        throw err;
      }
      await deps.audit(tx, {
        orgId,
        action: 'sso.domain.verified',
        actor,
        target: { type: 'sso_domain', id },
        details: {
          domain: row.domain,
          method: input.method,
          verifiedBy,
          ...(input.method === 'attestation'
            ? { statement: input.statement }
            : { url: fileUrl(row.domain) }),
        },
      });
      return toDomain({
        ...row,
        verification: input.method,
        verified_at: now,
        verified_by: verifiedBy,
      });
    },

    async remove(tx: Tx, orgId: string, id: string, actor: AuditActor): Promise<void> {
      const row = await found(tx, orgId, id);
      await store.deleteDomain(tx, id);
      await deps.audit(tx, {
        orgId,
        action: 'sso.domain.removed',
        actor,
        target: { type: 'sso_domain', id },
        details: {
          before: {
            domain: row.domain,
            connectionId: row.connection_id,
            verification: row.verification,
            verifiedAt: row.verified_at?.toISOString() ?? null,
          },
        },
      });
    },

    /**
     * Home-realm discovery (platform scope): the enabled connection of the organization that
     * verified the email's domain, or null (no such domain, unverified, no connection named).
     */
    async connectionForEmail(
      email: string,
    ): Promise<{ orgId: string; connectionId: string; connectionName: string } | null> {
      const domain = domainOfEmail(email);
      if (!domain) return null;
      const found = await withPlatform(deps.database, (tx) =>
        store.connectionForDomain(tx, domain),
      );
      return found
        ? { orgId: found.org_id, connectionId: found.connection_id, connectionName: found.name }
        : null;
    },
  };
}

export type SsoDomains = ReturnType<typeof createSsoDomains>;
