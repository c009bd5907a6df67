import { defineErrors } from '../platform/index.ts';

/**
 * Why a connection's settings were refused, and why a federated sign-in was (docs/sso.md). The
 * sign-in refusals are what `sso.login.failed` names as its reason: each says which check of the
 * upstream's answer failed, never what the answer held.
 */
export const federationErrors = defineErrors({
  connectionInvalid: {
    code: 'sso.connection_invalid',
    kind: 'invalid',
    message: '{field}: {problem}',
    meaning:
      "An SSO connection's settings failed validation (name, protocol, endpoints, attribute mapping, OIDC issuer or client), or did not match what the upstream publishes.",
  },
  connectionNotFound: {
    code: 'sso.connection_not_found',
    kind: 'not_found',
    message: 'No such SSO connection',
    meaning: 'No SSO connection with this id in the organization.',
  },
  connectionExists: {
    code: 'sso.connection_exists',
    kind: 'conflict',
    message: 'The organization already has an SSO connection named {name}',
    meaning: 'Connection names are unique within an organization (they name it on the login page).',
  },
  metadataInvalid: {
    code: 'sso.metadata_invalid',
    kind: 'invalid',
    message: 'The SAML metadata cannot be used: {problem}',
    meaning:
      "An identity provider's SAML metadata (uploaded or fetched) is not well-formed XML, has a DOCTYPE, or names no entity ID, single sign-on URL or signing certificate.",
  },
  metadataUnavailable: {
    code: 'sso.metadata_unavailable',
    kind: 'invalid',
    message: 'The SAML metadata at {url} could not be read: {problem}',
    meaning:
      'The metadata URL answered with an error status, no body or a body too large, or could not be reached (the outbound SSRF guard applies).',
  },
  noMetadataUrl: {
    code: 'sso.no_metadata_url',
    kind: 'conflict',
    message: 'This connection has no metadata URL to refresh from',
    meaning:
      'A metadata refresh was asked of a connection configured from uploaded metadata or fields.',
  },
  notSaml: {
    code: 'sso.not_saml',
    kind: 'conflict',
    message: 'Only a SAML connection has certificates and metadata',
    meaning: 'A certificate or metadata operation was asked of an OIDC connection.',
  },
  certificateInvalid: {
    code: 'sso.certificate_invalid',
    kind: 'invalid',
    message: 'certificate: {problem}',
    meaning:
      'An uploaded IdP certificate is not one PEM X.509 certificate, has already expired, or is already on the connection.',
  },
  certificateNotFound: {
    code: 'sso.certificate_not_found',
    kind: 'not_found',
    message: 'No such certificate on this connection',
    meaning: "No certificate with this id among the connection's IdP certificates.",
  },
  lastCertificate: {
    code: 'sso.certificate_last',
    kind: 'conflict',
    message: "The IdP's last signing certificate cannot be removed; add its successor first",
    meaning:
      'A SAML connection always keeps one certificate to check signatures with: removing the last one is refused.',
  },
  // Sign-in refusals (the upstream's answer, or the request it claims to answer).
  connectionDisabled: {
    code: 'sso.connection_disabled',
    kind: 'forbidden',
    message: 'Sign-in through this identity provider is turned off',
    meaning: 'A sign-in was started or finished through a disabled SSO connection.',
  },
  requestUnknown: {
    code: 'sso.request_unknown',
    kind: 'invalid',
    message: 'The answer does not belong to a sign-in started here, or it took too long',
    meaning:
      'An upstream answer named no request (unsolicited), an unknown or expired one (InResponseTo, state), one already answered, or one this browser did not start (login CSRF: the request is bound to the browser by a cookie): each request is answered once, by the browser that started it, within 10 minutes.',
  },
  notFresh: {
    code: 'sso.authentication_not_fresh',
    kind: 'invalid',
    message: 'The identity provider did not sign the user in again as asked',
    meaning:
      'Vigil asked the upstream for a fresh authentication (SAML ForceAuthn, OIDC prompt=login) because an application asked Vigil for one, and the answer shows an authentication older than the request (AuthnInstant, auth_time) or none.',
  },
  replayed: {
    code: 'sso.replayed',
    kind: 'invalid',
    message: 'This answer was already used',
    meaning: 'A SAML assertion (by its ID) was presented a second time.',
  },
  signatureInvalid: {
    code: 'sso.signature_invalid',
    kind: 'invalid',
    message: "The answer is not signed by the identity provider's key",
    meaning:
      "An upstream answer is unsigned, changed after signing, or signed by a key the connection does not trust (SAML: the assertion's XML signature; OIDC: the ID token).",
  },
  responseInvalid: {
    code: 'sso.response_invalid',
    kind: 'invalid',
    message: 'The answer is malformed: {problem}',
    meaning:
      'An upstream answer could not be used: not well-formed, several assertions (signature wrapping), comments inside signed values, a wrong issuer, no subject, or encrypted to a key Vigil does not hold.',
  },
  audienceMismatch: {
    code: 'sso.audience_mismatch',
    kind: 'invalid',
    message: 'The answer is meant for another service',
    meaning:
      "An upstream answer's audience (SAML AudienceRestriction, OIDC aud) is not this connection.",
  },
  destinationMismatch: {
    code: 'sso.destination_mismatch',
    kind: 'invalid',
    message: 'The answer was sent to another address',
    meaning:
      "A SAML response's Destination or its subject confirmation's Recipient is not this connection's ACS URL.",
  },
  expired: {
    code: 'sso.expired',
    kind: 'invalid',
    message: 'The answer has expired or is not valid yet',
    meaning:
      "An upstream answer's validity window (SAML Conditions and subject confirmation, OIDC exp/iat) does not include now, allowing for the clock skew.",
  },
  upstreamError: {
    code: 'sso.upstream_error',
    kind: 'invalid',
    message: 'The identity provider did not sign you in: {problem}',
    meaning:
      'The upstream identity provider answered with an error (a SAML status other than Success, an OIDC error parameter).',
  },
  upstreamUnavailable: {
    code: 'sso.upstream_unavailable',
    kind: 'unavailable',
    message: 'The identity provider could not be reached: {problem}',
    meaning:
      'A call to the upstream (OIDC discovery, token or keys endpoint) failed or timed out; the sign-in can be tried again.',
    expose: true,
  },
});
