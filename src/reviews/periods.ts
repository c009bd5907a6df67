import type { ReviewScopeKind } from '../platform/index.ts';

/** How often the schedule reviews a scope (docs/reviews.md#schedules-reminders-and-escalation). */
export type ReviewEvery = 'quarter' | 'year';

/** The scopes the schedule launches, with the words of their campaigns' names. */
export const scheduledScopes = [
  { kind: 'privileged_roles', policyKey: 'privilegedEvery', title: 'Privileged access review' },
  { kind: 'all_assignments', policyKey: 'allEvery', title: 'All access review' },
] as const satisfies readonly {
  kind: ReviewScopeKind;
  policyKey: string;
  title: string;
}[];

/** A UTC calendar quarter or year: when it starts, and how a campaign's name says it. */
export interface ReviewPeriod {
  start: Date;
  label: string;
}

/** The period `now` falls in: its first day at midnight UTC. */
export function periodOf(every: ReviewEvery, now: Date): ReviewPeriod {
  const year = now.getUTCFullYear();
  if (every === 'year') return { start: new Date(Date.UTC(year, 0, 1)), label: `${year}` };
  const quarter = Math.floor(now.getUTCMonth() / 3);
  return { start: new Date(Date.UTC(year, quarter * 3, 1)), label: `${year} Q${quarter + 1}` };
}

/**
 * The campaign's key among the organization's scheduled ones (`privileged_roles:2026-10-01`): the
 * unique index on it makes a second launch for the same period impossible.
 */
export const scheduleKeyOf = (kind: ReviewScopeKind, period: ReviewPeriod): string =>
  `${kind}:${period.start.toISOString().slice(0, 10)}`;
