export {
  builtInRoleKeys,
  builtInRoles,
  type Permission,
  permissions,
  type RoleDefinition,
} from './catalog.ts';
export { type RoleInput, roleInputSchema } from './model.ts';
export {
  type AssignInput,
  type CustomRole,
  createRbac,
  type Principal,
  type Rbac,
  type RbacDeps,
} from './service.ts';
