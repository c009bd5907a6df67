import type { PlatformKeys } from '../../crypto/index.ts';
import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  type Database,
  newId,
  type Outbound,
  orgScopeRunner,
  type Tx,
  withPlatform,
} from '../../platform/index.ts';
import { domainErrors } from './errors.ts';
import { domainOfEmail, normalizeDomain, type SsoDomain, type VerifyInput } from './model.ts';
import * as store from './store.ts';
import { createVerificationFiles } from './verification.ts';

export interface SsoDomainsDeps {
  database: Database;
  audit: AuditWriter;
  clock: Clock;
  /** The platform's Ed25519 key signs the verification files (docs/sso.md). */
  keys: Pick<PlatformKeys, 'active'>;
  /** Fetches the files, behind the SSRF guard (docs/webhooks.md#ssrf-guard). */
  outbound: Pick<Outbound, 'request'>;
  platformOrgId: string;
  /**
   * Where a domain's file is fetched: `https://{domain}/.well-known/vigil-domain-verification.txt`.
   * Only tests change it (a local HTTPS server on another port); nothing configures it.
   */
  fileUrl?: (domain: string) => string;
}

const isUniqueViolation = (err: unknown) => (err as { code?: unknown })?.code === '23505';

/**
 * The email domains an organization claims for home-realm discovery, verified by a signed file
 * the domain serves or by a platform administrator's attestation; once verified, the domain is
 * the organization's alone, and sign-ins with an email there go to the connection it names.
 */
export function createSsoDomains(deps: SsoDomainsDeps) {
  const files = createVerificationFiles(deps);

  async function toDomain(row: store.DomainRow): Promise<SsoDomain> {
    return {
      id: row.id,
      domain: row.domain,
      connectionId: row.connection_id,
      verification: row.verification,
      verifiedAt: row.verified_at,
      verifiedBy: row.verified_by,
      verificationFile: await files.fileOf(row),
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

  const service = {
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
      if (input.method === 'file') await files.check(row);
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
          before: { verification: null, verifiedAt: null },
          after: { verification: input.method, verifiedAt: now.toISOString(), verifiedBy },
          ...(input.method === 'attestation'
            ? { statement: input.statement }
            : { url: files.urlOf(row.domain) }),
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
  const inOrg = orgScopeRunner(deps.database, deps.platformOrgId);
  return {
    ...service,
    /** The same use cases, each in a transaction of the organization's own (the CLI's). */
    inOrg: {
      list: (orgId: string) => inOrg(orgId, (tx) => service.list(tx, orgId)),
      claim: (
        orgId: string,
        input: { domain: string; connectionId?: string | null },
        actor: AuditActor,
      ) => inOrg(orgId, (tx) => service.claim(tx, orgId, input, actor)),
      verify: (
        orgId: string,
        id: string,
        input: VerifyInput,
        actor: AuditActor,
        caller: { byPlatform: boolean },
      ) => inOrg(orgId, (tx) => service.verify(tx, orgId, id, input, actor, caller)),
      remove: (orgId: string, id: string, actor: AuditActor) =>
        inOrg(orgId, (tx) => service.remove(tx, orgId, id, actor)),
    },
  };
}

export type SsoDomains = ReturnType<typeof createSsoDomains>;
