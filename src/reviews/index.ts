export { reviewErrors } from './errors.ts';
export {
  type DecisionInput,
  type LaunchInput,
  type ReviewFlag,
  type ReviewScope,
  snapshotSha256,
} from './model.ts';
export type {
  CampaignMetrics,
  CampaignRecord,
  CampaignSummary,
  NamedUser,
  ReviewItemRecord,
} from './record.ts';
export { createReviews, type ReviewDeps, type Reviews } from './service.ts';
