import { archiveErrors } from './archive-errors.ts';

/** Calendar months (UTC) as 'YYYY-MM'. */
export type Month = string;

const monthPattern = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function parseMonth(text: string): Month {
  if (!monthPattern.test(text)) throw archiveErrors.badMonth({ month: text });
  return text;
}

export const monthOf = (at: Date): Month => at.toISOString().slice(0, 7);

export function monthStart(month: Month): Date {
  return new Date(`${month}-01T00:00:00.000Z`);
}

/** The month `n` months after `month` (n may be negative). */
export function addMonths(month: Month, n: number): Month {
  const start = monthStart(month);
  return monthOf(new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + n, 1)));
}

/** The first instant after the month. */
export const monthEnd = (month: Month): Date => monthStart(addMonths(month, 1));

const dayMs = 86_400_000;

/** Whether every instant of the month is at least `days` days before `now`. */
export const olderThan = (month: Month, days: number, now: Date): boolean =>
  monthEnd(month).getTime() + days * dayMs <= now.getTime();

/** The month of a UUIDv7: its first 48 bits are the Unix time in milliseconds. */
export function monthOfId(id: string): Month {
  return monthOf(new Date(Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16)));
}
