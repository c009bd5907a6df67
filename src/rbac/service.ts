import { type AuditActor, type Tx, withOrg, withPlatform } from '../platform/index.ts';
import { createAssignments } from './assignments.ts';
import type { RoleDefinition } from './catalog.ts';
import { permissions } from './catalog.ts';
import { createConflictRules } from './conflicts.ts';
import { createDecisions } from './decision.ts';
import { createRoleDirectory } from './directory.ts';
import { expireLapsed } from './expiry.ts';
import { type AssignInput, createGrants } from './grants.ts';
import type { Principal, RbacDeps } from './principals.ts';
import { createAccessRequests } from './requests.ts';
import { createRoleEditor } from './roles.ts';
import { createSourcedGrants } from './sources.ts';

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
  const sourced = createSourcedGrants(deps);

  /** `assign`, answering with the role as well: whether it was privileged, whose approval it had. */
  async function assignRole(
    tx: Tx,
    input: AssignInput,
    requester: Principal | null,
    actor: AuditActor,
  ) {
    const outcome = await assignments.assign(tx, input, requester, actor);
    return { ...outcome, role: await directory.findRole(tx, input.orgId, input.roleKey) };
  }

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
    unassignMany: assignments.unassignMany,
    unassignAll: assignments.unassignAll,
    unassignBySource: sourced.unassignBySource,
    grantsOfUsers: sourced.grantsOfUsers,
    withdrawRequests: sourced.withdrawRequests,
    findRole: directory.findRole,
    assignmentsPage: assignments.assignmentsPage,
    requestAccess: requests.requestAccess,
    decide: requests.decide,
    pendingRequests: requests.pendingRequests,
    conflictRules: conflicts.conflictRules,
    addConflictRule: conflicts.addConflictRule,
    removeConflictRule: conflicts.removeConflictRule,
    violations: conflicts.violations,

    assignRole,

    /**
     * `assignRole` in its own organization-scope transaction, by no principal: the operator at
     * the CLI (docs/access-control.md#segregation-of-duties).
     */
    assignIn: (input: AssignInput, actor: AuditActor) =>
      withOrg(deps.database, input.orgId, (tx) => assignRole(tx, input, null, actor)),

    /** The roles of an organization (built-in and custom), each with how many hold it now. */
    async rolesIn(orgId: string): Promise<(RoleDefinition & { holders: number })[]> {
      return withOrg(deps.database, orgId, async (tx) => {
        const held = [...(await directory.holdersIn(tx, orgId)).values()].flat();
        return (await directory.rolesOf(tx, orgId)).map((role) => ({
          ...role,
          holders: held.filter((r) => r.key === role.key).length,
        }));
      });
    },

    /** Removes expired assignments and closes expired requests, each audited (housekeeping). */
    async sweep(): Promise<number> {
      return withPlatform(deps.database, (tx) => expireLapsed(tx, deps));
    },
  };
}

export type Rbac = ReturnType<typeof createRbac>;
