import { defineErrors } from '../platform/index.ts';

export const reviewErrors = defineErrors({
  campaignInvalid: {
    code: 'review.invalid',
    kind: 'invalid',
    message: '{field}: {problem}',
    meaning:
      "A campaign's name, scope (a client_users campaign's client: one of the organization's), due date or undecided policy, or a decision's input, failed validation.",
  },
  campaignNotFound: {
    code: 'review.campaign_not_found',
    kind: 'not_found',
    message: 'No such review campaign',
    meaning: 'No access review campaign with this id in the organization.',
  },
  itemNotFound: {
    code: 'review.item_not_found',
    kind: 'not_found',
    message: 'No such review item: {itemId}',
    meaning: 'No item of an access review campaign with this id in the organization.',
  },
  campaignClosed: {
    code: 'review.campaign_closed',
    kind: 'conflict',
    message: 'The campaign is closed; its items cannot change',
    meaning: 'A decision or reassignment on a campaign that was already closed.',
  },
  selfReview: {
    code: 'review.self_review',
    kind: 'forbidden',
    message: 'Item {itemId} is your own access: nobody reviews their own access',
    meaning:
      'A reviewer tried to decide, or be assigned, an item about their own access (single or bulk).',
  },
  notReviewer: {
    code: 'review.not_reviewer',
    kind: 'forbidden',
    message: 'Item {itemId} is not assigned to you',
    meaning: 'Only the reviewer an item is assigned to may decide it.',
  },
  justificationRequired: {
    code: 'review.justification_required',
    kind: 'invalid',
    message: 'Item {itemId} is privileged access: keeping it needs a justification',
    meaning: 'Keeping privileged access was decided without a justification.',
  },
  reduceInvalid: {
    code: 'review.reduce_invalid',
    kind: 'invalid',
    message: 'Item {itemId}: {problem}',
    meaning:
      'A reduce decision named no role, a role the item does not hold, or an item that is not a role.',
  },
  reviewerInvalid: {
    code: 'review.reviewer_invalid',
    kind: 'invalid',
    message: 'reviewerId: {problem}',
    meaning: 'A reassignment named no active user of the organization.',
  },
});
