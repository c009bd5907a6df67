import type { AuditActor, AuditEventInput, Tx } from '../platform/index.ts';
import { rbacErrors } from './errors.ts';
import type { AssignInput, Grants } from './grants.ts';
import { type Principal, personOf, type RbacDeps } from './principals.ts';
import * as store from './store.ts';

const unassigned = (
  removed: store.AssignmentRow,
  reason: string,
  actor: AuditActor,
): AuditEventInput => ({
  orgId: removed.org_id,
  action: 'role.unassigned',
  actor,
  target: { type: 'user', id: removed.user_id },
  details: { role: removed.role_key, reason, grantedAt: removed.granted_at.toISOString() },
});

/** Who holds which role, until when: giving roles to others and taking them away. */
export function createAssignments(deps: Pick<RbacDeps, 'audit'>, grants: Grants) {
  const { audit } = deps;
  return {
    /**
     * Gives a user a role. A role that requires approval becomes an access request instead,
     * which takes effect only when someone else approves it. Never to the requester themselves:
     * they ask for it (`requestAccess`).
     */
    async assign(
      tx: Tx,
      input: AssignInput,
      requester: Principal | null,
      actor: AuditActor,
    ): Promise<{ status: 'assigned' } | { status: 'pending'; requestId: string }> {
      // A key acts for the user who made it: it neither grants them roles nor lets them approve
      // what it asked for.
      const person = requester && personOf(requester);
      const onBehalfOf = person ? { userId: person, orgId: requester.orgId } : null;
      if (person === input.userId) throw rbacErrors.selfAssignment();
      const role = await grants.requestable(tx, input);
      // The operator at the CLI (say, an organization's first owner) is the one exception,
      // audited as such: nobody else could approve yet.
      if (role.requiresApproval && actor.type !== 'operator')
        return grants.openRequest(tx, input, role, onBehalfOf, actor);
      await grants.grant(tx, input, role, person, actor);
      return { status: 'assigned' };
    },

    async unassign(
      tx: Tx,
      orgId: string,
      userId: string,
      roleKey: string,
      reason: string,
      actor: AuditActor,
    ): Promise<void> {
      const removed = await store.deleteAssignment(tx, userId, roleKey);
      if (!removed || removed.org_id !== orgId) throw rbacErrors.notAssigned({ role: roleKey });
      await audit(tx, unassigned(removed, reason, actor));
    },

    /** Every role of a user goes (deprovisioning: access ends for good), each removal audited. */
    async unassignAll(tx: Tx, userId: string, reason: string, actor: AuditActor) {
      const removed = await store.deleteAssignmentsOfUser(tx, userId);
      for (const row of removed) await audit(tx, unassigned(row, reason, actor));
      return removed.length;
    },

    /** The assignments of an organization (of one user), expired ones included until swept. */
    async assignmentsIn(tx: Tx, orgId: string, userId?: string) {
      return (await store.assignmentsOfOrg(tx, orgId, userId)).map((a) => ({
        userId: a.user_id,
        roleKey: a.role_key,
        grantedBy: a.granted_by,
        reason: a.reason,
        grantedAt: a.granted_at,
        expiresAt: a.expires_at,
      }));
    },
  };
}
