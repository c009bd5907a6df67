export { type BulkResource, bulkMaxOperations, runBulk } from './bulk.ts';
export { inOrg, type ScimCall } from './call.ts';
export {
  resourceTypes,
  type ScimResourceType,
  schemas,
  scimResourceTypes,
  serviceProviderConfig,
} from './discovery.ts';
export { scimErrors } from './errors.ts';
export {
  createGroupRoles,
  type GroupRoles,
  type MappedGroup,
  type SyncOutcome,
} from './group-roles.ts';
export { groupResourceType, wantsMembers } from './groups.resource.ts';
export { createScimGroups, type ScimGroups, type SyncUsers } from './groups.ts';
export { scimErrorOf } from './protocol/error-body.ts';
export { ifMatchAllows, versionOf } from './protocol/etag.ts';
export { type FilterColumns, filterSql } from './protocol/filter.store.ts';
export {
  type FilterAttributes,
  type FilterType,
  parseFilter,
  type ScimFilter,
} from './protocol/filter.ts';
export {
  type ListRequest,
  listRequestOf,
  projectionOf,
  searchRequestOf,
} from './protocol/list-request.ts';
export { applyPatch, patchOperationsOf } from './protocol/patch.ts';
export { type Projection, project } from './protocol/projection.ts';
export {
  isJsonObject,
  type JsonObject,
  listResponse,
  memberOf,
  scimContentType,
  scimMaxResults,
  scimSchemas,
} from './protocol/schemas.ts';
export { attribute, schemaDocument } from './schema-documents.ts';
export { createScim, type Scim } from './service.ts';
export {
  createScimTokens,
  type ScimCaller,
  type ScimToken,
  type ScimTokenInput,
  type ScimTokens,
  scimTokenInputSchema,
  scimTokenPrefix,
} from './tokens.ts';
export { scimBoolean } from './user-input.ts';
export {
  createScimUsers,
  type ScimLifecycle,
  type ScimUsers,
  userFilterAttributes,
} from './users.ts';
