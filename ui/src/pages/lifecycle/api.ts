import { request, requestFile } from '../../api.ts';

export type SlaOutcome = 'met' | 'missed' | 'pending';

/** One deactivation of the period, as the admin API shows it (docs/lifecycle.md#sla-report). */
export interface LeaverRow {
  user: { id: string; email: string; displayName: string };
  status: 'suspended' | 'deprovisioned';
  source: 'admin' | 'scim' | 'schedule' | 'dormant' | 'review';
  requestedAt: string;
  requestedBy: { type: string; id: string | null; name: string | null };
  deniedAt: string;
  oauthRevokedAt: string | null;
  completedAt: string | null;
  durationSeconds: number | null;
  slaHours: number;
  outcome: SlaOutcome;
  met: boolean | null;
}

export interface DeprovisioningReport {
  from: string;
  to: string;
  generatedAt: string;
  items: LeaverRow[];
  totals: {
    count: number;
    met: number;
    missed: number;
    pending: number;
    p50DurationSeconds: number | null;
    maxDurationSeconds: number | null;
  };
}

/** The period asked for: ISO 8601 instants, [from, to). */
export interface ReportPeriod {
  from: string;
  to: string;
}

export type ReportFormat = 'csv' | 'json';

const reportPath = (orgId: string, period: ReportPeriod, format: ReportFormat) =>
  `/orgs/${encodeURIComponent(orgId)}/lifecycle/deprovisioning-report?${new URLSearchParams({
    ...period,
    format,
  })}`;

export const lifecycleApi = {
  report: async (orgId: string, period: ReportPeriod) =>
    (await request<DeprovisioningReport>(reportPath(orgId, period, 'json'))).body,
  reportFile: (orgId: string, period: ReportPeriod, format: ReportFormat) =>
    requestFile(reportPath(orgId, period, format)),
};
