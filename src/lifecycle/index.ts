export { createLifecycle, type Lifecycle, type LifecycleDeps } from './service.ts';
