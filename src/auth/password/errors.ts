import { defineErrors } from '../../platform/index.ts';

export const passwordErrors = defineErrors({
  policy: {
    code: 'password.policy',
    kind: 'invalid',
    message: '{problems}',
    meaning:
      "A new password breaks the organization's password policy, or its two entries differ (each problem listed in `errors`).",
  },
  changeRefused: {
    code: 'password.change_refused',
    kind: 'invalid',
    message: '{problems}',
    meaning:
      'A user changing their own password gave a wrong current password or a new one the policy refuses (each problem listed in `errors`).',
  },
});
