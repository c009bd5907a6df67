import { AppError } from '../../../platform/index.ts';

/** The errors a sign-in's later steps answer (the password step answers `failed` instead). */
export const signInErrors = {
  /** The flow token is unknown, expired, in another stage, or its user is no longer active. */
  flowInvalid: () =>
    new AppError(
      'unauthenticated',
      'signin.flow_invalid',
      'This sign-in has expired. Please sign in again.',
    ),
  /** An enrollment confirmed before it was started. */
  noPendingFactor: () =>
    new AppError('invalid', 'mfa.no_pending_factor', 'Start the enrollment again.'),
  /** A forced password change whose two entries differ. */
  passwordsDiffer: () =>
    new AppError('invalid', 'password.policy', 'The two passwords differ.', {
      details: { problems: ['The two passwords differ.'] },
    }),
};
