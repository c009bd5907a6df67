import { defineErrors } from '../platform/index.ts';

export const samlErrors = defineErrors({
  applicationNotFound: {
    code: 'saml.application_not_found',
    kind: 'not_found',
    message: 'No such SAML application',
    meaning: 'No SAML application with this id in the organization.',
  },
  applicationInvalid: {
    code: 'saml.application_invalid',
    kind: 'invalid',
    message: '{field}: {problem}',
    meaning:
      'A SAML application failed validation: a name, an entity ID, at least one https ACS URL (http only on localhost) with exactly one default, a certificate that parses when one is needed (signed requests, encrypted assertions), a signed response or assertion.',
  },
  entityIdTaken: {
    code: 'saml.entity_id_taken',
    kind: 'conflict',
    message: 'Another SAML application of the organization has the entity ID {entityId}',
    meaning: "An application's entity ID is unique within its organization.",
  },
  metadataInvalid: {
    code: 'saml.metadata_invalid',
    kind: 'invalid',
    message: 'metadataXml: {problem}',
    meaning:
      'An uploaded SP metadata document could not be read: not XML, no SPSSODescriptor, or no usable AssertionConsumerService.',
  },
  keyNotFound: {
    code: 'saml.key_not_found',
    kind: 'not_found',
    message: 'No such SAML key',
    meaning: 'No SAML key with this id in the organization.',
  },
  keyInvalid: {
    code: 'saml.key_invalid',
    kind: 'invalid',
    message: '{field}: {problem}',
    meaning: "A SAML key request failed validation (use is 'signing' or 'encryption').",
  },
  keyState: {
    code: 'saml.key_state',
    kind: 'conflict',
    message: 'The key is {state}; {problem}',
    meaning:
      'A key rotation step out of order: only a `next` key can be activated, only a `retiring` key can be retired, and one `next` key per use at a time.',
  },
  organizationUnknown: {
    code: 'saml.organization_unknown',
    kind: 'not_found',
    message: 'No such organization',
    meaning: 'A SAML URL names an organization slug that does not exist or is suspended.',
  },
  requestRefused: {
    code: 'saml.request_refused',
    kind: 'invalid',
    message: 'The SAML request was refused: {reason}',
    meaning:
      'A SAML request to Vigil as identity provider was refused (unknown or disabled application, unregistered ACS URL, missing or bad signature, unreadable message, expired or unknown waiting request, an application of another organization). Nothing was signed; the reason is audited as saml.request.refused.',
  },
});
