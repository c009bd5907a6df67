export { reviewErrors } from './errors.ts';
export {
  type DecisionInput,
  type LaunchInput,
  type ReviewFlag,
  type ReviewScope,
  snapshotSha256,
} from './model.ts';
export {
  createReviewPolicy,
  defaultReviewPolicy,
  type ReviewPolicy,
  type ReviewPolicyService,
  reviewPolicySchema,
  reviewPresets,
} from './policy.ts';
export type { ItemFilter, QueuedItem, QueueFilter, ReviewerProgress } from './queries.store.ts';
export type {
  CampaignMetrics,
  CampaignRecord,
  CampaignSummary,
  NamedUser,
  ReviewItemRecord,
} from './record.ts';
export {
  createReviewSchedule,
  type ReviewRoundReport,
  type ReviewSchedule,
  reviewScheduleActor,
} from './schedule.ts';
export { createReviews, type ReviewDeps, type Reviews, reviewsInOrg } from './service.ts';
