import type { DeprovisioningReport } from '../lifecycle/index.ts';
import { toCsv } from './csv.ts';

/**
 * The deprovisioning SLA report (docs/lifecycle.md#sla-report) as CSV for the auditor's
 * spreadsheet: one line per deactivation, the columns below (the totals are the JSON's).
 */
export const deprovisioningReportCsvHeader = [
  'user_id',
  'email',
  'display_name',
  'status',
  'source',
  'requested_at',
  'requested_by_type',
  'requested_by_id',
  'requested_by',
  'denied_at',
  'oauth_revoked_at',
  'completed_at',
  'duration_seconds',
  'sla_hours',
  'outcome',
];

const isoOrNull = (date: Date | null) => (date === null ? null : date.toISOString());

export function deprovisioningReportCsv(report: DeprovisioningReport): string {
  return toCsv(
    deprovisioningReportCsvHeader,
    report.items.map((i) => [
      i.user.id,
      i.user.email,
      i.user.displayName,
      i.status,
      i.source,
      i.requestedAt.toISOString(),
      i.requestedBy.type,
      i.requestedBy.id,
      i.requestedBy.name,
      i.deniedAt.toISOString(),
      isoOrNull(i.oauthRevokedAt),
      isoOrNull(i.completedAt),
      i.durationSeconds,
      i.slaHours,
      i.outcome,
    ]),
  );
}
