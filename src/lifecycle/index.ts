export {
  createLifecycle,
  type DeactivationRequest,
  type Lifecycle,
  type LifecycleDeps,
} from './service.ts';
