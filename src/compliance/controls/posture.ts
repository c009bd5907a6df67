import { z } from 'zod';
import { complianceErrors } from '../errors.ts';
import type { ControlStatus } from './control.ts';
import type { StoredResult } from './results.store.ts';

const dayMs = 86_400_000;
/** The longest period a history or a posture covers (a year and a bit: an audit period). */
export const maxPeriodDays = 400;
const defaultPeriodDays = 30;

const isoDay = z.iso.date();
const isoDateOrTime = z.union([isoDay, z.iso.datetime({ offset: true })]);

export interface Period {
  from: Date;
  to: Date;
}

function instantOf(field: 'from' | 'to', value: string): Date {
  // `new Date` reads far more than ISO 8601 (and rolls "2026-02-31" over): only the ISO forms.
  const date = new Date(value);
  if (!isoDateOrTime.safeParse(value).success || Number.isNaN(date.getTime()))
    throw complianceErrors.periodInvalid({ field, problem: 'not an ISO 8601 date or date-time' });
  return date;
}

function checked(period: Period, unit: string): Period {
  if (period.from.getTime() >= period.to.getTime())
    throw complianceErrors.periodInvalid({ field: 'from', problem: 'must be before to' });
  if (period.to.getTime() - period.from.getTime() > maxPeriodDays * dayMs)
    throw complianceErrors.periodInvalid({
      field: 'to',
      problem: `at most ${maxPeriodDays} ${unit} after from`,
    });
  return period;
}

/**
 * A history's period [from, to): ISO dates or date-times (a date alone is its midnight UTC);
 * without `to` now, without `from` 30 days before `to`.
 */
export function historyPeriod(input: { from?: string; to?: string }, now: Date): Period {
  const to = input.to === undefined ? now : instantOf('to', input.to);
  const from =
    input.from === undefined
      ? new Date(to.getTime() - defaultPeriodDays * dayMs)
      : instantOf('from', input.from);
  return checked({ from, to }, 'days');
}

const startOfDay = (date: Date) => new Date(Math.floor(date.getTime() / dayMs) * dayMs);

function dayOf(field: 'from' | 'to', value: string): Date {
  if (!isoDay.safeParse(value).success)
    throw complianceErrors.periodInvalid({ field, problem: 'not a day (YYYY-MM-DD)' });
  return new Date(`${value}T00:00:00Z`);
}

/**
 * The days of a posture, UTC: `from` to `to` included (YYYY-MM-DD); without `to` today,
 * without `from` the 30 days up to `to`. As [from, to): from the first day's midnight to the
 * midnight after the last.
 */
export function postureDays(input: { from?: string; to?: string }, now: Date): Period {
  const last = input.to === undefined ? startOfDay(now) : dayOf('to', input.to);
  const first =
    input.from === undefined
      ? new Date(last.getTime() - (defaultPeriodDays - 1) * dayMs)
      : dayOf('from', input.from);
  if (first.getTime() > last.getTime())
    throw complianceErrors.periodInvalid({ field: 'from', problem: 'must not be after to' });
  return checked({ from: first, to: new Date(last.getTime() + dayMs) }, 'days');
}

export interface PosturePoint {
  day: string;
  pass: number;
  fail: number;
  notApplicable: number;
  unchecked: number;
}

/**
 * One point per UTC day of `days`: how many of `controlIds` passed, failed, were not applicable
 * or had never been checked at the end of that day (today: now; days after now are left out).
 * A control's status at an instant is the newest result first found at or before it (a stretch
 * lasts until the next result replaces it). `results` must hold, per control, the result current
 * at `days.from` and every result first found within the days.
 */
export function postureOf(
  controlIds: readonly string[],
  results: readonly StoredResult[],
  days: Period,
  now: Date,
): PosturePoint[] {
  const byControl = new Map<string, StoredResult[]>(controlIds.map((id) => [id, []]));
  for (const r of results) byControl.get(r.controlId)?.push(r);
  for (const list of byControl.values())
    list.sort((a, b) => a.firstSeenAt.getTime() - b.firstSeenAt.getTime());
  const points: PosturePoint[] = [];
  const end = Math.min(days.to.getTime(), startOfDay(now).getTime() + dayMs);
  for (let day = days.from.getTime(); day < end; day += dayMs) {
    const at = Math.min(day + dayMs - 1, now.getTime());
    const counts: Record<ControlStatus | 'unchecked', number> = {
      pass: 0,
      fail: 0,
      not_applicable: 0,
      unchecked: 0,
    };
    for (const list of byControl.values()) {
      const current = list.findLast((r) => r.firstSeenAt.getTime() <= at);
      counts[current?.status ?? 'unchecked'] += 1;
    }
    points.push({
      day: new Date(day).toISOString().slice(0, 10),
      pass: counts.pass,
      fail: counts.fail,
      notApplicable: counts.not_applicable,
      unchecked: counts.unchecked,
    });
  }
  return points;
}
