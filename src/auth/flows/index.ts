export {
  type BootstrapDeps,
  type BootstrapInput,
  type BootstrapService,
  createBootstrapService,
  platformAdminRole,
} from './bootstrap.ts';
export {
  type Client,
  createSignInFlow,
  type SignInDeps,
  type SignInFlow,
  type Stage,
  type StepResult,
} from './sign-in.ts';
