import { defineErrors } from '../platform/index.ts';

/**
 * What the SCIM module refuses: the protocol's errors (each code's reason is its RFC 7644 §3.12
 * `scimType`, see protocol/error-body.ts), its tokens and the roles its groups map to
 * (docs/scim.md).
 */
export const scimErrors = defineErrors({
  unauthorized: {
    code: 'scim.unauthorized',
    kind: 'unauthenticated',
    message: 'A valid SCIM bearer token of this organization is required',
    meaning:
      'A SCIM request came without a bearer token, or with one that is unknown, expired, revoked, of another organization, or of a suspended organization.',
  },
  invalidFilter: {
    code: 'scim.invalid_filter',
    kind: 'invalid',
    message: '{detail}',
    meaning:
      'A SCIM filter could not be parsed, names an attribute that cannot be filtered on, or compares it with a value of the wrong type.',
  },
  invalidSyntax: {
    code: 'scim.invalid_syntax',
    kind: 'invalid',
    message: '{detail}',
    meaning:
      'A SCIM request body is not valid JSON, not an object, or lacks the schema it must declare.',
  },
  invalidValue: {
    code: 'scim.invalid_value',
    kind: 'invalid',
    message: '{detail}',
    meaning:
      'A SCIM attribute or query parameter has a value of the wrong type or form, or a required one is missing (a user without an email, an unknown manager).',
  },
  invalidPath: {
    code: 'scim.invalid_path',
    kind: 'invalid',
    message: '{detail}',
    meaning:
      'A SCIM PATCH operation names a path that is malformed or not an attribute of the resource.',
  },
  noTarget: {
    code: 'scim.no_target',
    kind: 'invalid',
    message: '{detail}',
    meaning: 'A SCIM PATCH operation matched nothing it could change (a remove without a path).',
  },
  mutability: {
    code: 'scim.mutability',
    kind: 'invalid',
    message: '{detail}',
    meaning: 'A SCIM request tried to change a read-only attribute (id, groups of a user, meta).',
  },
  uniqueness: {
    code: 'scim.uniqueness',
    kind: 'conflict',
    message: '{detail}',
    meaning:
      "Another resource of the organization already has this unique value (a user's userName or email).",
  },
  tooMany: {
    code: 'scim.too_many',
    kind: 'invalid',
    message: '{detail}',
    meaning: 'A SCIM request asked for more than the service provider answers in one go.',
  },
  bulkTooLarge: {
    code: 'scim.bulk_too_large',
    kind: 'invalid',
    httpStatus: '413',
    message: '{detail}',
    meaning: 'A /Bulk request holds more operations than bulk.maxOperations (100).',
  },
  bulkReference: {
    code: 'scim.bulk_reference',
    kind: 'conflict',
    message: '{detail}',
    meaning:
      'A /Bulk operation refers (bulkId:…) to an operation of the request that failed, that does not create anything, or that refers back to it.',
  },
  bulkFailed: {
    code: 'scim.bulk_failed',
    kind: 'internal',
    message: 'The operation failed',
    meaning: 'A /Bulk operation failed on an unexpected error (logged); the others still ran.',
  },
  versionMismatch: {
    code: 'scim.version_mismatch',
    kind: 'precondition_failed',
    message: 'The resource changed; its version is now {version}',
    meaning: "A SCIM change's If-Match names a version that is no longer the resource's.",
  },
  userNotFound: {
    code: 'scim.user_not_found',
    kind: 'not_found',
    message: 'No user {id}',
    meaning:
      'No SCIM-visible user with this id in the organization (a deprovisioned user is no longer visible).',
  },
  groupNotFound: {
    code: 'scim.group_not_found',
    kind: 'not_found',
    message: 'No group {id}',
    meaning: 'No SCIM group with this id in the organization.',
  },
  resourceNotFound: {
    code: 'scim.not_found',
    kind: 'not_found',
    message: '{detail}',
    meaning: 'No SCIM endpoint, schema or resource type by this name.',
  },
  groupRolesInvalid: {
    code: 'scim.group_roles_invalid',
    kind: 'invalid',
    message: '{field}: {problem}',
    meaning:
      "The roles a SCIM group is to map to failed validation (not a list of role keys, or a key that is not one of the organization's roles).",
  },
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
