export { lifecycleErrors } from './errors.ts';
export {
  createLifecyclePolicy,
  defaultLifecyclePolicy,
  type LifecyclePolicy,
  type LifecyclePolicyService,
  lifecyclePolicySchema,
  lifecyclePresets,
} from './policy.ts';
export {
  createLifecycleSchedule,
  type LifecycleSchedule,
  type RoundReport,
  scheduleActor,
} from './schedule.ts';
export {
  createLifecycle,
  type DeactivationRequest,
  type Lifecycle,
  type LifecycleDeps,
  type ReportPeriod,
} from './service.ts';
export type {
  DeprovisioningReport,
  DeprovisioningReportRow,
} from './sla-report.ts';
