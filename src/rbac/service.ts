import { withPlatform } from '../platform/index.ts';
import { createAssignments } from './assignments.ts';
import { permissions } from './catalog.ts';
import { createConflictRules } from './conflicts.ts';
import { createDecisions } from './decision.ts';
import { createRoleDirectory } from './directory.ts';
import { expireLapsed } from './expiry.ts';
import { createGrants } from './grants.ts';
import type { RbacDeps } from './principals.ts';
import { createAccessRequests } from './requests.ts';
import { createRoleEditor } from './roles.ts';

/**
 * Roles, assignments and segregation of duties (docs/access-control.md): the permission check
 * every admin route goes through, custom roles with a documented purpose, assignments that
 * expire, conflict rules and access requests approved by someone else.
 */
export function createRbac(deps: RbacDeps) {
  const directory = createRoleDirectory(deps);
  const decisions = createDecisions(deps, directory);
  const conflicts = createConflictRules(deps, directory);
  const grants = createGrants(deps, directory, conflicts);
  const roles = createRoleEditor(deps, directory, decisions);
  const assignments = createAssignments(deps, grants);
  const requests = createAccessRequests(deps, directory, grants);

  return {
    permissions,
    rolesOf: directory.rolesOf,
    rolesOfUser: directory.rolesOfUser,
    holdersIn: directory.holdersIn,
    can: decisions.can,
    authorize: decisions.authorize,
    requiresMfa: decisions.requiresMfa,
    createRole: roles.createRole,
    updateRole: roles.updateRole,
    assign: assignments.assign,
    unassign: assignments.unassign,
    unassignAll: assignments.unassignAll,
    assignmentsIn: assignments.assignmentsIn,
    requestAccess: requests.requestAccess,
    decide: requests.decide,
    pendingRequests: requests.pendingRequests,
    conflictRules: conflicts.conflictRules,
    addConflictRule: conflicts.addConflictRule,
    removeConflictRule: conflicts.removeConflictRule,
    violations: conflicts.violations,

    /** Removes expired assignments and closes expired requests, each audited (housekeeping). */
    async sweep(): Promise<number> {
      return withPlatform(deps.database, (tx) => expireLapsed(tx, deps));
    },
  };
}

export type Rbac = ReturnType<typeof createRbac>;
