export { commonPasswordCount, isCommonPassword } from './blocklist.ts';
export { passwordErrors } from './errors.ts';
export {
  compositionProblems,
  defaultPasswordPolicy,
  minLengthFor,
  type PasswordContext,
  type PasswordPolicy,
  passwordExpired,
  passwordPolicySchema,
  passwordPresets,
  passwordTooYoung,
} from './model.ts';
export {
  createPasswordService,
  type PasswordDeps,
  type PasswordOwner,
  type PasswordService,
  type SetPasswordOptions,
  type StoredCredential,
  type VerifyResult,
  type VersionedPolicy,
} from './service.ts';
export { credentialsOf } from './store.ts';
export { temporaryPassword } from './temporary.ts';
