import { z } from 'zod';
import { deprovisioningReportCsv } from '../../../compliance/index.ts';
import { defineRoute, isoDate } from '../route.ts';

/**
 * The period: ISO dates or date-times, [from, to); the lifecycle service says what is wrong with
 * one (`lifecycle.report_range_invalid`), so the schema only bounds their length.
 */
const reportQuery = z
  .object({
    from: z.string().max(40).optional(),
    to: z.string().max(40).optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict();

const reportRowSchema = z.object({
  user: z.object({ id: z.uuid(), email: z.string(), displayName: z.string() }),
  status: z.enum(['suspended', 'deprovisioned']),
  source: z.enum(['admin', 'scim', 'schedule', 'dormant', 'review']),
  requestedAt: isoDate,
  requestedBy: z.object({
    type: z.string(),
    id: z.string().nullable(),
    name: z.string().nullable(),
  }),
  deniedAt: isoDate,
  oauthRevokedAt: isoDate.nullable(),
  completedAt: isoDate.nullable(),
  durationSeconds: z.number().nullable(),
  slaHours: z.number().int(),
  outcome: z.enum(['met', 'missed', 'pending']),
  met: z.boolean().nullable(),
});

const reportSchema = z.object({
  from: isoDate,
  to: isoDate,
  generatedAt: isoDate,
  items: z.array(reportRowSchema),
  totals: z.object({
    count: z.number().int(),
    met: z.number().int(),
    missed: z.number().int(),
    pending: z.number().int(),
    p50DurationSeconds: z.number().nullable(),
    maxDurationSeconds: z.number().nullable(),
  }),
});

const day = (date: Date) => date.toISOString().slice(0, 10);

/** The deprovisioning SLA report (docs/lifecycle.md#sla-report), for the auditor. */
export const lifecycleRoutes = [
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/lifecycle/deprovisioning-report',
    summary:
      'Every deactivation asked for in a period (default the last 30 days): who asked, when every surface was denied, the SLA met, missed or pending (JSON or CSV)',
    permission: 'audit.read',
    scope: 'org',
    query: reportQuery,
    response: reportSchema,
    alternatives: ['text/csv'],
    async handler(call) {
      const { format, ...period } = call.query;
      const report = await call.services.lifecycle.deprovisioningReport(
        call.tx,
        call.orgId,
        period,
      );
      if (format === 'json') return { body: report };
      const filename = `deprovisioning-report-${day(report.from)}-${day(report.to)}.csv`;
      return { type: 'text/csv', body: deprovisioningReportCsv(report), filename };
    },
  }),
];
