import { type Selectable, sql } from 'kysely';
import type { Tx, UsersTable } from '../platform/index.ts';

export type UserRow = Selectable<UsersTable>;

export async function insertUser(tx: Tx, row: UserRow): Promise<void> {
  await tx.insertInto('users').values(row).execute();
}

export function findUserByEmail(
  tx: Tx,
  orgId: string,
  email: string,
): Promise<UserRow | undefined> {
  return tx
    .selectFrom('users')
    .selectAll()
    .where('org_id', '=', orgId)
    .where(sql<boolean>`lower(email) = lower(${email})`)
    .executeTakeFirst();
}

export function findUser(tx: Tx, id: string): Promise<UserRow | undefined> {
  return tx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function countActiveWithRole(tx: Tx, orgId: string, roleKey: string): Promise<number> {
  const row = await tx
    .selectFrom('role_assignments')
    .innerJoin('users', 'users.id', 'role_assignments.user_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('role_assignments.org_id', '=', orgId)
    .where('role_assignments.role_key', '=', roleKey)
    .where('users.status', '=', 'active')
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Accounts with this email in every organization (or one, by slug), for sign-in; platform scope.
 * A query, not rows: the sign-in's password step adds what it needs to know about each account.
 */
export function signInCandidatesQuery(
  tx: Tx,
  email: string,
  orgSlug: string | undefined,
  limit: number,
) {
  let q = tx
    .selectFrom('users')
    .innerJoin('organizations', 'organizations.id', 'users.org_id')
    .selectAll('users')
    .select([
      'organizations.slug as org_slug',
      'organizations.name as org_name',
      'organizations.status as org_status',
    ])
    .where(sql<boolean>`lower(users.email) = lower(${email})`)
    .orderBy('organizations.slug')
    .limit(limit);
  if (orgSlug) q = q.where('organizations.slug', '=', orgSlug);
  return q;
}

export async function roleKeysOf(tx: Tx, userId: string): Promise<string[]> {
  const rows = await tx
    .selectFrom('role_assignments')
    .select('role_key')
    .where('user_id', '=', userId)
    .execute();
  return rows.map((r) => r.role_key);
}

/** Sets a user's status; returns the row before the change (undefined when not found). */
export async function updateStatus(
  tx: Tx,
  id: string,
  status: UsersTable['status']['__update__'],
  at: Date,
): Promise<UserRow | undefined> {
  const before = await userForUpdate(tx, id);
  if (!before) return undefined;
  await tx
    .updateTable('users')
    .set({ status, updated_at: at, deactivated_at: status === 'active' ? null : at })
    .where('id', '=', id)
    .execute();
  return before;
}

/** The row locked for an update (undefined when not found). */
export function userForUpdate(tx: Tx, id: string): Promise<UserRow | undefined> {
  return tx.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function updateProfile(
  tx: Tx,
  id: string,
  changes: { email: string; display_name: string; updated_at: Date },
): Promise<void> {
  await tx.updateTable('users').set(changes).where('id', '=', id).execute();
}

export function usersOf(tx: Tx, orgId: string): Promise<UserRow[]> {
  return tx.selectFrom('users').selectAll().where('org_id', '=', orgId).orderBy('email').execute();
}

/** A page of an organization's users in id (creation) order, after `after` when given. */
export function usersPage(
  tx: Tx,
  orgId: string,
  page: { after?: string; limit: number },
): Promise<UserRow[]> {
  let query = tx.selectFrom('users').selectAll().where('org_id', '=', orgId);
  if (page.after) query = query.where('id', '>', page.after);
  return query.orderBy('id').limit(page.limit).execute();
}
