export type { Assignment, AssignmentPage, AssignmentQuery, Removal } from './assignments.ts';
export {
  builtInRoleKeys,
  builtInRoles,
  type Permission,
  permissions,
  type RoleDefinition,
} from './catalog.ts';
export type { CustomRole } from './directory.ts';
export { rbacErrors } from './errors.ts';
export type { AssignInput } from './grants.ts';
export { conflictRuleInputSchema, type RoleInput, roleInputSchema } from './model.ts';
export type { KeyPrincipal, Principal, RbacDeps, UserPrincipal } from './principals.ts';
export { createRbac, type Rbac } from './service.ts';
export type { UserGrants } from './sources.ts';
export { heldRoleKeysOfUsers } from './store.ts';
