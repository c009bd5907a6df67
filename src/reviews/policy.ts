import { z } from 'zod';
import {
  type AuditWriter,
  type ChangeFeed,
  type Clock,
  type Tx,
  type Versioned,
  versionedPolicy,
} from '../platform/index.ts';

/** How often the schedule launches a scope's campaign: once per UTC calendar quarter or year. */
const every = z.enum(['quarter', 'year']).nullable();

/**
 * An organization's review policy (docs/reviews.md#schedules-reminders-and-escalation): how often
 * the schedule launches a campaign of each scope, how long reviewers have, how often the
 * unfinished ones are reminded, and when an overdue scheduled campaign closes by itself.
 */
export const reviewPolicySchema = z
  .object({
    /** Privileged roles reviewed every quarter or year; null: never by the schedule. */
    privilegedEvery: every,
    /** Every role assignment reviewed every quarter or year; null: never by the schedule. */
    allEvery: every,
    /** Days from a scheduled launch to the campaign's due date. */
    dueDays: z.number().int().min(1).max(90),
    /** Days between reminders to reviewers with undecided items (0: no reminders). */
    remindEveryDays: z.number().int().min(0).max(30),
    /**
     * Days after the due date a scheduled campaign is closed by the schedule (its undecided items
     * follow the campaign's undecided policy); null: an owner closes it by hand.
     */
    closeAfterDays: z.number().int().min(0).max(90).nullable(),
  })
  .strict();

export type ReviewPolicy = z.output<typeof reviewPolicySchema>;

/** On by default: the SOC 2 seed asks for privileged access each quarter and all access each year. */
export const defaultReviewPolicy: ReviewPolicy = {
  privilegedEvery: 'quarter',
  allEvery: 'year',
  dueDays: 14,
  remindEveryDays: 3,
  closeAfterDays: 7,
};

/** Named settings an administrator may pick (the lifecycle policy's preset names). */
export const reviewPresets: Record<string, ReviewPolicy> = {
  /** The default: SOC 2 CC6.2/CC6.3 evidence of periodic access reviews. */
  'soc2-baseline': defaultReviewPolicy,
  /** No campaign launches or closes by itself; hand-launched ones are still reminded and escalated. */
  manual: {
    privilegedEvery: null,
    allEvery: null,
    dueDays: 14,
    remindEveryDays: 3,
    closeAfterDays: null,
  },
};

/** The review policy of each organization: versioned, every change audited (`policy.reviews.changed`). */
export function createReviewPolicy(deps: {
  audit: AuditWriter;
  clock: Clock;
  /** Tells every node of a change (src/platform/db/notify.ts). */
  changes?: ChangeFeed;
}) {
  const policies = versionedPolicy({
    kind: 'reviews',
    schema: reviewPolicySchema,
    defaults: defaultReviewPolicy,
    presets: reviewPresets,
    audit: deps.audit,
    clock: deps.clock,
    changes: deps.changes,
  });
  return {
    policy: (tx: Tx, orgId: string): Promise<Versioned<ReviewPolicy>> =>
      policies.current(tx, orgId),
    setPolicy: policies.set,
  };
}

export type ReviewPolicyService = ReturnType<typeof createReviewPolicy>;
