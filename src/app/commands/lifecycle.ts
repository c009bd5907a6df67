import { deprovisioningReportCsv } from '../../compliance/index.ts';
import type { DeprovisioningReport } from '../../lifecycle/index.ts';
import { createServices } from '../services.ts';
import {
  asUsage,
  type Command,
  findOrg,
  iso,
  onlyOptions,
  positional,
  required,
  tableOr,
  text,
  UsageError,
  withCore,
} from './kit.ts';

/** The report's refusal of a period, in the words of the command line. */
const badPeriod = asUsage(['lifecycle.report_range_invalid'], { from: '--from', to: '--to' });

const hours = (seconds: number | null) =>
  seconds === null ? '-' : `${(seconds / 3600).toFixed(2)} h`;

/** The report for a person at a terminal: one line per leaver, then the totals. */
function humanReport(report: DeprovisioningReport): string {
  const { totals } = report;
  const rows = report.items.map((i) => [
    i.user.email,
    i.status,
    i.source,
    iso(i.requestedAt),
    i.requestedBy.name ?? i.requestedBy.id ?? i.requestedBy.type,
    iso(i.completedAt),
    hours(i.durationSeconds),
    `${i.slaHours} h`,
    i.outcome,
  ]);
  return [
    `deprovisionings requested from ${iso(report.from)} to ${iso(report.to)}`,
    tableOr(
      ['USER', 'STATUS', 'SOURCE', 'REQUESTED', 'BY', 'COMPLETED', 'TOOK', 'SLA', 'OUTCOME'],
      rows,
      'none',
    ),
    `${totals.count} in all: ${totals.met} met, ${totals.missed} missed, ${totals.pending} pending; ` +
      `median ${hours(totals.p50DurationSeconds)}, longest ${hours(totals.maxDurationSeconds)}`,
  ].join('\n');
}

/** The lifecycle's evidence from the command line (docs/lifecycle.md#sla-report). */
export const lifecycleCommands: Record<string, Command> = {
  async 'lifecycle report'(ctx) {
    const command = 'lifecycle report';
    onlyOptions(ctx, command, ['org', 'from', 'to', 'format']);
    positional(ctx, command, []);
    const slug = required(ctx, command, 'org', 'SLUG');
    const format = text(ctx, 'format') ?? (ctx.json ? 'json' : 'table');
    if (!['table', 'csv', 'json'].includes(format))
      throw new UsageError('--format must be table, csv or json');
    const period = { from: text(ctx, 'from'), to: text(ctx, 'to') };
    return withCore(ctx, async (core) => {
      const services = createServices(core);
      const org = findOrg(await services.tenancy.organizations(), slug);
      const report = await services.lifecycle
        .deprovisioningReportOf(org.id, period)
        .catch(badPeriod);
      if (format === 'csv') ctx.stdout.write(deprovisioningReportCsv(report));
      else if (format === 'json') ctx.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else ctx.stdout.write(`${humanReport(report)}\n`);
      return 0;
    });
  },
};
