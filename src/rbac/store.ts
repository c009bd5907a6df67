import { type Insertable, type Selectable, sql } from 'kysely';
import type {
  AccessRequestsTable,
  ConflictRulesTable,
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

/** The assignments of an organization, or of one of its users. */
export function assignmentsOfOrg(tx: Tx, orgId: string, userId?: string): Promise<AssignmentRow[]> {
  let query = tx.selectFrom('role_assignments').selectAll().where('org_id', '=', orgId);
  if (userId !== undefined) query = query.where('user_id', '=', userId);
  return query.orderBy('user_id').orderBy('role_key').execute();
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

export async function deleteAssignment(
  tx: Tx,
  userId: string,
  roleKey: string,
): Promise<AssignmentRow | undefined> {
  return tx
    .deleteFrom('role_assignments')
    .where('user_id', '=', userId)
    .where('role_key', '=', roleKey)
    .returningAll()
    .executeTakeFirst();
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
