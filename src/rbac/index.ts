export {
  builtInRoleKeys,
  builtInRoles,
  type Permission,
  permissions,
  type RoleDefinition,
} from './catalog.ts';
export { rbacErrors } from './errors.ts';
export { conflictRuleInputSchema, type RoleInput, roleInputSchema } from './model.ts';
export {
  type AssignInput,
  type CustomRole,
  createRbac,
  type KeyPrincipal,
  type Principal,
  type Rbac,
  type RbacDeps,
  type UserPrincipal,
} from './service.ts';
export { heldRoleKeysOfUsers } from './store.ts';
