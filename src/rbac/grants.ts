import { type AuditActor, type GrantSource, newId, type Tx } from '../platform/index.ts';
import type { RoleDefinition } from './catalog.ts';
import type { ConflictRules } from './conflicts.ts';
import type { RoleDirectory } from './directory.ts';
import { rbacErrors } from './errors.ts';
import type { RbacDeps, UserPrincipal } from './principals.ts';
import * as store from './store.ts';

export interface AssignInput {
  orgId: string;
  userId: string;
  roleKey: string;
  reason: string;
  expiresAt?: Date;
  /**
   * Where it came from: an administrator (or the user asking), or the directory through SCIM,
   * whose grants follow group membership (docs/scim.md#groups-and-roles). Default `admin`.
   */
  source?: GrantSource;
}

/**
 * The two ways a role reaches a user, shared by assignments and access requests: granted at
 * once, or asked for in a request someone else decides. Both keep the conflict rules.
 */
export function createGrants(
  deps: RbacDeps,
  directory: Pick<RoleDirectory, 'findRole'>,
  conflicts: Pick<ConflictRules, 'checkConflicts'>,
) {
  const { clock, audit } = deps;
  return {
    /** What a grant and a request both need: a reason, a future expiry, an active user, a role. */
    async requestable(tx: Tx, input: AssignInput): Promise<RoleDefinition> {
      if (!input.reason.trim()) throw rbacErrors.reasonRequired();
      if (input.expiresAt && input.expiresAt <= clock.now()) throw rbacErrors.expiryPast();
      const user = await deps.identity.findUser(tx, input.userId);
      if (user?.orgId !== input.orgId || user.status !== 'active') throw rbacErrors.userNotFound();
      return directory.findRole(tx, input.orgId, input.roleKey);
    },

    /** `approval`: the request approved, when the grant is its outcome. */
    async grant(
      tx: Tx,
      input: AssignInput,
      role: RoleDefinition,
      grantedBy: string | null,
      actor: AuditActor,
      approval?: string,
    ) {
      await conflicts.checkConflicts(tx, input, role);
      const inserted = await store.insertAssignment(tx, {
        org_id: input.orgId,
        user_id: input.userId,
        role_key: role.key,
        granted_by: grantedBy,
        reason: input.reason,
        granted_at: clock.now(),
        expires_at: input.expiresAt ?? null,
        source: input.source ?? 'admin',
      });
      if (!inserted) throw rbacErrors.alreadyAssigned({ role: role.key });
      await audit(tx, {
        orgId: input.orgId,
        action: 'role.assigned',
        actor,
        target: { type: 'user', id: input.userId },
        details: {
          role: role.key,
          reason: input.reason,
          expiresAt: input.expiresAt?.toISOString() ?? null,
          privileged: role.privileged,
          approval: approval ?? (role.requiresApproval ? 'operator' : 'not required'),
          source: input.source ?? 'admin',
        },
      });
    },

    /** A pending request for the role; it expires unless someone else approves it in time. */
    async openRequest(
      tx: Tx,
      input: AssignInput,
      role: RoleDefinition,
      requester: UserPrincipal | null,
      actor: AuditActor,
    ): Promise<{ status: 'pending'; requestId: string }> {
      // Refused now rather than at approval, so the requester hears at once.
      await conflicts.checkConflicts(tx, input, role);
      const now = clock.now();
      const id = newId(now.getTime());
      await store.insertRequest(tx, {
        id,
        org_id: input.orgId,
        user_id: input.userId,
        role_key: role.key,
        requested_by: requester?.userId ?? null,
        reason: input.reason,
        assignment_expires_at: input.expiresAt ?? null,
        status: 'pending',
        decided_by: null,
        decided_at: null,
        decision_note: null,
        source: input.source ?? 'admin',
        created_at: now,
        expires_at: new Date(now.getTime() + deps.requestTtlDays * 86_400_000),
      });
      await audit(tx, {
        orgId: input.orgId,
        action: 'access_request.created',
        actor,
        target: { type: 'access_request', id },
        details: {
          userId: input.userId,
          role: role.key,
          reason: input.reason,
          source: input.source ?? 'admin',
        },
      });
      return { status: 'pending', requestId: id };
    },
  };
}

export type Grants = ReturnType<typeof createGrants>;
