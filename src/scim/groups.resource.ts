import { versionOf } from './protocol/etag.ts';
import type { FilterAttributes } from './protocol/filter.ts';
import type { Projection } from './protocol/projection.ts';
import { type JsonObject, scimSchemas } from './protocol/schemas.ts';
import { attribute, schemaDocument } from './schema-documents.ts';

/** A group as the SCIM resource shows it; `members` is null when the caller left them out. */
export interface ScimGroupView {
  id: string;
  displayName: string;
  externalId: string | null;
  members: { value: string; display: string }[] | null;
  created: Date;
  lastModified: Date;
}

/** What a Group filter may name (RFC 7643 §4.2), lowercased, and how each compares. */
export const groupFilterAttributes: FilterAttributes = {
  id: 'id',
  externalid: 'caseExactString',
  displayname: 'string',
  'members.value': 'id',
  'meta.created': 'dateTime',
  'meta.lastmodified': 'dateTime',
};

/**
 * Whether an answer shows the members: not when the client excluded them (Entra reads groups
 * with `excludedAttributes=members`) or asked for other attributes only, so that a large
 * group's members are not even read.
 */
export function wantsMembers(projection: Projection): boolean {
  const named = (names: string[]) =>
    names.some((name) => {
      const path = name.toLowerCase().replace(`${scimSchemas.group.toLowerCase()}:`, '');
      return path === 'members' || path.startsWith('members.');
    });
  if (projection.attributes.length > 0) return named(projection.attributes);
  return !projection.excludedAttributes.some(
    (name) => name.toLowerCase().replace(`${scimSchemas.group.toLowerCase()}:`, '') === 'members',
  );
}

/**
 * The SCIM representation of a group (RFC 7643 §4.2) under `base` (the organization's SCIM
 * root, e.g. `https://vigil.example/scim/v2/acme`); the route applies the projection.
 */
export function groupResource(group: ScimGroupView, base: string): JsonObject {
  return {
    schemas: [scimSchemas.group],
    id: group.id,
    ...(group.externalId === null ? {} : { externalId: group.externalId }),
    displayName: group.displayName,
    ...(group.members === null
      ? {}
      : {
          members: group.members.map((member) => ({
            value: member.value,
            display: member.display,
            type: 'User',
            $ref: `${base}/Users/${member.value}`,
          })),
        }),
    meta: {
      resourceType: 'Group',
      created: group.created.toISOString(),
      lastModified: group.lastModified.toISOString(),
      location: `${base}/Groups/${group.id}`,
      version: versionOf(group.lastModified),
    },
  };
}

const groupAttributes = [
  attribute('displayName', 'string', {
    description: 'The name of the group, for people. Required.',
    required: true,
  }),
  attribute('members', 'complex', {
    description: 'The users in the group; groups cannot be members.',
    multiValued: true,
    subAttributes: [
      attribute('value', 'string', {
        description: 'The id of a user of the organization.',
        required: true,
        mutability: 'immutable',
      }),
      attribute('$ref', 'reference', {
        description: 'The URI of the member.',
        mutability: 'immutable',
        referenceTypes: ['User'],
      }),
      attribute('display', 'string', {
        description: "The member's display name.",
        mutability: 'immutable',
      }),
      attribute('type', 'string', {
        description: 'The kind of member: only User.',
        mutability: 'immutable',
      }),
    ],
  }),
];

/** The Group resource type and its schema, for /ResourceTypes and /Schemas (RFC 7643 §6, §7). */
export const groupResourceType = {
  name: 'Group',
  endpoint: '/Groups',
  description:
    'Groups of users pushed by the directory; their members hold the roles the group maps to',
  schema: scimSchemas.group,
  schemaExtensions: [],
  schemaDocuments: (base: string) => [
    schemaDocument(scimSchemas.group, 'Group', 'A group of users', groupAttributes, base),
  ],
};
