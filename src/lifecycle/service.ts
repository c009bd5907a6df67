import type { ApiKeys } from '../apikeys/index.ts';
import type { TrustedDevices } from '../auth/lockout/index.ts';
import { type PasswordService, temporaryPassword } from '../auth/password/index.ts';
import type { IdentityService, User } from '../identity/index.ts';
import {
  type AuditActor,
  afterCommit,
  type Database,
  type Tx,
  withOrg,
} from '../platform/index.ts';
import type { Rbac } from '../rbac/index.ts';
import type { SessionService } from '../sessions/index.ts';

export interface LifecycleDeps {
  database: Database;
  identity: IdentityService;
  passwords: Pick<PasswordService, 'policy' | 'set'>;
  sessions: SessionService;
  /** Browsers the user signed in from (device cookies). */
  devices: Pick<TrustedDevices, 'revokeAll'>;
  apiKeys: ApiKeys;
  rbac: Pick<Rbac, 'assignRole' | 'unassignAll'>;
  /**
   * Revokes the user's OAuth grants, tokens and provider sessions and tells their clients
   * (back-channel logout); called once the deactivation committed.
   */
  revokeOAuth(user: { userId: string; orgId: string }, reason: string): Promise<void>;
  /** Where a failed revocation is reported (the status change itself already holds). */
  onRevokeError(err: unknown, userId: string): void;
}

/** A joiner: who they are, the roles they start with, and why they get them. */
export interface ProvisionInput {
  email: string;
  displayName: string;
  roleKeys: string[];
  reason: string;
}

/**
 * A joiner's start (`provision`), and deactivation, the one path every trigger takes (admin,
 * SCIM, HR date, access review): docs/architecture.md#invariant-6 — the status, every session,
 * device cookie, API key, refresh token, grant and provider session, at once; deprovisioning
 * also removes every role.
 */
export function createLifecycle(deps: LifecycleDeps) {
  return {
    /**
     * A new user with a temporary password they must change at their first sign-in, and their
     * roles, in one transaction: a refused part (a taken email, a conflict of the roles) leaves
     * nothing behind. Each role goes through rbac's `assign` and its rules, by no principal
     * (nobody can be the joiner's own requester). The password is in the answer, shown once.
     */
    async provision(orgId: string, input: ProvisionInput, actor: AuditActor) {
      return withOrg(deps.database, orgId, async (tx) => {
        const { email, displayName, roleKeys, reason } = input;
        const user = await deps.identity.createUser(tx, orgId, { email, displayName }, actor);
        const { policy } = await deps.passwords.policy(tx, orgId);
        const password = temporaryPassword(policy.minLength);
        await deps.passwords.set(tx, user, password, { actor, temporary: true, byOwner: false });
        const roles = [];
        for (const roleKey of roleKeys) {
          const assignment = { orgId, userId: user.id, roleKey, reason };
          roles.push(await deps.rbac.assignRole(tx, assignment, null, actor));
        }
        return { user, temporaryPassword: password, roles };
      });
    },

    async deactivate(
      tx: Tx,
      userId: string,
      status: 'suspended' | 'deprovisioned',
      actor: AuditActor,
    ): Promise<User> {
      const user = await deps.identity.setStatus(tx, userId, status, actor);
      await deps.sessions.endAllForUser(
        tx,
        userId,
        status === 'deprovisioned' ? 'deprovisioned' : 'admin',
        actor,
      );
      await deps.devices.revokeAll(tx, user, `user_${status}`, actor);
      await deps.apiKeys.revokeAllCreatedBy(tx, user.orgId, userId, actor);
      // A leaver holds no role; a suspended user keeps theirs for when they come back.
      if (status === 'deprovisioned')
        await deps.rbac.unassignAll(tx, userId, 'deprovisioned', actor);
      afterCommit(tx, () =>
        deps
          .revokeOAuth({ userId, orgId: user.orgId }, `user_${status}`)
          .catch((err: unknown) => deps.onRevokeError(err, userId)),
      );
      return user;
    },

    /** Lifts a suspension; the user signs in again (nothing that was revoked comes back). */
    reactivate: (tx: Tx, userId: string, actor: AuditActor) =>
      deps.identity.setStatus(tx, userId, 'active', actor),
  };
}

export type Lifecycle = ReturnType<typeof createLifecycle>;
