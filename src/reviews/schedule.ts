import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  type Database,
  jobLockKeys,
  type Logger,
  type Mailer,
  onOneNode,
  withOrg,
  withPlatform,
} from '../platform/index.ts';
import { overdueNotice, reviewerReminder } from './mails.ts';
import { periodOf, scheduledScopes, scheduleKeyOf } from './periods.ts';
import type { ReviewPolicy, ReviewPolicyService } from './policy.ts';
import * as store from './schedule.store.ts';
import type { Reviews } from './service.ts';
import type { SnapshotSources } from './snapshot.ts';
import { activeUsersAmong, type CampaignRow, lockCampaign } from './store.ts';

export interface ReviewScheduleDeps {
  database: Database;
  clock: Clock;
  audit: AuditWriter;
  reviews: Pick<Reviews, 'launch' | 'close'>;
  policy: Pick<ReviewPolicyService, 'policy'>;
  /** The organization's role holders: its admins (reviews.manage) hear of overdue campaigns. */
  holdersIn: SnapshotSources['holdersIn'];
  mailer: Mailer;
  logger: Logger;
  /** The console's origin: a reviewer's queue is `<publicUrl>/admin/orgs/<orgId>/my-reviews`. */
  publicUrl: string;
}

/** What one round did; `ran` false when another node (or runner) held the schedule's lock. */
export interface ReviewRoundReport {
  ran: boolean;
  launched: number;
  reminded: number;
  escalated: number;
  closed: number;
  failed: number;
}

/** Who acts when the schedule launches, reminds, escalates or closes a campaign. */
export const reviewScheduleActor: AuditActor = { type: 'system', id: 'review-schedule' };

const dayMs = 86_400_000;
const daysAfter = (at: Date, days: number) => new Date(at.getTime() + days * dayMs);

/** The unique index on (org_id, schedule_key) refused a launch another runner made first. */
const launchedMeanwhile = (err: unknown) =>
  (err as { code?: unknown })?.code === '23505' &&
  String((err as { constraint?: unknown; message?: unknown })?.message ?? '').includes(
    'review_campaigns_schedule',
  );

/** When the schedule closes a scheduled campaign by itself under `policy`; null: never. */
const autoCloseAtOf = (campaign: CampaignRow, policy: ReviewPolicy): Date | null =>
  campaign.schedule_key !== null && policy.closeAfterDays !== null
    ? daysAfter(campaign.due_at, policy.closeAfterDays)
    : null;

/**
 * The access review schedule (docs/reviews.md#schedules-reminders-and-escalation): each round
 * launches the current quarter's or year's campaigns the organization's review policy asks for,
 * reminds reviewers who have undecided items, tells the admins once of a campaign past due, and
 * closes a scheduled campaign `closeAfterDays` after its due date. Every launch and every
 * campaign's step is a transaction of its own, so one failure stops nothing else.
 */
export function createReviewSchedule(deps: ReviewScheduleDeps) {
  const { database, clock, logger } = deps;

  /**
   * The current period's campaign of each scheduled scope, unless it exists. Only the current
   * one: after downtime a round launches it once, never the periods it missed.
   */
  async function launchDue(
    org: { id: string },
    policy: ReviewPolicy,
    report: ReviewRoundReport,
  ): Promise<void> {
    for (const scope of scheduledScopes) {
      const every = policy[scope.policyKey];
      if (every === null) continue;
      try {
        const launched = await withOrg(database, org.id, async (tx) => {
          const now = clock.now();
          const period = periodOf(every, now);
          const scheduleKey = scheduleKeyOf(scope.kind, period);
          if (await store.hasScheduled(tx, org.id, scheduleKey)) return false;
          const input = {
            scope: { kind: scope.kind },
            name: `${scope.title} ${period.label}`,
            dueAt: daysAfter(now, policy.dueDays),
            scheduleKey,
          };
          await deps.reviews.launch(tx, org.id, input, reviewScheduleActor);
          return true;
        });
        if (launched) report.launched += 1;
      } catch (err) {
        if (launchedMeanwhile(err)) continue;
        report.failed += 1;
        logger.error(
          { err, orgId: org.id, scope: scope.kind },
          'review schedule: a campaign could not be launched',
        );
      }
    }
  }

  /** Mails each reviewer with undecided items of an open campaign not yet due; true if any went. */
  function remind(org: { id: string; name: string }, campaignId: string, policy: ReviewPolicy) {
    return withOrg(database, org.id, async (tx) => {
      // Locked and read again: a close or another reminder may have come first.
      const campaign = await lockCampaign(tx, org.id, campaignId);
      const now = clock.now();
      if (campaign?.status !== 'open' || now >= campaign.due_at) return false;
      const last = campaign.reminded_at ?? campaign.launched_at;
      if (policy.remindEveryDays === 0 || now < daysAfter(last, policy.remindEveryDays))
        return false;
      const reviewers = (await store.unfinishedReviewers(tx, campaign.id)).filter(
        (r) => r.status === 'active',
      );
      if (reviewers.length === 0) return false;
      await store.markReminded(tx, campaign.id, now);
      await deps.audit(tx, {
        orgId: org.id,
        action: 'review.campaign.reminded',
        actor: reviewScheduleActor,
        target: { type: 'review_campaign', id: campaign.id },
        details: {
          reviewers: reviewers.map((r) => ({ userId: r.id, items: r.items })),
          items: reviewers.reduce((sum, r) => sum + r.items, 0),
        },
      });
      // Sent before the commit: a mail that cannot go rolls the reminder back, to be sent again
      // next round, so the log never records a reminder its reviewer did not get.
      const queueUrl = `${deps.publicUrl}/admin/orgs/${org.id}/my-reviews`;
      for (const r of reviewers)
        await deps.mailer.send(reviewerReminder(r, org, campaign, r.items, queueUrl));
      return true;
    });
  }

  /** Tells the organization's admins, once, that an open campaign passed its due date. */
  function escalate(org: { id: string; name: string }, campaignId: string, policy: ReviewPolicy) {
    return withOrg(database, org.id, async (tx) => {
      const campaign = await lockCampaign(tx, org.id, campaignId);
      const now = clock.now();
      if (campaign?.status !== 'open' || now < campaign.due_at || campaign.escalated_at !== null)
        return false;
      const unfinished = await store.unfinishedReviewers(tx, campaign.id);
      const unreviewable = await store.unreviewableCount(tx, campaign.id);
      const holders = await deps.holdersIn(tx, org.id);
      const managerIds = [...holders]
        .filter(([, roles]) => roles.some((r) => r.permissions.includes('reviews.manage')))
        .map(([userId]) => userId);
      const admins = await activeUsersAmong(tx, org.id, managerIds);
      if (admins.length === 0)
        logger.warn(
          { orgId: org.id, campaignId },
          'review schedule: an overdue campaign has no active admin to tell',
        );
      await store.markEscalated(tx, campaign.id, now);
      await deps.audit(tx, {
        orgId: org.id,
        action: 'review.campaign.escalated',
        actor: reviewScheduleActor,
        target: { type: 'review_campaign', id: campaign.id },
        details: {
          dueAt: campaign.due_at.toISOString(),
          admins: admins.map((a) => a.id),
          reviewers: unfinished.map((r) => ({ userId: r.id, items: r.items })),
          undecided: unfinished.reduce((sum, r) => sum + r.items, 0) + unreviewable,
          unreviewable,
        },
      });
      // Before the commit, as reminders: the escalation is recorded only once its mails went.
      const autoCloseAt = autoCloseAtOf(campaign, policy);
      for (const admin of admins)
        await deps.mailer.send(
          overdueNotice(admin, org, campaign, unfinished, unreviewable, autoCloseAt),
        );
      return true;
    });
  }

  /** Closes a scheduled campaign `closeAfterDays` past its due date (the undecided policy applies). */
  function autoClose(org: { id: string }, campaignId: string, policy: ReviewPolicy) {
    return withOrg(database, org.id, async (tx) => {
      const campaign = await lockCampaign(tx, org.id, campaignId);
      const closeAt = campaign && autoCloseAtOf(campaign, policy);
      if (campaign?.status !== 'open' || !closeAt || clock.now() < closeAt) return false;
      await deps.reviews.close(tx, org.id, campaign.id, reviewScheduleActor);
      return true;
    });
  }

  /** One campaign's steps, in order: a reminder, the escalation, the close. */
  async function followUp(
    org: { id: string; name: string },
    campaign: CampaignRow,
    policy: ReviewPolicy,
    report: ReviewRoundReport,
  ): Promise<void> {
    const steps = [
      [remind, 'reminded'],
      [escalate, 'escalated'],
      [autoClose, 'closed'],
    ] as const;
    for (const [step, counted] of steps) {
      try {
        if (await step(org, campaign.id, policy)) report[counted] += 1;
      } catch (err) {
        report.failed += 1;
        logger.error(
          { err, orgId: org.id, campaignId: campaign.id, step: counted },
          'review schedule: a campaign could not be followed up',
        );
      }
    }
  }

  async function roundIn(org: { id: string; name: string }, report: ReviewRoundReport) {
    const { policy } = await withOrg(database, org.id, (tx) => deps.policy.policy(tx, org.id));
    await launchDue(org, policy, report);
    const open = await withOrg(database, org.id, (tx) => store.openCampaigns(tx, org.id));
    for (const campaign of open) await followUp(org, campaign, policy, report);
  }

  return {
    /** One round now, unless another runner holds the lock. */
    async runRound(): Promise<ReviewRoundReport> {
      const report: ReviewRoundReport = {
        ran: true,
        launched: 0,
        reminded: 0,
        escalated: 0,
        closed: 0,
        failed: 0,
      };
      const outcome = await onOneNode(database, jobLockKeys.reviewSchedule, async () => {
        const orgs = await withPlatform(database, (tx) => store.activeOrganizations(tx));
        for (const org of orgs) {
          try {
            await roundIn(org, report);
          } catch (err) {
            // One organization's trouble (a stored policy that no longer parses, a lost
            // connection) leaves the others to run.
            report.failed += 1;
            logger.error(
              { err, orgId: org.id },
              'review schedule: an organization could not be handled',
            );
          }
        }
      });
      if (!outcome.ran) return { ...report, ran: false };
      const { ran: _, ...counts } = report;
      if (Object.values(counts).some((n) => n > 0)) logger.info(counts, 'review schedule round');
      return report;
    },
  };
}

export type ReviewSchedule = ReturnType<typeof createReviewSchedule>;
