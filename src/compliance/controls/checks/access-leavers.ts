import type { DeprovisioningReportRow } from '../../../lifecycle/index.ts';
import {
  type CheckContext,
  type CheckOutcome,
  type ControlException,
  verdict,
} from '../control.ts';
import { activeUsersPastEndDate } from './access.store.ts';
import { counted, day, dayMs, hours } from './access-text.ts';

/** How far back leavers are checked: a quarter, the period auditors sample leavers from. */
export const leaverWindowDays = 90;

const hourMs = 3_600_000;

/**
 * A deactivation that missed its SLA, judged at `now` (the check's moment, not the clock's):
 * completed late, or still not complete once the SLA has run out.
 */
function lateLine(row: DeprovisioningReportRow, now: Date): string | null {
  const slaMs = row.slaHours * hourMs;
  const what = `${row.status === 'deprovisioned' ? 'leaver' : 'suspended user'} ${row.user.email}`;
  if (row.completedAt) {
    const tookMs = Math.max(0, row.completedAt.getTime() - row.requestedAt.getTime());
    return tookMs > slaMs
      ? `${what} lost access after ${hours(tookMs)}, over the ${row.slaHours} h SLA`
      : null;
  }
  // Not complete: its OAuth grants and tokens were never revoked. Named by the request's time,
  // not the hours since, so the line stays the same from run to run.
  return now.getTime() - row.requestedAt.getTime() > slaMs
    ? `${what} still holds OAuth access ${row.slaHours} h after the request of ${row.requestedAt.toISOString()}`
    : null;
}

/**
 * Every deactivation of the last 90 days completed within the SLA in force when it was asked
 * for (the SLA report's), and nobody is still active past their scheduled end date.
 */
export async function checkDeprovisioningSla(ctx: CheckContext): Promise<CheckOutcome> {
  const { tx, orgId, now, sources } = ctx;
  const from = new Date(now.getTime() - leaverWindowDays * dayMs);
  // The report's period ends before `to`: a millisecond past now keeps one asked for this instant.
  const to = new Date(now.getTime() + 1);
  const report = await sources.access.deprovisioningReport(tx, orgId, { from, to });
  const late: ControlException[] = report.items.flatMap((row) => {
    const message = lateLine(row, now);
    return message ? [{ message, subject: { type: 'user', id: row.user.id } }] : [];
  });
  const pastEnd: ControlException[] = (await activeUsersPastEndDate(tx, orgId, now)).map((u) => ({
    message: `${u.email} is still active after their end date ${day(u.end_at)}`,
    subject: { type: 'user', id: u.id },
  }));
  const count = report.items.length;
  return verdict([...late, ...pastEnd], {
    pass:
      count === 0
        ? `No deactivation in the last ${leaverWindowDays} days, and no active user is past their end date`
        : `${counted(count, 'deactivation')} in the last ${leaverWindowDays} days, none past the SLA; no active user is past their end date`,
    fail: () =>
      [
        late.length > 0
          ? `${late.length} of ${counted(count, 'deactivation')} of the last ${leaverWindowDays} days missed the SLA`
          : null,
        pastEnd.length > 0
          ? `${counted(pastEnd.length, 'user')} still active past their end date`
          : null,
      ]
        .filter((p) => p !== null)
        .join('; '),
  });
}
