import type { AuditActor, Tx } from '../platform/index.ts';
import type { RoleDirectory } from './directory.ts';
import { rbacErrors } from './errors.ts';
import type { AssignInput, Grants } from './grants.ts';
import { approvalRefusal, holdingsOf } from './model.ts';
import type { RbacDeps, UserPrincipal } from './principals.ts';
import * as store from './store.ts';

/** Access requests: asked for by a user, decided by someone else before they expire. */
export function createAccessRequests(deps: RbacDeps, directory: RoleDirectory, grants: Grants) {
  const { clock, audit } = deps;

  /** The grant an approved request makes, by `approver`, naming the request. */
  async function grantApproved(
    tx: Tx,
    request: store.AccessRequestRow,
    approver: UserPrincipal,
    actor: AuditActor,
  ) {
    const role = await directory.findRole(tx, request.org_id, request.role_key);
    const input: AssignInput = {
      orgId: request.org_id,
      userId: request.user_id,
      roleKey: role.key,
      reason: request.reason,
      expiresAt: request.assignment_expires_at ?? undefined,
      // An approved SCIM request yields an assignment that follows group membership.
      source: request.source,
    };
    await grants.grant(tx, input, role, approver.userId, actor, request.id);
  }

  return {
    /**
     * A user asks for a role for themselves: always a request, whatever the role, since nobody
     * grants themselves access. Someone else approves it (`decide`).
     */
    async requestAccess(
      tx: Tx,
      input: Omit<AssignInput, 'userId' | 'orgId'>,
      requester: UserPrincipal,
      actor: AuditActor,
    ): Promise<{ status: 'pending'; requestId: string }> {
      const full = { ...input, userId: requester.userId, orgId: requester.orgId };
      const role = await grants.requestable(tx, full);
      const held = await store.assignmentsOfUser(tx, requester.userId);
      if (held.some((a) => a.role_key === role.key))
        throw rbacErrors.alreadyAssigned({ role: role.key });
      return grants.openRequest(tx, full, role, requester, actor);
    },

    /**
     * Approves or denies a pending request; segregation of duties is checked either way. A
     * refusal is answered (not thrown) so that its audit event commits.
     */
    async decide(
      tx: Tx,
      requestId: string,
      decision: 'approved' | 'denied',
      approver: UserPrincipal,
      note: string,
      actor: AuditActor,
    ): Promise<{ status: 'approved' | 'denied' } | { status: 'refused'; reason: string }> {
      const request = await store.requestForUpdate(tx, requestId);
      const reaches = request?.org_id === approver.orgId || approver.orgId === deps.platformOrgId;
      if (!request || !reaches) throw rbacErrors.requestNotFound();
      const now = clock.now();
      if (request.status !== 'pending' || request.expires_at <= now)
        throw rbacErrors.requestClosed({ status: request.status });
      const target = { type: 'access_request', id: requestId };
      const refusal = approvalRefusal(
        { userId: request.user_id, requestedBy: request.requested_by },
        approver.userId,
        holdingsOf(await directory.rolesOfUser(tx, approver)),
      );
      if (refusal) {
        await audit(tx, {
          orgId: request.org_id,
          action: 'access_request.refused',
          outcome: 'denied',
          actor,
          target,
          details: { reason: refusal },
        });
        return { status: 'refused', reason: refusal };
      }
      if (decision === 'approved') await grantApproved(tx, request, approver, actor);
      await store.decideRequest(tx, requestId, {
        status: decision,
        decided_by: approver.userId,
        decided_at: now,
        decision_note: note,
      });
      await audit(tx, {
        orgId: request.org_id,
        action: `access_request.${decision}`,
        actor,
        target,
        details: { userId: request.user_id, role: request.role_key, note },
      });
      return { status: decision };
    },

    pendingRequests: store.pendingRequests,
  };
}
