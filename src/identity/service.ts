import { z } from 'zod';
import {
  AppError,
  type AuditActor,
  type AuditWriter,
  type Clock,
  newId,
  parseInput,
  type Tx,
} from '../platform/index.ts';
import * as store from './store.ts';

export const userInput = z.object({
  email: z.email().max(320),
  displayName: z.string().trim().min(1).max(200),
});

export type UserStatus = 'active' | 'suspended' | 'deprovisioned';

export interface User {
  id: string;
  orgId: string;
  email: string;
  displayName: string;
  status: UserStatus;
  createdAt: Date;
  deactivatedAt: Date | null;
}

export interface SignInCandidate extends User {
  org: { id: string; slug: string; name: string; active: boolean };
}

function toUser(row: store.UserRow): User {
  return {
    id: row.id,
    orgId: row.org_id,
    email: row.email,
    displayName: row.display_name,
    status: row.status,
    createdAt: row.created_at,
    deactivatedAt: row.deactivated_at,
  };
}

export interface IdentityDeps {
  audit: AuditWriter;
  clock: Clock;
}

export function createIdentityService(deps: IdentityDeps) {
  return {
    async createUser(
      tx: Tx,
      orgId: string,
      input: z.input<typeof userInput>,
      actor: AuditActor,
    ): Promise<User> {
      const data = parseInput(userInput, input, 'user.invalid');
      if (await store.findUserByEmail(tx, orgId, data.email)) {
        throw new AppError('conflict', 'user.email_taken', 'A user with this email exists');
      }
      const now = deps.clock.now();
      const row: store.UserRow = {
        id: newId(now.getTime()),
        org_id: orgId,
        email: data.email,
        display_name: data.displayName,
        status: 'active',
        created_at: now,
        updated_at: now,
        deactivated_at: null,
      };
      await store.insertUser(tx, row);
      await deps.audit(tx, {
        orgId,
        action: 'user.created',
        actor,
        target: { type: 'user', id: row.id },
        details: { email: row.email, displayName: row.display_name },
      });
      return toUser(row);
    },

    /** Grants a built-in role (the role catalog arrives with access control). */
    async grantBuiltInRole(
      tx: Tx,
      user: User,
      roleKey: string,
      reason: string,
      actor: AuditActor,
    ): Promise<void> {
      await store.insertRoleAssignment(tx, {
        org_id: user.orgId,
        user_id: user.id,
        role_key: roleKey,
        granted_by: actor.type === 'user' ? (actor.id ?? null) : null,
        reason,
        granted_at: deps.clock.now(),
      });
      await deps.audit(tx, {
        orgId: user.orgId,
        action: 'role.assigned',
        actor,
        target: { type: 'user', id: user.id },
        details: { role: roleKey, reason },
      });
    },

    /**
     * Suspends, deprovisions or reactivates a user, audited with before and after. Only the
     * record: ending sessions and tokens is the lifecycle service's (`deactivate`).
     */
    async setStatus(tx: Tx, userId: string, status: UserStatus, actor: AuditActor): Promise<User> {
      const now = deps.clock.now();
      const before = await store.updateStatus(tx, userId, status, now);
      if (!before) throw new AppError('not_found', 'user.not_found', 'No such user');
      // Thrown after the update: the transaction rolls it back.
      if (before.status === 'deprovisioned' && status !== 'deprovisioned') {
        throw new AppError('conflict', 'user.deprovisioned', 'A deprovisioned user stays so');
      }
      const after = toUser({
        ...before,
        status,
        deactivated_at: status === 'active' ? null : now,
      });
      if (before.status !== status) {
        await deps.audit(tx, {
          orgId: before.org_id,
          action: `user.${status === 'active' ? 'reactivated' : status}`,
          actor,
          target: { type: 'user', id: userId },
          details: { before: before.status, after: status },
        });
      }
      return after;
    },

    countActiveWithRole: store.countActiveWithRole,
    roleKeysOf: store.roleKeysOf,

    /** Accounts with this email (every organization, or the one named), with their organization. */
    async signInCandidates(tx: Tx, email: string, orgSlug?: string): Promise<SignInCandidate[]> {
      const rows = await store.signInCandidates(tx, email, orgSlug, 10);
      return rows.map((r) => ({
        ...toUser(r),
        org: {
          id: r.org_id,
          slug: r.org_slug,
          name: r.org_name,
          active: r.org_status === 'active',
        },
      }));
    },
    async listUsersPage(
      tx: Tx,
      orgId: string,
      page: { after?: string; limit: number },
    ): Promise<User[]> {
      return (await store.usersPage(tx, orgId, page)).map(toUser);
    },
    async listUsers(tx: Tx, orgId: string): Promise<User[]> {
      return (await store.usersOf(tx, orgId)).map(toUser);
    },
    async findUser(tx: Tx, id: string): Promise<User | undefined> {
      const row = await store.findUser(tx, id);
      return row ? toUser(row) : undefined;
    },
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
