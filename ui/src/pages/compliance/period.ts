import type { DayPeriod } from './api.ts';

const dayMs = 86_400_000;

/** A day of the user's calendar as a date field holds it (`yyyy-mm-dd`). */
function localDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * The last calendar quarter that has ended (an audit period, as a rule): on 5 December 2026,
 * 1 July to 30 September 2026.
 */
export function lastFullQuarter(now = new Date()): DayPeriod {
  const quarterStart = Math.floor(now.getMonth() / 3) * 3;
  return {
    from: localDay(new Date(now.getFullYear(), quarterStart - 3, 1)),
    // Day 0 of the quarter's first month: the last day of the month before.
    to: localDay(new Date(now.getFullYear(), quarterStart, 0)),
  };
}

/** The `count` days up to today, in the API's calendar (UTC), both included. */
export function lastDays(count: number, now = new Date()): DayPeriod {
  const day = (date: Date) => date.toISOString().slice(0, 10);
  return { from: day(new Date(now.getTime() - (count - 1) * dayMs)), to: day(now) };
}
