import { request, requestFile } from '../../api.ts';

export type Outcome = 'success' | 'failure' | 'denied';

/** An audit event as the admin API shows it (docs/audit.md#events). */
export interface AuditEvent {
  id: string;
  orgId: string;
  occurredAt: string;
  actor: { type: string; id: string | null; ip: string | null; userAgent: string | null };
  action: string;
  target: { type: string | null; id: string | null };
  outcome: Outcome;
  requestId: string | null;
  details: Record<string, unknown>;
}

/** What the log can be filtered by; every field is optional, dates are ISO 8601. */
export interface AuditFilter {
  action?: string;
  outcome?: Outcome;
  actorId?: string;
  targetId?: string;
  targetType?: string;
  from?: string;
  to?: string;
}

export interface AuditAction {
  action: string;
  description: string;
}

/** One verification of the whole log, as this organization is shown it (docs/audit.md). */
export interface VerificationRun {
  ok: boolean;
  ranAt: string;
  checkedEvents: number;
  sealBlocks: number;
  pendingEvents: number;
  lastSealedAt: string | null;
  problems: { kind: string; eventId: string | null; block: string | null; message: string }[];
  /** Problems beyond those listed, counted only. */
  moreProblems: number;
  otherProblems: number;
}

export type ExportFormat = 'jsonl' | 'csv';

/** Events per page: the next page is read as the table's end scrolls into view. */
const pageSize = 50;

const org = (orgId: string) => `/orgs/${encodeURIComponent(orgId)}`;

function queryOf(values: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value) query.set(name, value);
  return query.toString();
}

export const auditApi = {
  /** A page of events, newest first; `nextCursor` reads the next one (null on the last). */
  events: async (orgId: string, filter: AuditFilter, cursor?: string) =>
    (
      await request<{ items: AuditEvent[]; nextCursor: string | null }>(
        `${org(orgId)}/audit-events?${queryOf({ ...filter, cursor, limit: String(pageSize) })}`,
      )
    ).body,
  actions: async (orgId: string) =>
    (await request<{ items: AuditAction[] }>(`${org(orgId)}/audit-actions`)).body.items,
  lastVerification: async (orgId: string) =>
    (await request<{ lastRun: VerificationRun | null }>(`${org(orgId)}/audit-verification`)).body
      .lastRun,
  /** Seals and verifies the whole log now; the run is recorded in the organization's log. */
  verify: async (orgId: string) =>
    (await request<VerificationRun>(`${org(orgId)}/audit-verification`, { method: 'POST' })).body,
  /** Every event of the period, oldest first (the export is itself audited). */
  exportFile: (orgId: string, format: ExportFormat, period: Pick<AuditFilter, 'from' | 'to'>) =>
    requestFile(`${org(orgId)}/audit-events/export?${queryOf({ format, ...period })}`),
};
