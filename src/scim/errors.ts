import { defineErrors } from '../platform/index.ts';

/** What the SCIM module refuses: its tokens and the roles its groups map to (docs/scim.md). */
export const scimErrors = defineErrors({
  tokenInvalid: {
    code: 'scim.token_invalid',
    kind: 'invalid',
    message: '{field}: {problem}',
    meaning: "A SCIM token's name or expiry failed validation.",
  },
  tokenNotFound: {
    code: 'scim.token_not_found',
    kind: 'not_found',
    message: 'No such SCIM token',
    meaning: 'No SCIM token with this id in the organization.',
  },
  tokenRevoked: {
    code: 'scim.token_revoked',
    kind: 'conflict',
    message: 'The SCIM token is already revoked',
    meaning: 'The SCIM token was revoked before.',
  },
});
