import { defineErrors } from '../platform/index.ts';

export const lifecycleErrors = defineErrors({
  reportRangeInvalid: {
    code: 'lifecycle.report_range_invalid',
    kind: 'invalid',
    message: '{field}: {problem}',
    meaning:
      "The deprovisioning report's period is not a pair of ISO 8601 dates with `from` before `to`, at most 366 days apart.",
  },
});
