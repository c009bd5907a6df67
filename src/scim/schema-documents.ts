import { type JsonObject, scimSchemas } from './protocol/schemas.ts';

/** One attribute's definition (RFC 7643 §7), with the defaults most attributes share. */
export function attribute(
  name: string,
  type: 'string' | 'boolean' | 'dateTime' | 'reference' | 'complex',
  options: {
    description: string;
    required?: boolean;
    multiValued?: boolean;
    caseExact?: boolean;
    mutability?: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
    returned?: 'always' | 'never' | 'default' | 'request';
    uniqueness?: 'none' | 'server' | 'global';
    referenceTypes?: string[];
    subAttributes?: JsonObject[];
  },
): JsonObject {
  return {
    name,
    type,
    multiValued: options.multiValued ?? false,
    description: options.description,
    required: options.required ?? false,
    ...(type === 'string' || type === 'reference' ? { caseExact: options.caseExact ?? false } : {}),
    mutability: options.mutability ?? 'readWrite',
    returned: options.returned ?? 'default',
    uniqueness: options.uniqueness ?? 'none',
    ...(options.referenceTypes ? { referenceTypes: options.referenceTypes } : {}),
    ...(options.subAttributes ? { subAttributes: options.subAttributes } : {}),
  };
}

const userAttributes = [
  attribute('userName', 'string', {
    description: 'Unique in the organization, ignoring case; the email when it is one. Required.',
    required: true,
    uniqueness: 'server',
  }),
  attribute('name', 'complex', {
    description: "The user's name.",
    subAttributes: [
      attribute('formatted', 'string', { description: 'The full name (read as given + family).' }),
      attribute('givenName', 'string', { description: 'The given (first) name.' }),
      attribute('familyName', 'string', { description: 'The family (last) name.' }),
    ],
  }),
  attribute('displayName', 'string', {
    description: 'The name shown; else name.formatted, else given and family name, else userName.',
  }),
  attribute('active', 'boolean', {
    description: 'false suspends the user (signed out everywhere at once); true reactivates.',
  }),
  attribute('emails', 'complex', {
    description:
      'Vigil keeps one email: the primary, else the work one, else the first; unique in the organization.',
    multiValued: true,
    subAttributes: [
      attribute('value', 'string', { description: 'The email address.' }),
      attribute('type', 'string', { description: 'Always work in answers.' }),
      attribute('primary', 'boolean', { description: 'Always true in answers.' }),
    ],
  }),
  attribute('groups', 'complex', {
    description: 'The SCIM groups the user is a member of; change them through Groups.',
    multiValued: true,
    mutability: 'readOnly',
    subAttributes: [
      attribute('value', 'string', { description: 'The group id.', mutability: 'readOnly' }),
      attribute('$ref', 'reference', {
        description: 'The group URI.',
        mutability: 'readOnly',
        referenceTypes: ['Group'],
      }),
      attribute('display', 'string', {
        description: "The group's displayName.",
        mutability: 'readOnly',
      }),
      attribute('type', 'string', {
        description: 'How the user is a member: always direct (groups hold no groups).',
        mutability: 'readOnly',
      }),
    ],
  }),
];

const enterpriseAttributes = [
  attribute('employeeNumber', 'string', { description: 'The HR system’s number of the user.' }),
  attribute('department', 'string', { description: "The user's department." }),
  attribute('manager', 'complex', {
    description: "The user's manager: another user of the organization.",
    subAttributes: [
      attribute('value', 'string', { description: "The manager's id." }),
      attribute('$ref', 'reference', {
        description: "The manager's URI.",
        mutability: 'readOnly',
        referenceTypes: ['User'],
      }),
    ],
  }),
];

const vigilAttributes = [
  attribute('endDate', 'dateTime', {
    description:
      'The end of employment: Vigil deprovisions the user at that time (docs/lifecycle.md). null clears it.',
  }),
];

/** A schema document of /Schemas. */
export function schemaDocument(
  id: string,
  name: string,
  description: string,
  attributes: JsonObject[],
  base: string,
): JsonObject {
  return {
    schemas: [scimSchemas.schema],
    id,
    name,
    description,
    attributes,
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${id}` },
  };
}

/** The User schema and its two extensions. */
export const userSchemaDocuments = (base: string): JsonObject[] => [
  schemaDocument(scimSchemas.user, 'User', 'A user of the organization', userAttributes, base),
  schemaDocument(
    scimSchemas.enterpriseUser,
    'EnterpriseUser',
    'Enterprise user (RFC 7643 §4.3)',
    enterpriseAttributes,
    base,
  ),
  schemaDocument(
    scimSchemas.vigilUser,
    'VigilUser',
    "Vigil's extension: the scheduled end of employment",
    vigilAttributes,
    base,
  ),
];
