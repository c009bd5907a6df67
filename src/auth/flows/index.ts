export { type Account, type AccountDeps, createAccount, type PasswordChange } from './account.ts';
export {
  type BootstrapDeps,
  type BootstrapInput,
  type BootstrapService,
  createBootstrapService,
  platformAdminRole,
} from './bootstrap.ts';
export { flowErrors } from './errors.ts';
export {
  createPasswordReset,
  type PasswordReset,
  type PasswordResetDeps,
} from './password-reset.ts';
export {
  type Client,
  createSignInFlow,
  type FederatedSignIn,
  type SignInDeps,
  type SignInFlow,
  type Stage,
  type StepResult,
} from './sign-in/index.ts';
export {
  createSsoPolicy,
  defaultSsoPolicy,
  type SsoPolicy,
  type SsoPolicyService,
  ssoPolicySchema,
} from './sso-policy.ts';
