import { type Insertable, type Selectable, sql } from 'kysely';
import type {
  AccessRequestsTable,
  ConflictRulesTable,
  GrantSource,
  RoleAssignmentsTable,
  RolesTable,
  Tx,
} from '../platform/index.ts';

export type RoleRow = Selectable<RolesTable>;
export type AssignmentRow = Selectable<RoleAssignmentsTable>;
export type ConflictRuleRow = Selectable<ConflictRulesTable>;

/** The roles held at `now`: expired assignments no longer count, swept or not. */
function heldAt(now: Date) {
  return sql<boolean>`(role_assignments.expires_at IS NULL OR role_assignments.expires_at > ${now})`;
}

export async function heldRoleKeysOf(tx: Tx, userId: string, now: Date): Promise<string[]> {
  const rows = await tx
    .selectFrom('role_assignments')
    .select('role_key')
    .where('user_id', '=', userId)
    .where(heldAt(now))
    .execute();
  return rows.map((r) => r.role_key);
}

/**
 * The keys of the roles each of these users holds at `now`, by user (none: absent), in one query
 * however many users; an empty list still sends it (the sign-in's reads are the same on every
 * branch).
 */
export async function heldRoleKeysOfUsers(
  tx: Tx,
  userIds: readonly string[],
  now: Date,
): Promise<Map<string, string[]>> {
  const rows = await tx
    .selectFrom('role_assignments')
    .select(['user_id', 'role_key'])
    .where('user_id', '=', sql<string>`ANY(${userIds})`)
    .where(heldAt(now))
    .execute();
  const held = new Map<string, string[]>();
  for (const r of rows) held.set(r.user_id, [...(held.get(r.user_id) ?? []), r.role_key]);
  return held;
}

export type AccessRequestRow = Selectable<AccessRequestsTable>;

export function customRoles(tx: Tx, orgId: string): Promise<RoleRow[]> {
  return tx.selectFrom('roles').selectAll().where('org_id', '=', orgId).orderBy('key').execute();
}

export function customRole(tx: Tx, orgId: string, key: string): Promise<RoleRow | undefined> {
  return tx
    .selectFrom('roles')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('key', '=', key)
    .forUpdate()
    .executeTakeFirst();
}

export async function insertRole(tx: Tx, row: Insertable<RolesTable>): Promise<void> {
  await tx.insertInto('roles').values(row).execute();
}

export async function updateRole(tx: Tx, row: RoleRow): Promise<void> {
  const { org_id, key, created_at: _created, ...values } = row;
  await tx
    .updateTable('roles')
    .set(values)
    .where('org_id', '=', org_id)
    .where('key', '=', key)
    .execute();
}

export function assignmentsOfUser(tx: Tx, userId: string): Promise<AssignmentRow[]> {
  return tx.selectFrom('role_assignments').selectAll().where('user_id', '=', userId).execute();
}

/** Every assignment of an organization (the exports and the holders of each role). */
export function assignmentsOfOrg(tx: Tx, orgId: string): Promise<AssignmentRow[]> {
  return tx
    .selectFrom('role_assignments')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('user_id')
    .orderBy('role_key')
    .execute();
}

/** Which assignments a page holds: after which one, how many, of whom and of which role. */
export interface AssignmentListing {
  /** The last assignment of the previous page. */
  after?: { userId: string; roleKey: string };
  limit: number;
  userId?: string;
  roleKey?: string;
}

/** A page of an organization's assignments in (user, role) order (migration 0017's indexes). */
export function assignmentsPage(
  tx: Tx,
  orgId: string,
  listing: AssignmentListing,
): Promise<AssignmentRow[]> {
  return assignmentsPageQuery(tx, orgId, listing).execute();
}

/** `assignmentsPage`'s statement, unsent: the list's benchmark prints its plan (bench/users.ts). */
export function assignmentsPageQuery(db: Tx, orgId: string, listing: AssignmentListing) {
  let query = db.selectFrom('role_assignments').selectAll().where('org_id', '=', orgId);
  if (listing.userId !== undefined) query = query.where('user_id', '=', listing.userId);
  if (listing.roleKey !== undefined) query = query.where('role_key', '=', listing.roleKey);
  const { after } = listing;
  if (after)
    query = query
      // The row comparison is the page's bound; the plain one lets an index whose columns do not
      // begin (user_id, role_key), the role filter's, start at the right user.
      .where('user_id', '>=', after.userId)
      .where((eb) =>
        eb(eb.refTuple('user_id', 'role_key'), '>', eb.tuple(after.userId, after.roleKey)),
      );
  return query.orderBy('user_id').orderBy('role_key').limit(listing.limit);
}

export async function insertAssignment(
  tx: Tx,
  row: Insertable<RoleAssignmentsTable>,
): Promise<boolean> {
  const inserted = await tx
    .insertInto('role_assignments')
    .values(row)
    .onConflict((oc) => oc.columns(['user_id', 'role_key']).doNothing())
    .returning('user_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * Removes and returns those of these (user, role) assignments the organization has, in one
 * statement however many (an access review's close takes thousands away).
 */
export function deleteAssignments(
  tx: Tx,
  orgId: string,
  pairs: readonly { userId: string; roleKey: string }[],
): Promise<AssignmentRow[]> {
  const userIds = pairs.map((p) => p.userId);
  const roleKeys = pairs.map((p) => p.roleKey);
  return tx
    .deleteFrom('role_assignments')
    .where('org_id', '=', orgId)
    .where(
      sql<boolean>`(user_id, role_key) IN (SELECT * FROM unnest(${userIds}::uuid[], ${roleKeys}::text[]))`,
    )
    .returningAll()
    .execute();
}

/** Removes and returns every assignment of a user. */
export function deleteAssignmentsOfUser(tx: Tx, userId: string): Promise<AssignmentRow[]> {
  return tx.deleteFrom('role_assignments').where('user_id', '=', userId).returningAll().execute();
}

/** Removes and returns assignments past their expiry (any organization in platform scope). */
export function deleteExpiredAssignments(tx: Tx, now: Date): Promise<AssignmentRow[]> {
  return tx.deleteFrom('role_assignments').where('expires_at', '<=', now).returningAll().execute();
}

export function conflictRules(tx: Tx, orgId: string): Promise<ConflictRuleRow[]> {
  return tx
    .selectFrom('conflict_rules')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .execute();
}

export async function insertConflictRule(tx: Tx, row: ConflictRuleRow): Promise<void> {
  await tx.insertInto('conflict_rules').values(row).execute();
}

export async function deleteConflictRule(tx: Tx, id: string): Promise<ConflictRuleRow | undefined> {
  return tx.deleteFrom('conflict_rules').where('id', '=', id).returningAll().executeTakeFirst();
}

export async function insertRequest(tx: Tx, row: AccessRequestRow): Promise<void> {
  await tx.insertInto('access_requests').values(row).execute();
}

export function requestForUpdate(tx: Tx, id: string): Promise<AccessRequestRow | undefined> {
  return tx
    .selectFrom('access_requests')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function pendingRequests(tx: Tx, orgId: string): Promise<AccessRequestRow[]> {
  return tx
    .selectFrom('access_requests')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('status', '=', 'pending')
    .orderBy('created_at')
    .execute();
}

export async function decideRequest(
  tx: Tx,
  id: string,
  values: Pick<AccessRequestRow, 'status' | 'decided_by' | 'decided_at' | 'decision_note'>,
): Promise<void> {
  await tx.updateTable('access_requests').set(values).where('id', '=', id).execute();
}

/** Marks pending requests past their deadline expired and returns them. */
export function expirePendingRequests(tx: Tx, now: Date): Promise<AccessRequestRow[]> {
  return tx
    .updateTable('access_requests')
    .set({ status: 'expired', decided_at: now })
    .where('status', '=', 'pending')
    .where('expires_at', '<=', now)
    .returningAll()
    .execute();
}

/** Removes and returns the assignments of a user that came from `source`. */
export function deleteAssignmentsBySource(
  tx: Tx,
  userId: string,
  source: GrantSource,
): Promise<AssignmentRow[]> {
  return tx
    .deleteFrom('role_assignments')
    .where('user_id', '=', userId)
    .where('source', '=', source)
    .returningAll()
    .execute();
}

/** The assignments and pending requests of these users, in two queries however many users. */
export async function grantsOfUsers(
  tx: Tx,
  userIds: readonly string[],
): Promise<{ assignments: AssignmentRow[]; pending: AccessRequestRow[] }> {
  const assignments = await tx
    .selectFrom('role_assignments')
    .selectAll()
    .where('user_id', '=', sql<string>`ANY(${userIds})`)
    .execute();
  const pending = await tx
    .selectFrom('access_requests')
    .selectAll()
    .where('user_id', '=', sql<string>`ANY(${userIds})`)
    .where('status', '=', 'pending')
    .execute();
  return { assignments, pending };
}

/** Closes pending requests (by id) as expired with a note; returns those it closed. */
export function withdrawRequests(
  tx: Tx,
  ids: readonly string[],
  at: Date,
  note: string,
): Promise<AccessRequestRow[]> {
  return tx
    .updateTable('access_requests')
    .set({ status: 'expired', decided_at: at, decision_note: note })
    .where('id', '=', sql<string>`ANY(${ids})`)
    .where('status', '=', 'pending')
    .returningAll()
    .execute();
}
