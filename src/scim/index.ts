export { scimErrors } from './errors.ts';
export {
  createGroupRoles,
  type GroupRoles,
  type MappedGroup,
  type SyncOutcome,
} from './group-roles.ts';
export {
  createScimTokens,
  type ScimCaller,
  type ScimToken,
  type ScimTokenInput,
  type ScimTokens,
  scimTokenInputSchema,
  scimTokenPrefix,
} from './tokens.ts';
