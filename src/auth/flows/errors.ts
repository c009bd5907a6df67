import { defineErrors } from '../../platform/index.ts';

export const flowErrors = defineErrors({
  bootstrapLinkInvalid: {
    code: 'bootstrap.link_invalid',
    kind: 'forbidden',
    message:
      'This setup link is invalid, expired or already used. Run `vigil admin bootstrap` for a new one.',
    meaning: 'The first-administrator link is unknown, expired or used.',
  },
  bootstrapClosed: {
    code: 'bootstrap.closed',
    kind: 'conflict',
    message:
      'A platform administrator exists; bootstrap is closed. Administrators manage access from now on.',
    meaning: 'A bootstrap link was asked for while a platform administrator exists.',
  },
  resetLinkInvalid: {
    code: 'reset.link_invalid',
    kind: 'forbidden',
    message: 'This reset link is invalid, expired or already used. Ask for a new one.',
    meaning:
      'The password reset link is unknown, expired or used, or its user is no longer active.',
  },
  resetSsoRequired: {
    code: 'reset.sso_required',
    kind: 'forbidden',
    message:
      'Your organization signs in through its identity provider: passwords are turned off. Sign in with single sign-on.',
    meaning:
      "A password reset link was used for a user whose organization's SSO policy requires single sign-on.",
  },
  signInFlowInvalid: {
    code: 'signin.flow_invalid',
    kind: 'unauthenticated',
    message: 'This sign-in has expired. Please sign in again.',
    meaning:
      'A sign-in step came with a flow that is unknown, expired, at another step, or whose user is no longer active.',
  },
});
