export {
  createLifecycle,
  type DeactivationRequest,
  type Lifecycle,
  type LifecycleDeps,
} from './service.ts';
export {
  createLifecyclePolicy,
  defaultLifecyclePolicy,
  type LifecyclePolicy,
  type LifecyclePolicyService,
  lifecyclePolicySchema,
  lifecyclePresets,
} from './policy.ts';
