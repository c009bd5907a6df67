import type { CampaignSummary, ReviewPolicy } from '../../../reviews/index.ts';
import {
  type CheckContext,
  type CheckOutcome,
  type ControlException,
  verdict,
} from '../control.ts';
import { byText, day, dayMs } from './access-text.ts';

/** A calendar quarter or year at its longest, so a review every quarter (year) never misses. */
const cadenceDays = { quarter: 92, year: 366 } as const;

/** What must have been reviewed: which campaign scopes cover it and how often the policy says. */
interface Coverage {
  id: 'privileged_roles' | 'all_assignments';
  label: string;
  coveredBy: readonly string[];
  days: number;
}

/**
 * The windows the policy's cadence sets; where it leaves a scope to hand-launched campaigns
 * (null), SOC 2's own expectation: privileged access each quarter, all access each year.
 */
export function coverages(policy: ReviewPolicy): Coverage[] {
  return [
    {
      id: 'privileged_roles',
      label: 'privileged access',
      // A review of every assignment reviews the privileged ones too.
      coveredBy: ['privileged_roles', 'all_assignments'],
      days: cadenceDays[policy.privilegedEvery ?? 'quarter'],
    },
    {
      id: 'all_assignments',
      label: 'all access',
      coveredBy: ['all_assignments'],
      days: cadenceDays[policy.allEvery ?? 'year'],
    },
  ];
}

function lastClosed(campaigns: readonly CampaignSummary[], kinds: readonly string[]) {
  let last: CampaignSummary | undefined;
  for (const c of campaigns)
    if (
      c.closedAt &&
      kinds.includes(c.scope.kind) &&
      (!last || c.closedAt > (last.closedAt as Date))
    )
      last = c;
  return last;
}

/**
 * A campaign covering privileged access, and one covering all access, closed within the policy's
 * cadence; and no campaign still open past its due date.
 */
export async function checkAccessReviews(ctx: CheckContext): Promise<CheckOutcome> {
  const { tx, orgId, now, sources } = ctx;
  const policy = await sources.access.reviewPolicy(tx, orgId);
  const campaigns = await sources.access.reviewCampaigns(tx, orgId);
  const exceptions: ControlException[] = [];
  const windows = coverages(policy);
  for (const coverage of windows) {
    const last = lastClosed(campaigns, coverage.coveredBy);
    if (last?.closedAt && last.closedAt.getTime() >= now.getTime() - coverage.days * dayMs)
      continue;
    const previous = last?.closedAt
      ? `last one "${last.name}" closed ${day(last.closedAt)}`
      : 'none ever closed';
    exceptions.push({
      message: `no review of ${coverage.label} closed in the last ${coverage.days} days (${previous})`,
      subject: { type: 'review_scope', id: coverage.id },
    });
  }
  const overdue = campaigns
    .filter((c) => c.status === 'open' && c.dueAt.getTime() < now.getTime())
    .sort(byText((c) => `${c.dueAt.toISOString()} ${c.id}`));
  for (const c of overdue)
    exceptions.push({
      message: `review "${c.name}" (${c.scope.kind}) overdue (due ${day(c.dueAt)})`,
      subject: { type: 'review_campaign', id: c.id },
    });
  const [privileged, all] = windows;
  return verdict(exceptions, {
    pass: `Privileged access was reviewed within ${privileged?.days} days and all access within ${all?.days} days; no review is overdue`,
    fail: (n) =>
      `${n} access review ${n === 1 ? 'exception' : 'exceptions'}: a review missing or overdue`,
  });
}
