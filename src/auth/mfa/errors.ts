import { defineErrors } from '../../platform/index.ts';

export const mfaErrors = defineErrors({
  noPendingFactor: {
    code: 'mfa.no_pending_factor',
    kind: 'invalid',
    message: 'Start the enrollment again.',
    meaning:
      'A second factor was confirmed that is not waiting for confirmation (never started, or confirmed already).',
  },
  codeInvalid: {
    code: 'mfa.code_invalid',
    kind: 'invalid',
    message: 'That code is not valid. Check the time on your device and try the next code.',
    meaning: 'The TOTP code that should confirm a new factor is wrong.',
  },
  factorNotFound: {
    code: 'mfa.factor_not_found',
    kind: 'not_found',
    message: 'No such factor',
    meaning: 'The user has no second factor with this id.',
  },
  lastFactor: {
    code: 'mfa.last_factor',
    kind: 'conflict',
    message: 'MFA is required for you: add another factor before removing this one.',
    meaning: 'A user who must use MFA tried to remove their only confirmed factor.',
  },
  passkeyExpired: {
    code: 'mfa.passkey_expired',
    kind: 'invalid',
    message: 'The passkey request expired; try again.',
    meaning: 'A passkey registration came after its challenge expired, or without one.',
  },
  passkeyInvalid: {
    code: 'mfa.passkey_invalid',
    kind: 'invalid',
    message: 'The passkey could not be verified.',
    meaning: 'A passkey registration failed verification (origin, challenge or attestation).',
  },
});
