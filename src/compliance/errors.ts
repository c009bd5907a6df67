import { defineErrors } from '../platform/index.ts';

export const complianceErrors = defineErrors({
  reviewCampaignOpen: {
    code: 'review.evidence_campaign_open',
    kind: 'conflict',
    message: 'The campaign is still open: only a closed campaign exports as evidence',
    meaning:
      'An evidence export of an access review campaign that has not closed (its record is not final).',
  },
  evidencePeriodInvalid: {
    code: 'evidence.period_invalid',
    kind: 'invalid',
    message: '{field}: {problem}',
    meaning:
      "An evidence pack's period is not two dates (YYYY-MM-DD) with `from` before `to`, at most 400 days apart.",
  },
  controlNotFound: {
    code: 'compliance.control_not_found',
    kind: 'not_found',
    message: 'No control {control} in the catalog',
    meaning:
      'A control id that is not one of the catalog (docs/compliance.md lists them; `GET /orgs/{orgId}/compliance/controls` answers them).',
  },
  periodInvalid: {
    code: 'compliance.period_invalid',
    kind: 'invalid',
    message: '{field}: {problem}',
    meaning:
      'The period of a control history or of the posture is not a pair of ISO 8601 dates (the posture: days, YYYY-MM-DD) with `from` before `to`, at most 400 days apart.',
  },
});
