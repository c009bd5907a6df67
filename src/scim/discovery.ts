import { bulkMaxOperations } from './bulk.ts';
import { scimErrors } from './errors.ts';
import { groupResourceType } from './groups.resource.ts';
import { type JsonObject, listResponse, scimMaxResults, scimSchemas } from './protocol/schemas.ts';
import { userSchemaDocuments } from './schema-documents.ts';

/**
 * A resource type this service provider serves (RFC 7643 §6), with its schema documents. Users
 * is here; the Groups resource registers itself the same way (`scimResourceTypes`).
 */
export interface ScimResourceType {
  name: string;
  endpoint: string;
  description: string;
  schema: string;
  schemaExtensions: { schema: string; required: boolean }[];
  /** The /Schemas documents of `schema` and its extensions. */
  schemaDocuments(base: string): JsonObject[];
}

/** Every resource type served, in the order /ResourceTypes lists them. */
export const scimResourceTypes: ScimResourceType[] = [
  {
    name: 'User',
    endpoint: '/Users',
    description: 'Users of the organization',
    schema: scimSchemas.user,
    schemaExtensions: [
      { schema: scimSchemas.enterpriseUser, required: false },
      { schema: scimSchemas.vigilUser, required: false },
    ],
    schemaDocuments: userSchemaDocuments,
  },
  groupResourceType,
];

/**
 * RFC 7643 §5: what this service provider supports (docs/scim.md#endpoints); `maxPayloadSize`
 * is the largest body accepted, in bytes.
 */
export function serviceProviderConfig(
  base: string,
  documentationUri: string,
  maxPayloadSize: number,
): JsonObject {
  return {
    schemas: [scimSchemas.serviceProviderConfig],
    documentationUri,
    patch: { supported: true },
    bulk: { supported: true, maxOperations: bulkMaxOperations, maxPayloadSize },
    filter: { supported: true, maxResults: scimMaxResults },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description:
          "A SCIM token of the organization (vigil_scim_…), created by an administrator; send it as 'Authorization: Bearer <token>'.",
        specUri: 'https://www.rfc-editor.org/rfc/rfc6750',
        documentationUri,
        primary: true,
      },
    ],
    meta: {
      resourceType: 'ServiceProviderConfig',
      location: `${base}/ServiceProviderConfig`,
    },
  };
}

function resourceTypeDocument(type: ScimResourceType, base: string): JsonObject {
  return {
    schemas: [scimSchemas.resourceType],
    id: type.name,
    name: type.name,
    endpoint: type.endpoint,
    description: type.description,
    schema: type.schema,
    schemaExtensions: type.schemaExtensions,
    meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/${type.name}` },
  };
}

const schemaDocuments = (base: string) =>
  scimResourceTypes.flatMap((type) => type.schemaDocuments(base));

/** GET /ResourceTypes, or one by name (404 when unknown). */
export function resourceTypes(base: string, name?: string): JsonObject {
  const all = scimResourceTypes.map((type) => resourceTypeDocument(type, base));
  if (name === undefined) return listResponse(all, all.length, 1);
  const found = all.find((doc) => doc.id === name);
  if (!found) throw scimErrors.resourceNotFound({ detail: `No resource type ${name}` });
  return found;
}

/** GET /Schemas, or one by its URN (404 when unknown). */
export function schemas(base: string, id?: string): JsonObject {
  const all = schemaDocuments(base);
  if (id === undefined) return listResponse(all, all.length, 1);
  const found = all.find((doc) => String(doc.id).toLowerCase() === id.toLowerCase());
  if (!found) throw scimErrors.resourceNotFound({ detail: `No schema ${id}` });
  return found;
}
