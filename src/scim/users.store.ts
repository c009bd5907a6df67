import { type Expression, type SqlBool, sql } from 'kysely';
import type { DirectoryUser } from '../identity/index.ts';
import type { Tx } from '../platform/index.ts';
import type { FilterColumns } from './protocol/filter.store.ts';

/** A user's columns under the names of identity's DirectoryUser. */
const userSelection = [
  'users.id as id',
  'users.org_id as orgId',
  'users.email as email',
  'users.display_name as displayName',
  'users.status as status',
  'users.created_at as createdAt',
  'users.updated_at as updatedAt',
  'users.deactivated_at as deactivatedAt',
  'users.external_id as externalId',
  'users.user_name as userName',
  'users.given_name as givenName',
  'users.family_name as familyName',
  'users.employee_number as employeeNumber',
  'users.department as department',
  'users.manager_id as managerId',
  'users.end_at as endAt',
] as const;

/** What a User filter may name (protocol/filter.ts's userFilterAttributes), as SQL. */
export const userFilterColumns: FilterColumns = {
  id: sql.ref('users.id'),
  externalid: sql.ref('users.external_id'),
  // Okta looks every user up by userName eq: through the stored lowered values (migration 0019).
  username: {
    value: sql`coalesce(users.user_name, users.email)`,
    lowered: sql.ref('users.user_name_key'),
  },
  displayname: sql.ref('users.display_name'),
  'emails.value': { value: sql.ref('users.email'), lowered: sql.ref('users.email_key') },
  'name.givenname': sql.ref('users.given_name'),
  'name.familyname': sql.ref('users.family_name'),
  active: sql`(users.status = 'active')`,
  'meta.created': sql.ref('users.created_at'),
  'meta.lastmodified': sql.ref('users.updated_at'),
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:employeenumber':
    sql.ref('users.employee_number'),
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:department':
    sql.ref('users.department'),
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:manager.value':
    sql.ref('users.manager_id'),
  'urn:ietf:params:scim:schemas:extension:vigil:2.0:user:enddate': sql.ref('users.end_at'),
};

/** The organization a SCIM call names, to check the token's against it. */
export function organization(
  tx: Tx,
  orgId: string,
): Promise<{ slug: string; status: string } | undefined> {
  return tx
    .selectFrom('organizations')
    .select(['slug', 'status'])
    .where('id', '=', orgId)
    .executeTakeFirst();
}

/**
 * A user SCIM may see (any status but deprovisioned: a leaver is gone for the directory), locked
 * for the change that follows when `forUpdate`.
 */
export function visibleUser(
  tx: Tx,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<DirectoryUser | undefined> {
  const query = tx
    .selectFrom('users')
    .select(userSelection)
    .where('users.id', '=', id)
    .where('users.status', '<>', 'deprovisioned');
  return (options.forUpdate ? query.forUpdate() : query).executeTakeFirst();
}

/** One page of the organization's visible users matching `where`, oldest first, and their total. */
export async function usersPage(
  tx: Tx,
  orgId: string,
  where: Expression<SqlBool> | null,
  offset: number,
  limit: number,
): Promise<{ rows: DirectoryUser[]; total: number }> {
  let base = tx
    .selectFrom('users')
    .where('users.org_id', '=', orgId)
    .where('users.status', '<>', 'deprovisioned');
  if (where) base = base.where(where);
  const total = await base
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const rows =
    limit === 0
      ? []
      : await base.select(userSelection).orderBy('users.id').offset(offset).limit(limit).execute();
  return { rows, total: Number(total.n) };
}

/** The SCIM groups each of `userIds` is a member of (a User's read-only `groups`). */
export async function groupsOf(
  tx: Tx,
  userIds: string[],
): Promise<Map<string, { id: string; displayName: string }[]>> {
  const groups = new Map<string, { id: string; displayName: string }[]>();
  if (userIds.length === 0) return groups;
  const rows = await tx
    .selectFrom('scim_group_members')
    .innerJoin('scim_groups', 'scim_groups.id', 'scim_group_members.group_id')
    .select(['scim_group_members.user_id', 'scim_groups.id', 'scim_groups.display_name'])
    .where('scim_group_members.user_id', 'in', userIds)
    .orderBy('scim_groups.display_name')
    .orderBy('scim_groups.id')
    .execute();
  for (const row of rows) {
    const list = groups.get(row.user_id) ?? [];
    list.push({ id: row.id, displayName: row.display_name });
    groups.set(row.user_id, list);
  }
  return groups;
}
