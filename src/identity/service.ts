import { z } from 'zod';
import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  cursorParts,
  type Database,
  isUuid,
  newId,
  pageOf,
  parseInput,
  type Tx,
  withOrg,
  withPlatform,
} from '../platform/index.ts';
import { takenBy } from './directory.store.ts';
import { identityErrors } from './errors.ts';
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
  updatedAt: Date;
  deactivatedAt: Date | null;
}

export interface SignInCandidate extends User {
  org: { id: string; slug: string; name: string; active: boolean };
}

function toSignInCandidate(r: store.SignInCandidateRow): SignInCandidate {
  return {
    ...toUser(r),
    org: { id: r.org_id, slug: r.org_slug, name: r.org_name, active: r.org_status === 'active' },
  };
}

/** A user row as the module hands it out (the directory's reads add their own fields). */
export function toUser(row: store.UserRow): User {
  return {
    id: row.id,
    orgId: row.org_id,
    email: row.email,
    displayName: row.display_name,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deactivatedAt: row.deactivated_at,
  };
}

/** What a page of the user list holds (docs/admin-api.md#users). */
export interface UserListQuery {
  /** The previous page's `nextCursor`. */
  cursor?: string;
  limit: number;
  /** A fragment of the email or the display name, any case. */
  search?: string;
  status?: UserStatus;
}

export interface UserPage {
  items: User[];
  nextCursor: string | null;
}

function decodeUserCursor(cursor: string): string {
  const [id] = cursorParts(cursor) ?? [];
  if (isUuid(id)) return id;
  throw identityErrors.badCursor();
}

export interface IdentityDeps {
  database: Database;
  audit: AuditWriter;
  clock: Clock;
}

/**
 * Refuses an email another user of the organization has, as their email or as their directory
 * userName (SCIM's, unique like the email: a user pushed with the UPN `ann@corp.example` holds
 * that name even if their email is another).
 */
async function refuseTaken(tx: Tx, orgId: string, email: string, exceptId: string | null) {
  const taken = await takenBy(tx, orgId, { email, userName: email }, exceptId);
  if (taken.email) throw identityErrors.emailTaken();
  if (taken.userName) throw identityErrors.userNameTaken();
}

export function createIdentityService(deps: IdentityDeps) {
  return {
    async createUser(
      tx: Tx,
      orgId: string,
      input: z.input<typeof userInput>,
      actor: AuditActor,
    ): Promise<User> {
      const data = parseInput(userInput, input, identityErrors.userInvalid);
      await refuseTaken(tx, orgId, data.email, null);
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
        // A joiner: nothing before, the account after (docs/lifecycle.md#joiners-movers-leavers).
        details: {
          before: null,
          after: { email: row.email, displayName: row.display_name, status: row.status },
        },
      });
      return toUser(row);
    },

    /**
     * Changes a user's email or display name, audited with before and after. `expectedUpdatedAt`
     * (the admin API's If-Match) refuses a change made on a stale read.
     */
    async updateUser(
      tx: Tx,
      userId: string,
      input: unknown,
      actor: AuditActor,
      expectedUpdatedAt?: number,
    ): Promise<User> {
      const changes = parseInput(userInput.partial().strict(), input, identityErrors.userInvalid);
      const row = await store.userForUpdate(tx, userId);
      if (!row) throw identityErrors.userNotFound();
      if (expectedUpdatedAt !== undefined && expectedUpdatedAt !== row.updated_at.getTime())
        throw identityErrors.userStale();
      if (row.status === 'deprovisioned') throw identityErrors.userDeprovisioned();
      const before = { email: row.email, displayName: row.display_name };
      const after = { ...before, ...changes };
      if (after.email.toLowerCase() !== before.email.toLowerCase())
        await refuseTaken(tx, row.org_id, after.email, userId);
      const next = {
        ...row,
        email: after.email,
        display_name: after.displayName,
        updated_at: deps.clock.now(),
      };
      await store.updateProfile(tx, userId, {
        email: next.email,
        display_name: next.display_name,
        updated_at: next.updated_at,
      });
      const changed = (['email', 'displayName'] as const).filter((f) => after[f] !== before[f]);
      const pick = (from: typeof before) => Object.fromEntries(changed.map((f) => [f, from[f]]));
      if (changed.length > 0)
        await deps.audit(tx, {
          orgId: row.org_id,
          action: 'user.updated',
          actor,
          target: { type: 'user', id: userId },
          details: { before: pick(before), after: pick(after) },
        });
      return toUser(next);
    },

    /**
     * Suspends, deprovisions or reactivates a user, audited with before and after and what asked
     * (`source`: admin, scim, schedule, dormant, review). Only the record: ending sessions and
     * tokens is the lifecycle service's (`deactivate`).
     */
    async setStatus(
      tx: Tx,
      userId: string,
      status: UserStatus,
      actor: AuditActor,
      source = 'admin',
    ): Promise<User> {
      const now = deps.clock.now();
      const before = await store.updateStatus(tx, userId, status, now);
      if (!before) throw identityErrors.userNotFound();
      // Thrown after the update: the transaction rolls it back.
      if (before.status === 'deprovisioned' && status !== 'deprovisioned') {
        throw identityErrors.userDeprovisioned();
      }
      const after = toUser({
        ...before,
        status,
        updated_at: now,
        deactivated_at: status === 'active' ? null : now,
      });
      if (before.status !== status) {
        await deps.audit(tx, {
          orgId: before.org_id,
          action: `user.${status === 'active' ? 'reactivated' : status}`,
          actor,
          target: { type: 'user', id: userId },
          details: { source, before: { status: before.status }, after: { status } },
        });
      }
      return after;
    },

    countActiveWithRole: store.countActiveWithRole,
    roleKeysOf: store.roleKeysOf,

    /** Accounts with this email (every organization, or the one named), with their organization. */
    async signInCandidates(tx: Tx, email: string, orgSlug?: string): Promise<SignInCandidate[]> {
      return (await store.signInCandidates(tx, email, orgSlug)).map(toSignInCandidate);
    },
    /**
     * A page of the organization's users in id (creation) order, searched and filtered, and the
     * opaque cursor of the next page (null on the last).
     */
    async listUsersPage(tx: Tx, orgId: string, query: UserListQuery): Promise<UserPage> {
      const rows = await store.usersPage(tx, orgId, {
        after: query.cursor === undefined ? undefined : decodeUserCursor(query.cursor),
        limit: query.limit + 1,
        search: query.search,
        status: query.status,
      });
      return pageOf(rows.map(toUser), query.limit, (last) => [last.id]);
    },
    async listUsers(tx: Tx, orgId: string): Promise<User[]> {
      return (await store.usersOf(tx, orgId)).map(toUser);
    },
    async findUser(tx: Tx, id: string): Promise<User | undefined> {
      const row = await store.findUser(tx, id);
      return row ? toUser(row) : undefined;
    },
    /** The users with these ids that exist (in the caller's scope). */
    async findUsers(tx: Tx, ids: readonly string[]): Promise<User[]> {
      return (await store.findUsers(tx, ids)).map(toUser);
    },
    /**
     * The user with `id` when they may act: active, in an active organization (undefined
     * otherwise). Every check of a token's user goes through it (docs/architecture.md#invariant-6).
     */
    async findActiveUser(tx: Tx, id: string): Promise<User | undefined> {
      const row = await store.findActiveUser(tx, id);
      return row ? toUser(row) : undefined;
    },
    /** `findActiveUser` in any organization, in its own platform-scope transaction. */
    activeUserById: async (id: string): Promise<User | undefined> => {
      const row = await withPlatform(deps.database, (tx) => store.findActiveUser(tx, id));
      return row ? toUser(row) : undefined;
    },
    /** The user of `orgId` with this email (any case), in its own organization-scope transaction. */
    userByEmail: async (orgId: string, email: string): Promise<User | undefined> => {
      const row = await withOrg(deps.database, orgId, (tx) =>
        store.findUserByEmail(tx, orgId, email),
      );
      return row ? toUser(row) : undefined;
    },
    /** A page of `orgId`'s users (see `listUsersPage`), in its own organization-scope transaction. */
    usersPageIn: async (orgId: string, page: { after?: string; limit: number }): Promise<User[]> =>
      (await withOrg(deps.database, orgId, (tx) => store.usersPage(tx, orgId, page))).map(toUser),
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
