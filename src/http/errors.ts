import { defineErrors } from '../platform/index.ts';

/** The HTTP layer's own errors: refused requests, the server, metrics and the admin API. */
export const httpErrors = defineErrors({
  badUrl: {
    code: 'request.bad_url',
    kind: 'invalid',
    message: 'The path is not a valid URL (a malformed %-escape)',
    meaning: 'The router refused a path with a malformed %-escape.',
  },
  pathTooLong: {
    code: 'request.path_too_long',
    kind: 'invalid',
    message: 'A part of the path is too long',
    meaning: 'The router refused a path with a part longer than it accepts.',
    httpStatus: '414',
  },
  requestInvalid: {
    code: 'request.invalid',
    kind: 'invalid',
    message: '{problem}',
    meaning: "The request broke a route's JSON schema (errors list each problem).",
  },
  tooLarge: {
    code: 'request.too_large',
    kind: 'invalid',
    message: 'The body is too large',
    meaning: 'The body is larger than the server accepts.',
    httpStatus: '413',
  },
  unsupportedMediaType: {
    code: 'request.unsupported_media_type',
    kind: 'invalid',
    message: 'Unsupported content type',
    meaning: 'The body has a content type the route does not take.',
    httpStatus: '415',
  },
  fastifyRefused: {
    code: 'request.{fastifyCode}',
    kind: 'invalid',
    message: '{problem}',
    meaning:
      "Any other refusal of Fastify's (an empty or malformed JSON body, say): its code, lowercased, with its status.",
    httpStatus: '4xx',
  },
  concurrentChange: {
    code: 'request.concurrent_change',
    kind: 'conflict',
    message: 'Another change was made at the same time; read again and retry',
    meaning:
      'Two concurrent changes both passed their checks and the database refused the second (a unique constraint).',
  },
  internal: {
    code: 'internal',
    kind: 'internal',
    message: 'Internal error',
    meaning: 'Anything unexpected; the request id finds it in the logs. Nothing else is exposed.',
  },
  tlsMissing: {
    code: 'http.tls_missing',
    kind: 'internal',
    message: 'TLS material is required',
    meaning: 'The server was started for HTTPS without a certificate and key.',
  },
  metricsForbidden: {
    code: 'metrics.forbidden',
    kind: 'forbidden',
    message: 'Metrics are not available to this client',
    meaning: 'A client outside the allowed metrics addresses asked for /metrics.',
  },
  oauthInvalidRequest: {
    code: 'oauth.invalid_request',
    kind: 'invalid',
    message: 'A parameter contains a control character or is not valid Unicode',
    meaning: 'An OAuth endpoint got a parameter that is not clean text.',
  },
  apiInvalidQuery: {
    code: 'api.invalid_query',
    kind: 'invalid',
    message: '{field}: {problem}',
    meaning: "An admin API query string failed the route's schema.",
  },
  apiInvalidBody: {
    code: 'api.invalid_body',
    kind: 'invalid',
    message: '{field}: {problem}',
    meaning: "An admin API body failed the route's schema.",
  },
  apiInvalidPath: {
    code: 'api.invalid_path',
    kind: 'invalid',
    message: '{name}: {value} is not one',
    meaning: 'A path parameter of the admin API is not of its kind (not a UUID, say).',
  },
  apiUnauthenticated: {
    code: 'api.unauthenticated',
    kind: 'unauthenticated',
    message: 'Send an API key or an access token for this API as `Authorization: Bearer …`',
    meaning: 'An admin API request came without valid credentials.',
  },
  apiUserRequired: {
    code: 'api.user_required',
    kind: 'forbidden',
    message: 'This needs a signed-in user, not an API key',
    meaning: 'An API key called an admin API route that acts for a person.',
  },
  apiIfMatchRequired: {
    code: 'api.if_match_required',
    kind: 'precondition_required',
    message: 'Send If-Match with the ETag you read',
    meaning: 'An update that needs If-Match came without it.',
  },
  apiIfMatchInvalid: {
    code: 'api.if_match_invalid',
    kind: 'precondition_failed',
    message: 'If-Match is not an ETag of this resource',
    meaning: 'If-Match does not hold an ETag this API hands out.',
  },
  apiOwnerRequired: {
    code: 'api.owner_required',
    kind: 'invalid',
    message:
      'ownerUserId: name the user of this organization accountable for the role (an API key or a caller from another organization has no default)',
    meaning:
      'A privileged role was created without an accountable owner and the caller cannot be one.',
  },
});
