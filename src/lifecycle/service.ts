import type { ApiKeys } from '../apikeys/index.ts';
import type { TrustedDevices } from '../auth/lockout/index.ts';
import type { IdentityService, User } from '../identity/index.ts';
import { type AuditActor, afterCommit, type Tx } from '../platform/index.ts';
import type { Rbac } from '../rbac/index.ts';
import type { SessionService } from '../sessions/index.ts';

export interface LifecycleDeps {
  identity: IdentityService;
  sessions: SessionService;
  /** Browsers the user signed in from (device cookies). */
  devices: Pick<TrustedDevices, 'revokeAll'>;
  apiKeys: ApiKeys;
  rbac: Pick<Rbac, 'unassignAll'>;
  /**
   * Revokes the user's OAuth grants, tokens and provider sessions and tells their clients
   * (back-channel logout); called once the deactivation committed.
   */
  revokeOAuth(user: { userId: string; orgId: string }, reason: string): Promise<void>;
  /** Where a failed revocation is reported (the status change itself already holds). */
  onRevokeError(err: unknown, userId: string): void;
}

/**
 * Deactivation, the one path every trigger takes (admin, SCIM, HR date, access review):
 * docs/architecture.md#invariant-6 — the status, every session, device cookie, API key, refresh
 * token, grant and provider session, at once; deprovisioning also removes every role.
 */
export function createLifecycle(deps: LifecycleDeps) {
  return {
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
