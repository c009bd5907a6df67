import { z } from 'zod';
import { archiveErrors } from '../../../audit/index.ts';
import { platformOrgId } from '../../../platform/index.ts';
import { defineRoute } from '../route.ts';

const hex = (b: Uint8Array | null) => (b ? Buffer.from(b).toString('hex') : null);

const archiveSchema = z.object({
  month: z.string().describe('YYYY-MM (UTC)'),
  status: z.enum(['archived', 'dropped', 'restored', 'purged']),
  location: z.string(),
  sha256: z.string().describe('SHA-256 of the compressed events file'),
  manifestSha256: z.string(),
  eventCount: z.number().int(),
  orgs: z.array(z.object({ orgId: z.uuid(), events: z.number().int() })),
  firstBlock: z.string().nullable(),
  lastBlock: z.string().nullable(),
  lastChainHash: z.string().nullable().describe('the anchor of the next month once purged'),
  archivedAt: z.iso.datetime(),
  droppedAt: z.iso.datetime().nullable(),
  restoredAt: z.iso.datetime().nullable(),
  purgedAt: z.iso.datetime().nullable(),
});

/** Audit archives (docs/audit.md#retention-and-archives): every organization's events, so the platform's. */
export const auditArchiveRoutes = [
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/audit-archives',
    summary:
      'The archived months of the audit log: status, location, hashes, events per organization (platform organization only)',
    permission: 'platform.settings',
    scope: 'org',
    response: z.object({ items: z.array(archiveSchema) }),
    async handler(call) {
      if (call.orgId !== platformOrgId) throw archiveErrors.platformOnly();
      const rows = await call.services.auditArchiver.list(call.tx);
      const iso = (d: Date | null) => d?.toISOString() ?? null;
      return {
        body: {
          items: rows.map((r) => ({
            month: r.month,
            status: r.status,
            location: r.location,
            sha256: r.sha256,
            manifestSha256: r.manifest_sha256,
            eventCount: r.event_count,
            orgs: r.org_ids.map((orgId, i) => ({ orgId, events: r.org_event_counts[i] ?? 0 })),
            firstBlock: r.first_block,
            lastBlock: r.last_block,
            lastChainHash: hex(r.last_chain_hash),
            archivedAt: r.archived_at.toISOString(),
            droppedAt: iso(r.dropped_at),
            restoredAt: iso(r.restored_at),
            purgedAt: iso(r.purged_at),
          })),
        },
      };
    },
  }),
];
