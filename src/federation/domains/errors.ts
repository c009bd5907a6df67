import { defineErrors } from '../../platform/index.ts';

/** Claimed email domains and their verification (docs/sso.md#home-realm-discovery-and-domains). */
export const domainErrors = defineErrors({
  domainInvalid: {
    code: 'sso.domain_invalid',
    kind: 'invalid',
    message: '{domain} is not a domain name Vigil can verify: {problem}',
    meaning:
      'A claimed domain is not a lowercase-able DNS name of at least two labels (letters, digits and inner hyphens), or is longer than 253 characters.',
  },
  domainExists: {
    code: 'sso.domain_exists',
    kind: 'conflict',
    message: 'The organization has already claimed {domain}',
    meaning: 'The organization claimed this domain before (each domain once per organization).',
  },
  domainTaken: {
    code: 'sso.domain_taken',
    kind: 'conflict',
    message: '{domain} is verified by another organization',
    meaning:
      'Another organization verified this domain first: a verified domain belongs to one organization only.',
  },
  domainNotFound: {
    code: 'sso.domain_not_found',
    kind: 'not_found',
    message: 'No such domain',
    meaning: 'No claimed domain with this id in the organization.',
  },
  domainVerified: {
    code: 'sso.domain_already_verified',
    kind: 'conflict',
    message: '{domain} is verified already',
    meaning: 'A verification was asked for a domain that is verified.',
  },
  verificationFailed: {
    code: 'sso.domain_verification_failed',
    kind: 'invalid',
    message: 'The verification file of {domain} was not accepted: {problem}',
    meaning:
      "The domain's verification file could not be fetched over HTTPS (unreachable, refused by the SSRF guard, not 200, too large) or is not the signed file Vigil issued for this organization, domain and claim date.",
  },
  attestationForbidden: {
    code: 'sso.domain_attestation_forbidden',
    kind: 'forbidden',
    message:
      "Only a platform administrator (or the operator's CLI) may verify a domain by attestation; publish the verification file instead",
    meaning:
      "An organization's own administrator tried to attest a domain: an attestation is the platform operator's word, given after an out-of-band check.",
  },
  connectionInvalid: {
    code: 'sso.domain_connection_invalid',
    kind: 'invalid',
    message: 'connectionId: no SSO connection with this id in the organization',
    meaning: "A domain was pointed at a connection that is not one of the organization's.",
  },
});
