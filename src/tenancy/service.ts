import { z } from 'zod';
import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  type Database,
  newId,
  parseInput,
  type Tx,
  withPlatform,
} from '../platform/index.ts';
import { tenancyErrors } from './errors.ts';
import * as store from './store.ts';

export const organizationInput = z.object({
  slug: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'use 2–63 lowercase letters, digits and hyphens'),
  name: z.string().trim().min(1).max(200),
});

export interface Organization {
  id: string;
  slug: string;
  name: string;
  kind: 'platform' | 'customer';
  status: 'active' | 'suspended';
  createdAt: Date;
}

function toOrganization(row: store.OrganizationRow): Organization {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    kind: row.kind,
    status: row.status,
    createdAt: row.created_at,
  };
}

export interface TenancyDeps {
  database: Database;
  audit: AuditWriter;
  clock: Clock;
  platformOrgId: string;
}

export function createTenancyService(deps: TenancyDeps) {
  const service = {
    /** Creates a customer organization; `tx` must be in platform scope. */
    async createOrganization(
      tx: Tx,
      input: z.input<typeof organizationInput>,
      actor: AuditActor,
    ): Promise<Organization> {
      const data = parseInput(organizationInput, input, tenancyErrors.orgInvalid);
      if (await store.findOrganizationBySlug(tx, data.slug)) {
        throw tenancyErrors.slugTaken({ slug: data.slug });
      }
      const now = deps.clock.now();
      const row: store.OrganizationRow = {
        id: newId(now.getTime()),
        slug: data.slug,
        name: data.name,
        kind: 'customer',
        status: 'active',
        created_at: now,
        updated_at: now,
      };
      await store.insertOrganization(tx, row);
      // Recorded in the platform's log and in the new organization's own log.
      for (const orgId of [deps.platformOrgId, row.id]) {
        await deps.audit(tx, {
          orgId,
          action: 'org.created',
          actor,
          target: { type: 'organization', id: row.id },
          details: { slug: row.slug, name: row.name },
        });
      }
      return toOrganization(row);
    },
    async listOrganizations(tx: Tx): Promise<Organization[]> {
      return (await store.listOrganizations(tx)).map(toOrganization);
    },
    /** Every organization, in its own platform-scope transaction (the operator's commands). */
    organizations: (): Promise<Organization[]> =>
      withPlatform(deps.database, async (tx) =>
        (await store.listOrganizations(tx)).map(toOrganization),
      ),
    /**
     * Suspends or reactivates a customer organization, audited with the reason in the platform's
     * log and the organization's own; `tx` must be in platform scope. Only the record: ending
     * what its users are signed in with is the lifecycle's (`suspendOrganization`).
     */
    async setStatus(
      tx: Tx,
      id: string,
      status: Organization['status'],
      reason: string | undefined,
      actor: AuditActor,
    ): Promise<Organization> {
      if (id === deps.platformOrgId) throw tenancyErrors.platformOrgFixed();
      const row = await store.organizationForUpdate(tx, id);
      if (!row) throw tenancyErrors.orgNotFound();
      if (row.status === status) throw tenancyErrors.statusUnchanged({ status });
      const now = deps.clock.now();
      await store.updateStatus(tx, id, status, now);
      for (const orgId of [deps.platformOrgId, id]) {
        await deps.audit(tx, {
          orgId,
          action: status === 'suspended' ? 'org.suspended' : 'org.reactivated',
          actor,
          target: { type: 'organization', id },
          details: { before: row.status, after: status, ...(reason ? { reason } : {}) },
        });
      }
      return toOrganization({ ...row, status, updated_at: now });
    },
    /** Whether the organization exists and is active (its users and keys may act). */
    isActive: store.isActive,
    /** An organization by its slug (the per-organization URLs, e.g. SAML's); platform scope. */
    async organizationBySlug(tx: Tx, slug: string): Promise<Organization | undefined> {
      const row = await store.findOrganizationBySlug(tx, slug);
      return row ? toOrganization(row) : undefined;
    },
    async getOrganization(tx: Tx, id: string): Promise<Organization | undefined> {
      const row = await store.findOrganization(tx, id);
      return row ? toOrganization(row) : undefined;
    },
    /** Creates a customer organization in its own platform-scope transaction (the operator's). */
    addOrganization: (input: z.input<typeof organizationInput>, actor: AuditActor) =>
      withPlatform(deps.database, (tx) => service.createOrganization(tx, input, actor)),
  };
  return service;
}

export type TenancyService = ReturnType<typeof createTenancyService>;
