import { type RawBuilder, type Selectable, type SqlBool, sql } from 'kysely';
import type { ScimGroupsTable, Tx } from '../platform/index.ts';
import { type FilterColumns, filterSql } from './protocol/filter.store.ts';
import type { ScimFilter } from './protocol/filter.ts';

export type GroupRow = Selectable<ScimGroupsTable>;

/** A member as a SCIM group shows it: the user's id and the name a person reads. */
export interface MemberRow {
  group_id: string;
  user_id: string;
  display_name: string;
}

export async function insertGroup(tx: Tx, row: GroupRow): Promise<void> {
  await tx.insertInto('scim_groups').values(row).execute();
}

export function findGroup(tx: Tx, id: string): Promise<GroupRow | undefined> {
  return tx.selectFrom('scim_groups').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The group, locked until the transaction ends: concurrent changes of one group take turns. */
export function groupForUpdate(tx: Tx, id: string): Promise<GroupRow | undefined> {
  return tx
    .selectFrom('scim_groups')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateGroup(
  tx: Tx,
  id: string,
  change: { display_name: string; external_id: string | null; updated_at: Date },
): Promise<void> {
  await tx.updateTable('scim_groups').set(change).where('id', '=', id).execute();
}

/** Deletes the group (its members and role mappings go with it, ON DELETE CASCADE). */
export async function deleteGroup(tx: Tx, id: string): Promise<void> {
  await tx.deleteFrom('scim_groups').where('id', '=', id).execute();
}

/**
 * Of `ids`, those naming a user of the organization that SCIM may see (not deprovisioned): one
 * statement whatever their number.
 */
export async function visibleUsers(tx: Tx, orgId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await tx
    .selectFrom('users')
    .select('id')
    .where('org_id', '=', orgId)
    .where('status', '<>', 'deprovisioned')
    .where(sql<SqlBool>`id = any(${ids}::uuid[])`)
    .execute();
  return new Set(rows.map((row) => row.id));
}

/** Of `ids`, those naming a SCIM group of the organization (a group is no member of a group). */
export async function groupsAmong(tx: Tx, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await tx
    .selectFrom('scim_groups')
    .select('id')
    .where(sql<SqlBool>`id = any(${ids}::uuid[])`)
    .execute();
  return new Set(rows.map((row) => row.id));
}

/** The ids of every member of a group, deprovisioned users included (a replace drops them). */
export async function memberIds(tx: Tx, groupId: string): Promise<string[]> {
  const rows = await tx
    .selectFrom('scim_group_members')
    .select('user_id')
    .where('group_id', '=', groupId)
    .execute();
  return rows.map((row) => row.user_id);
}

/**
 * Adds users to a group in one statement (a directory adds a thousand at once); returns those
 * who were not members before.
 */
export async function addMembers(
  tx: Tx,
  orgId: string,
  groupId: string,
  userIds: string[],
  at: Date,
): Promise<string[]> {
  if (userIds.length === 0) return [];
  const { rows } = await sql<{ user_id: string }>`
    INSERT INTO scim_group_members (org_id, group_id, user_id, added_at)
    SELECT ${orgId}::uuid, ${groupId}::uuid, member, ${at}::timestamptz
    FROM unnest(${userIds}::uuid[]) AS member
    ON CONFLICT (group_id, user_id) DO NOTHING
    RETURNING user_id`.execute(tx);
  return rows.map((row) => row.user_id);
}

/** Removes users from a group in one statement; returns those who were members. */
export async function removeMembers(tx: Tx, groupId: string, userIds: string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await tx
    .deleteFrom('scim_group_members')
    .where('group_id', '=', groupId)
    .where(sql<SqlBool>`user_id = any(${userIds}::uuid[])`)
    .returning('user_id')
    .execute();
  return rows.map((row) => row.user_id);
}

/**
 * The members SCIM shows of these groups (deprovisioned users are invisible to the directory),
 * in the order they joined.
 */
export function membersOf(tx: Tx, groupIds: string[]): Promise<MemberRow[]> {
  if (groupIds.length === 0) return Promise.resolve([]);
  return tx
    .selectFrom('scim_group_members')
    .innerJoin('users', 'users.id', 'scim_group_members.user_id')
    .select(['scim_group_members.group_id', 'scim_group_members.user_id', 'users.display_name'])
    .where(sql<SqlBool>`scim_group_members.group_id = any(${groupIds}::uuid[])`)
    .where('users.status', '<>', 'deprovisioned')
    .orderBy('scim_group_members.added_at')
    .orderBy('scim_group_members.user_id')
    .execute();
}

const groupColumns: FilterColumns = {
  id: sql.ref('scim_groups.id'),
  externalid: sql.ref('scim_groups.external_id'),
  displayname: sql.ref('scim_groups.display_name'),
  'meta.created': sql.ref('scim_groups.created_at'),
  'meta.lastmodified': sql.ref('scim_groups.updated_at'),
};

/**
 * A Group filter as SQL. `members.value` is multi-valued: a comparison with it holds when one
 * member (a user SCIM sees) satisfies it, `members pr` when the group has one.
 */
export function groupFilterSql(filter: ScimFilter): RawBuilder<SqlBool> {
  switch (filter.op) {
    case 'and':
    case 'or':
      return sql<SqlBool>`(${sql.join(filter.filters.map(groupFilterSql), sql.raw(` ${filter.op.toUpperCase()} `))})`;
    case 'not':
      return sql<SqlBool>`NOT coalesce(${groupFilterSql(filter.filter)}, false)`;
    default: {
      if (filter.attribute !== 'members.value') return filterSql(filter, groupColumns);
      const condition =
        filter.op === 'pr'
          ? sql<SqlBool>`true`
          : filterSql(filter, { 'members.value': sql.ref('m.user_id') });
      return sql<SqlBool>`EXISTS (SELECT 1 FROM scim_group_members m JOIN users u ON u.id = m.user_id
        WHERE m.group_id = scim_groups.id AND u.status <> 'deprovisioned' AND ${condition})`;
    }
  }
}

/** One page of the organization's groups matching `filter`, oldest first, and their total. */
export async function groupsPage(
  tx: Tx,
  filter: ScimFilter | null,
  offset: number,
  limit: number,
): Promise<{ rows: GroupRow[]; total: number }> {
  let base = tx.selectFrom('scim_groups');
  if (filter) base = base.where(groupFilterSql(filter));
  const total = await base
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const rows =
    limit === 0 ? [] : await base.selectAll().orderBy('id').offset(offset).limit(limit).execute();
  return { rows, total: Number(total.n) };
}
