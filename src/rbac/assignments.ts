import {
  type AuditActor,
  type AuditEventInput,
  cursorParts,
  type GrantSource,
  isUuid,
  pageOf,
  type Tx,
} from '../platform/index.ts';
import { rbacErrors } from './errors.ts';
import type { AssignInput, Grants } from './grants.ts';
import { type Principal, personOf, type RbacDeps } from './principals.ts';
import * as store from './store.ts';

/** Who holds a role, granted by whom, why and until when. */
export interface Assignment {
  userId: string;
  roleKey: string;
  grantedBy: string | null;
  reason: string;
  grantedAt: Date;
  expiresAt: Date | null;
  /** `scim`: granted because of the user's SCIM groups, and taken away with them. */
  source: GrantSource;
}

/** What a page of the assignment list holds (docs/admin-api.md#assignments). */
export interface AssignmentQuery {
  /** The previous page's `nextCursor`. */
  cursor?: string;
  limit: number;
  userId?: string;
  roleKey?: string;
}

export interface AssignmentPage {
  items: Assignment[];
  nextCursor: string | null;
}

const toAssignment = (a: store.AssignmentRow): Assignment => ({
  userId: a.user_id,
  roleKey: a.role_key,
  grantedBy: a.granted_by,
  reason: a.reason,
  grantedAt: a.granted_at,
  expiresAt: a.expires_at,
  source: a.source,
});

function decodeAssignmentCursor(cursor: string): { userId: string; roleKey: string } {
  const [userId, roleKey] = cursorParts(cursor) ?? [];
  if (isUuid(userId) && typeof roleKey === 'string') return { userId, roleKey };
  throw rbacErrors.badCursor();
}

/** The audit event of a removed assignment. */
export const unassigned = (
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

/** One role to take from one user, and why (the reason its audit event records). */
export interface Removal {
  userId: string;
  roleKey: string;
  reason: string;
}

const pairOf = (userId: string, roleKey: string) => `${userId} ${roleKey}`;

/** Who holds which role, until when: giving roles to others and taking them away. */
export function createAssignments(deps: Pick<RbacDeps, 'audit'>, grants: Grants) {
  const { audit } = deps;

  /**
   * Takes these roles away in one statement, each removal audited (`role.unassigned`), and
   * returns those of `removals` (the same objects) that took effect, in their order: one whose
   * assignment is not there (never was, or already gone) is left out, and a pair named twice
   * counts once, for the first. `unassign` is this with one removal.
   */
  async function unassignMany(
    tx: Tx,
    orgId: string,
    removals: readonly Removal[],
    actor: AuditActor,
  ): Promise<Removal[]> {
    if (removals.length === 0) return [];
    const rows = new Map(
      (await store.deleteAssignments(tx, orgId, removals)).map((row) => [
        pairOf(row.user_id, row.role_key),
        row,
      ]),
    );
    const done: Removal[] = [];
    for (const removal of removals) {
      const pair = pairOf(removal.userId, removal.roleKey);
      const row = rows.get(pair);
      if (!row) continue;
      rows.delete(pair);
      await audit(tx, unassigned(row, removal.reason, actor));
      done.push(removal);
    }
    return done;
  }

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
      // audited as such: nobody else could approve yet. Not for what the directory asks: a
      // group mapping the operator made still needs someone's approval for such a role.
      const needsRequest = actor.type !== 'operator' || input.source === 'scim';
      if (role.requiresApproval && needsRequest)
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
      const [removed] = await unassignMany(tx, orgId, [{ userId, roleKey, reason }], actor);
      if (!removed) throw rbacErrors.notAssigned({ role: roleKey });
    },

    unassignMany,

    /** Every role of a user goes (deprovisioning: access ends for good), each removal audited. */
    async unassignAll(tx: Tx, userId: string, reason: string, actor: AuditActor) {
      const removed = await store.deleteAssignmentsOfUser(tx, userId);
      for (const row of removed) await audit(tx, unassigned(row, reason, actor));
      return removed.length;
    },

    /**
     * A page of the organization's assignments in (user, role) order, expired ones included until
     * swept, of one user or one role when asked, and the opaque cursor of the next page (null on
     * the last).
     */
    async assignmentsPage(tx: Tx, orgId: string, query: AssignmentQuery): Promise<AssignmentPage> {
      const rows = await store.assignmentsPage(tx, orgId, {
        after: query.cursor === undefined ? undefined : decodeAssignmentCursor(query.cursor),
        limit: query.limit + 1,
        userId: query.userId,
        roleKey: query.roleKey,
      });
      return pageOf(rows.map(toAssignment), query.limit, (last) => [last.userId, last.roleKey]);
    },
  };
}
