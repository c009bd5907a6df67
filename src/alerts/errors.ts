import { defineErrors } from '../platform/index.ts';

export const alertErrors = defineErrors({
  alertNotFound: {
    code: 'alert.not_found',
    kind: 'not_found',
    message: 'No such alert',
    meaning: 'No alert with this id in the organization.',
  },
  alertResolved: {
    code: 'alert.resolved',
    kind: 'conflict',
    message: 'The alert is resolved; it cannot change',
    meaning:
      'An acknowledgement, assignment or resolution of an alert that was already resolved (a later event of the same kind raises a new alert).',
  },
  alertInvalid: {
    code: 'alert.invalid',
    kind: 'invalid',
    message: '{field}: {problem}',
    meaning: "An inbox step's input failed validation (a resolution note of 1 to 2000 characters).",
  },
  assigneeInvalid: {
    code: 'alert.assignee_invalid',
    kind: 'invalid',
    message: 'assigneeId: {problem}',
    meaning:
      'An alert was assigned to someone who is not an active user of the organization holding alerts.read or alerts.manage.',
  },
  badCursor: {
    code: 'alert.bad_cursor',
    kind: 'invalid',
    message: 'The cursor is not one this API returned',
    meaning:
      "An alert list sent a page cursor that this API did not hand out (a page's nextCursor).",
  },
});
