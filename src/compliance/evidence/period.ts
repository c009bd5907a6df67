import { complianceErrors } from '../errors.ts';

/** The longest period a pack covers: a year of audit plus slack for an auditor's window. */
export const maxPackPeriodDays = 400;
const dayMs = 86_400_000;

export interface PackPeriod {
  /** Midnight UTC of the first day. */
  from: Date;
  /** Midnight UTC after the last day: exclusive. */
  to: Date;
  /** The dates as given (YYYY-MM-DD), for file names. */
  fromDate: string;
  toDate: string;
}

function dayOf(field: 'from' | 'to', text: unknown): Date {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(text))
    throw complianceErrors.evidencePeriodInvalid({ field, problem: 'must be a date, YYYY-MM-DD' });
  const date = new Date(`${text}T00:00:00.000Z`);
  // `2026-02-30` parses to March: only a date that round-trips is a real one.
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text)
    throw complianceErrors.evidencePeriodInvalid({
      field,
      problem: `${text} is not a calendar date`,
    });
  return date;
}

/**
 * The period [from, to] of a pack, both days included: `to`'s whole day is in it, so the pack
 * covers up to the next midnight UTC (exclusive), which is what the manifest names as `to`.
 */
export function packPeriod(input: { from: unknown; to: unknown }): PackPeriod {
  const from = dayOf('from', input.from);
  const lastDay = dayOf('to', input.to);
  if (lastDay.getTime() < from.getTime())
    throw complianceErrors.evidencePeriodInvalid({ field: 'to', problem: 'is before from' });
  const to = new Date(lastDay.getTime() + dayMs);
  if (to.getTime() - from.getTime() > maxPackPeriodDays * dayMs)
    throw complianceErrors.evidencePeriodInvalid({
      field: 'to',
      problem: `the period is longer than ${maxPackPeriodDays} days`,
    });
  return { from, to, fromDate: String(input.from), toDate: String(input.to) };
}
