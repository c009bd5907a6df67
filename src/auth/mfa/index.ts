export { mfaErrors } from './errors.ts';
export { newRecoveryCode, normalizeRecoveryCode, recoveryCodeCount } from './recovery.ts';
export {
  createMfaService,
  defaultMfaPolicy,
  type Factor,
  type MfaDeps,
  type MfaPolicy,
  type MfaService,
  type MfaUser,
  mfaPolicySchema,
  mfaSecretColumn,
} from './service.ts';
export { usersWithConfirmedFactor } from './store.ts';
export { acceptTotp, totpCode, totpParams, totpStep, totpUri } from './totp.ts';
export { createWebauthn, type Webauthn, type WebauthnDeps } from './webauthn.ts';
