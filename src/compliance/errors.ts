import { defineErrors } from '../platform/index.ts';

export const complianceErrors = defineErrors({
  reviewCampaignOpen: {
    code: 'review.evidence_campaign_open',
    kind: 'conflict',
    message: 'The campaign is still open: only a closed campaign exports as evidence',
    meaning:
      'An evidence export of an access review campaign that has not closed (its record is not final).',
  },
});
