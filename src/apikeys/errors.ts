import { defineErrors } from '../platform/index.ts';

export const apiKeyErrors = defineErrors({
  keyInvalid: {
    code: 'apikey.invalid',
    kind: 'invalid',
    message: '{field}: {problem}',
    meaning:
      "An API key's name, expiry or permissions failed validation (an unknown permission, or a platform one outside the platform organization).",
  },
  widerThanCreator: {
    code: 'apikey.wider_than_creator',
    kind: 'forbidden',
    message: 'permissions: {permission} is not one of yours; a key cannot do more than its creator',
    meaning: 'A key was asked for with a permission its creator does not hold.',
  },
  keyNotFound: {
    code: 'apikey.not_found',
    kind: 'not_found',
    message: 'No such API key',
    meaning: 'No API key with this id in the organization.',
  },
  keyRevoked: {
    code: 'apikey.revoked',
    kind: 'conflict',
    message: 'The key is already revoked',
    meaning: 'The key was revoked before.',
  },
});
