import { z } from 'zod';
import type { Clock, DeprovisioningSource, Tx } from '../platform/index.ts';
import {
  type DeprovisioningListRow,
  deprovisioningsBetween,
  slaHoursHistory,
} from './deprovisionings.store.ts';
import { lifecycleErrors } from './errors.ts';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
/** A year and a leap day: one report covers at most an audit period. */
const maxRangeDays = 366;
/** The period when none is given: the last 30 days. */
const defaultRangeDays = 30;

export interface ReportRange {
  from: Date;
  to: Date;
}

/** Met within the SLA, missed, or not complete yet but still within it. */
export type SlaOutcome = 'met' | 'missed' | 'pending';

/** One leaver (or suspension) of the period: who, who asked, and when each surface was denied. */
export interface DeprovisioningReportRow {
  user: { id: string; email: string; displayName: string };
  status: 'suspended' | 'deprovisioned';
  source: DeprovisioningSource;
  requestedAt: Date;
  /** Who asked; `name` is the user's or the SCIM token's name now, else the one recorded. */
  requestedBy: { type: string; id: string | null; name: string | null };
  /** Sessions, device cookies, API keys and roles ended (the deactivation's commit). */
  deniedAt: Date;
  /** OAuth grants, refresh tokens and provider sessions revoked (null: not done). */
  oauthRevokedAt: Date | null;
  /** The later of the two: every surface denied (null while the OAuth revocation is not done). */
  completedAt: Date | null;
  /** From the request to completion, in seconds (null while not complete). */
  durationSeconds: number | null;
  /** The organization's SLA when the deactivation was asked for. */
  slaHours: number;
  outcome: SlaOutcome;
  /** true or false once decided; null while pending. */
  met: boolean | null;
}

export interface DeprovisioningReport {
  from: Date;
  to: Date;
  generatedAt: Date;
  items: DeprovisioningReportRow[];
  totals: {
    count: number;
    met: number;
    missed: number;
    pending: number;
    /** Over the completed ones; null when none is. */
    p50DurationSeconds: number | null;
    maxDurationSeconds: number | null;
  };
}

const isoDateOrTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

function dateOf(field: 'from' | 'to', value: string | Date): Date {
  // `new Date` reads far more than ISO 8601 (and rolls "2026-02-31" over): only the ISO forms.
  if (typeof value === 'string' && !isoDateOrTime.safeParse(value).success)
    throw lifecycleErrors.reportRangeInvalid({
      field,
      problem: 'not an ISO 8601 date or date-time',
    });
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw lifecycleErrors.reportRangeInvalid({ field, problem: 'not a date' });
  return date;
}

/**
 * The period [from, to) of a report: ISO dates (a date alone is its midnight UTC), `from`
 * before `to`, at most 366 days; without `to` now, without `from` 30 days before `to`.
 */
export function reportRange(
  input: { from?: string | Date; to?: string | Date },
  now: Date,
): ReportRange {
  const to = input.to === undefined ? now : dateOf('to', input.to);
  const from =
    input.from === undefined
      ? new Date(to.getTime() - defaultRangeDays * dayMs)
      : dateOf('from', input.from);
  if (from.getTime() >= to.getTime())
    throw lifecycleErrors.reportRangeInvalid({ field: 'from', problem: 'must be before to' });
  if (to.getTime() - from.getTime() > maxRangeDays * dayMs)
    throw lifecycleErrors.reportRangeInvalid({
      field: 'to',
      problem: `at most ${maxRangeDays} days after from`,
    });
  return { from, to };
}

/** The SLA in force at `at`: the latest policy version changed at or before it. */
function slaAt(history: { at: Date; slaHours: number }[], at: Date, fallback: number): number {
  let hours = fallback;
  for (const version of history) if (version.at.getTime() <= at.getTime()) hours = version.slaHours;
  return hours;
}

function rowOf(row: DeprovisioningListRow, slaHours: number, now: Date): DeprovisioningReportRow {
  const requestedAt = row.requested_at;
  const completedAt =
    row.oauth_revoked_at === null
      ? null
      : new Date(Math.max(row.denied_at.getTime(), row.oauth_revoked_at.getTime()));
  // An end date already past when the deactivation ran is late by that much; a deactivation
  // before the date it was scheduled for is not early (never a negative duration).
  const durationMs =
    completedAt === null ? null : Math.max(0, completedAt.getTime() - requestedAt.getTime());
  const slaMs = slaHours * hourMs;
  let outcome: SlaOutcome;
  if (durationMs !== null) outcome = durationMs <= slaMs ? 'met' : 'missed';
  else outcome = now.getTime() - requestedAt.getTime() > slaMs ? 'missed' : 'pending';
  return {
    user: { id: row.user_id, email: row.user_email, displayName: row.user_display_name },
    status: row.status,
    source: row.source,
    requestedAt,
    requestedBy: {
      type: row.actor_type,
      id: row.actor_id,
      name: row.actor_user_name ?? row.actor_token_name ?? row.actor_label,
    },
    deniedAt: row.denied_at,
    oauthRevokedAt: row.oauth_revoked_at,
    completedAt,
    durationSeconds: durationMs === null ? null : durationMs / 1000,
    slaHours,
    outcome,
    met: outcome === 'pending' ? null : outcome === 'met',
  };
}

/** The median (the lower middle of an even count) and the largest of `values`. */
function p50AndMax(values: number[]): { p50: number | null; max: number | null } {
  if (values.length === 0) return { p50: null, max: null };
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: sorted[Math.floor((sorted.length - 1) / 2)] ?? null,
    max: sorted[sorted.length - 1] ?? null,
  };
}

/**
 * The deprovisioning SLA report (docs/lifecycle.md#sla-report): every deactivation asked for in
 * the period, when each surface was denied and whether that was within the SLA in force.
 */
export function createSlaReport(deps: { clock: Clock; defaultSlaHours: number }) {
  return {
    reportRange: (input: { from?: string | Date; to?: string | Date }) =>
      reportRange(input, deps.clock.now()),

    async report(tx: Tx, orgId: string, range: ReportRange): Promise<DeprovisioningReport> {
      const now = deps.clock.now();
      const history = await slaHoursHistory(tx, orgId);
      const rows = await deprovisioningsBetween(tx, orgId, range.from, range.to);
      const items = rows.map((row) =>
        rowOf(row, slaAt(history, row.requested_at, deps.defaultSlaHours), now),
      );
      const durations = items.flatMap((i) =>
        i.durationSeconds === null ? [] : [i.durationSeconds],
      );
      const { p50, max } = p50AndMax(durations);
      const count = (outcome: SlaOutcome) => items.filter((i) => i.outcome === outcome).length;
      return {
        from: range.from,
        to: range.to,
        generatedAt: now,
        items,
        totals: {
          count: items.length,
          met: count('met'),
          missed: count('missed'),
          pending: count('pending'),
          p50DurationSeconds: p50,
          maxDurationSeconds: max,
        },
      };
    },
  };
}
