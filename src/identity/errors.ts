import { defineErrors } from '../platform/index.ts';

export const identityErrors = defineErrors({
  userInvalid: {
    code: 'user.invalid',
    kind: 'invalid',
    message: '{field}: {problem}',
    meaning: "A user's email or display name failed validation.",
  },
  emailTaken: {
    code: 'user.email_taken',
    kind: 'conflict',
    message: 'A user with this email exists',
    meaning: 'Another user of the organization has this email (compared case-insensitively).',
  },
  userNameTaken: {
    code: 'user.user_name_taken',
    kind: 'conflict',
    message: 'A user with this userName exists',
    meaning:
      "Another user of the organization has this directory userName (SCIM's userName, the email when the directory sends none; compared case-insensitively).",
  },
  userNotFound: {
    code: 'user.not_found',
    kind: 'not_found',
    message: 'No such user',
    meaning: 'No user with this id in the organization.',
  },
  badCursor: {
    code: 'user.bad_cursor',
    kind: 'invalid',
    message: 'The cursor is not one this API returned',
    meaning: "A user list sent a page cursor that this API did not hand out (a page's nextCursor).",
  },
  userStale: {
    code: 'user.stale',
    kind: 'precondition_failed',
    message: 'The user changed; read it again',
    meaning: 'A user update was based on a version that is no longer the current one (If-Match).',
  },
  userDeprovisioned: {
    code: 'user.deprovisioned',
    kind: 'conflict',
    message: 'A deprovisioned user stays so',
    meaning: 'A deprovisioned user cannot be changed or reactivated.',
  },
});
