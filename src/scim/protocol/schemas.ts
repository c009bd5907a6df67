/** The URNs of RFC 7643 / 7644 and of Vigil's own extension (docs/scim.md). */
export const scimSchemas = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  /** Vigil's extension of a user: the scheduled end of employment (docs/lifecycle.md). */
  vigilUser: 'urn:ietf:params:scim:schemas:extension:vigil:2.0:User',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  searchRequest: 'urn:ietf:params:scim:api:messages:2.0:SearchRequest',
  bulkRequest: 'urn:ietf:params:scim:api:messages:2.0:BulkRequest',
  bulkResponse: 'urn:ietf:params:scim:api:messages:2.0:BulkResponse',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

/** The content type SCIM speaks (RFC 7644 §3.1); plain JSON is accepted too. */
export const scimContentType = 'application/scim+json; charset=utf-8';

/** The most resources one list answers (advertised as filter.maxResults). */
export const scimMaxResults = 200;
/** A list's page when the client names no count. */
export const scimDefaultCount = 100;

/** A JSON object (not an array, not null). */
export type JsonObject = Record<string, unknown>;
export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The member of `object` named `name`, ignoring case: SCIM attribute names are
 * case-insensitive (RFC 7643 §2.1).
 */
export function memberOf(object: JsonObject, name: string): unknown {
  if (name in object) return object[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(object)) if (key.toLowerCase() === lower) return object[key];
  return undefined;
}

/** The list answer of RFC 7644 §3.4.2. */
export function listResponse(resources: JsonObject[], totalResults: number, startIndex: number) {
  return {
    schemas: [scimSchemas.listResponse],
    totalResults,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
