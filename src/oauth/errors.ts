import { defineErrors } from '../platform/index.ts';

export const oauthErrors = defineErrors({
  clientInvalid: {
    code: 'oauth.client_invalid',
    kind: 'invalid',
    message: '{field}: {problem}',
    meaning: "An OAuth client's registration failed validation (redirect URIs, grant types, kind).",
  },
  clientNotFound: {
    code: 'oauth.client_not_found',
    kind: 'not_found',
    message: 'No such client',
    meaning: 'No OAuth client with this id in the organization.',
  },
  publicClient: {
    code: 'oauth.public_client',
    kind: 'invalid',
    message: 'A public client has no secret',
    meaning: 'A secret rotation was asked for a public client, which has none.',
  },
});
