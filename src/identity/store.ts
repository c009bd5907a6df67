import { type Selectable, sql } from 'kysely';
import {
  precompiled,
  type Tx,
  type UserDirectoryColumns,
  type UsersTable,
} from '../platform/index.ts';

/**
 * A user as the service reads and writes it (`search_text` is PostgreSQL's, for the list; what
 * the directory says of the user is read and written apart, by the SCIM module's use cases).
 */
export type UserRow = Omit<Selectable<UsersTable>, 'search_text' | keyof UserDirectoryColumns>;

/** Every column of a `UserRow`: a list reads no more. */
export const userColumns = [
  'id',
  'org_id',
  'email',
  'display_name',
  'status',
  'created_at',
  'updated_at',
  'deactivated_at',
] as const satisfies readonly (keyof UserRow)[];

export async function insertUser(tx: Tx, row: UserRow): Promise<void> {
  await tx.insertInto('users').values(row).execute();
}

/** By the stored lowered email, which an index serves under row-level security (migration 0019). */
export function findUserByEmail(
  tx: Tx,
  orgId: string,
  email: string,
): Promise<UserRow | undefined> {
  return tx
    .selectFrom('users')
    .selectAll()
    .where('org_id', '=', orgId)
    .where(sql<boolean>`email_key = lower(${email})`)
    .executeTakeFirst();
}

export function findUser(tx: Tx, id: string): Promise<UserRow | undefined> {
  return tx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The users with these ids (those that exist), in one read. */
export function findUsers(tx: Tx, ids: readonly string[]): Promise<UserRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return tx
    .selectFrom('users')
    .selectAll()
    .where('id', '=', sql<string>`ANY(${ids}::uuid[])`)
    .execute();
}

/**
 * The user with `id` when both they and their organization are active: the one read that says
 * whether a token's user may still act (a suspended organization stops its users at once).
 */
export function findActiveUser(tx: Tx, id: string): Promise<UserRow | undefined> {
  return tx
    .selectFrom('users')
    .innerJoin('organizations', 'organizations.id', 'users.org_id')
    .select(userColumns.map((column) => `users.${column}` as const))
    .where('users.id', '=', id)
    .where('users.status', '=', 'active')
    .where('organizations.status', '=', 'active')
    .executeTakeFirst();
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

/** A user row joined with its organization's slug, name and status (sign-in reads). */
export type SignInCandidateRow = UserRow & {
  org_slug: string;
  org_name: string;
  org_status: string;
};

/** More accounts than anyone has under one email: a bound on the sign-in's work. */
const maxSignInCandidates = 10;

/** The sign-in's read, compiled once for each shape: every organization, or one by slug. */
const candidatesStatement = (bySlug: boolean) =>
  precompiled<'email' | 'orgSlug', SignInCandidateRow>(
    bySlug ? ['email', 'orgSlug'] : ['email'],
    (db, p) => {
      let q = db
        .selectFrom('users')
        .innerJoin('organizations', 'organizations.id', 'users.org_id')
        .selectAll('users')
        .select([
          'organizations.slug as org_slug',
          'organizations.name as org_name',
          'organizations.status as org_status',
        ])
        .where(sql<boolean>`users.email_key = lower(${p.email})`)
        .orderBy('organizations.slug')
        .limit(maxSignInCandidates);
      if (bySlug) q = q.where('organizations.slug', '=', p.orgSlug);
      return q;
    },
  );
const candidatesIn = { everyOrg: candidatesStatement(false), oneOrg: candidatesStatement(true) };

/** Accounts with this email in every organization (or one, by slug), for sign-in; platform scope. */
export async function signInCandidates(
  tx: Tx,
  email: string,
  orgSlug: string | undefined,
): Promise<SignInCandidateRow[]> {
  return (orgSlug ? candidatesIn.oneOrg : candidatesIn.everyOrg)(tx, { email, orgSlug });
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
  return tx
    .selectFrom('users')
    .select(userColumns)
    .where('org_id', '=', orgId)
    .orderBy('email')
    .execute();
}

/** Which users a page of the list holds (docs/admin-api.md#users). */
export interface UserListing {
  /** Ids after this one (the previous page's last). */
  after?: string;
  limit: number;
  /** A fragment of the email or the display name, any case; `%`, `_` and `\` match themselves. */
  search?: string;
  status?: UsersTable['status']['__select__'];
}

/**
 * A page of an organization's users in id (creation) order: a keyset on the id, so that a user
 * added while someone pages appears after the page they are on and none is seen twice. The
 * search filters `search_text` (migration 0016 says why no index serves it).
 */
export function usersPage(tx: Tx, orgId: string, listing: UserListing): Promise<UserRow[]> {
  return usersPageQuery(tx, orgId, listing).execute();
}

/** `usersPage`'s statement, unsent: the user-list benchmark prints its plan (bench/users.ts). */
export function usersPageQuery(db: Tx, orgId: string, listing: UserListing) {
  let query = db.selectFrom('users').select(userColumns).where('org_id', '=', orgId);
  if (listing.status) query = query.where('status', '=', listing.status);
  if (listing.search) {
    const fragment = listing.search.replace(/[\\%_]/g, '\\$&');
    query = query.where(sql<boolean>`search_text LIKE '%' || lower(${fragment}) || '%'`);
  }
  if (listing.after) query = query.where('id', '>', listing.after);
  return query.orderBy('id').limit(listing.limit);
}
