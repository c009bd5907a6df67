import { defineErrors } from '../../platform/index.ts';

export const webhookErrors = defineErrors({
  endpointNotFound: {
    code: 'webhook.not_found',
    kind: 'not_found',
    message: 'No such webhook endpoint',
    meaning: 'No webhook endpoint with this id in the organization.',
  },
  endpointInvalid: {
    code: 'webhook.invalid',
    kind: 'invalid',
    message: '{field}: {problem}',
    meaning:
      'A webhook endpoint change failed validation (a name of 1 to 200 characters, a URL, a severity; an update changes at least one of them).',
  },
});
