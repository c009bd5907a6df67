import { defineErrors } from '../../platform/index.ts';

export const deliveryErrors = defineErrors({
  deliveryNotFound: {
    code: 'alert.delivery_not_found',
    kind: 'not_found',
    message: 'No such alert delivery',
    meaning: 'No alert notification (mail or webhook delivery) with this id in the organization.',
  },
  deliveryNotDead: {
    code: 'alert.delivery_not_dead',
    kind: 'conflict',
    message: 'The delivery is {status}; only a dead one can be sent again',
    meaning:
      'A retry of an alert notification that is still pending or was delivered (only the dead-letter list is retried by hand).',
  },
  badCursor: {
    code: 'alert.delivery_bad_cursor',
    kind: 'invalid',
    message: 'The cursor is not one this API returned',
    meaning:
      "A delivery list sent a page cursor that this API did not hand out (a page's nextCursor).",
  },
});
