import { type SqlBool, sql } from 'kysely';
import type { Tx } from '../platform/index.ts';

/** A pushed group with how many members it has and the roles it maps to. */
export interface MappedGroupRow {
  id: string;
  display_name: string;
  external_id: string | null;
  members: number;
  role_keys: string[];
}

/** The organization's groups by name, each with its member count and its role keys (sorted). */
export async function groupsOf(tx: Tx, orgId: string): Promise<MappedGroupRow[]> {
  const groups = await tx
    .selectFrom('scim_groups as g')
    .select(['g.id', 'g.display_name', 'g.external_id'])
    .select((eb) =>
      eb
        .selectFrom('scim_group_members as m')
        // Deprovisioned users are invisible to SCIM, in a group's members too.
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('m.group_id', '=', 'g.id')
        .where('u.status', '<>', 'deprovisioned')
        .as('members'),
    )
    .where('g.org_id', '=', orgId)
    .orderBy('g.display_name')
    .orderBy('g.id')
    .execute();
  const roles = await tx
    .selectFrom('scim_group_roles')
    .select(['group_id', 'role_key'])
    .where('org_id', '=', orgId)
    .orderBy('role_key')
    .execute();
  return groups.map((g) => ({
    id: g.id,
    display_name: g.display_name,
    external_id: g.external_id,
    members: Number(g.members ?? 0),
    role_keys: roles.filter((r) => r.group_id === g.id).map((r) => r.role_key),
  }));
}

/** The group of the organization, locked: concurrent changes of its mapping take turns. */
export function groupForUpdate(tx: Tx, orgId: string, groupId: string) {
  return tx
    .selectFrom('scim_groups')
    .select(['id', 'display_name', 'external_id'])
    .where('org_id', '=', orgId)
    .where('id', '=', groupId)
    .forUpdate()
    .executeTakeFirst();
}

export async function roleKeysOf(tx: Tx, groupId: string): Promise<string[]> {
  const rows = await tx
    .selectFrom('scim_group_roles')
    .select('role_key')
    .where('group_id', '=', groupId)
    .orderBy('role_key')
    .execute();
  return rows.map((r) => r.role_key);
}

/** Replaces the group's role keys with `roleKeys`. */
export async function replaceRoleKeys(
  tx: Tx,
  row: { orgId: string; groupId: string; roleKeys: readonly string[]; by: string | null; at: Date },
): Promise<void> {
  await tx.deleteFrom('scim_group_roles').where('group_id', '=', row.groupId).execute();
  if (row.roleKeys.length === 0) return;
  await tx
    .insertInto('scim_group_roles')
    .values(
      row.roleKeys.map((role_key) => ({
        org_id: row.orgId,
        group_id: row.groupId,
        role_key,
        created_by: row.by,
        created_at: row.at,
      })),
    )
    .execute();
}

export async function memberIdsOf(tx: Tx, groupId: string): Promise<string[]> {
  const rows = await tx
    .selectFrom('scim_group_members')
    .select('user_id')
    .where('group_id', '=', groupId)
    .execute();
  return rows.map((r) => r.user_id);
}

/** Of `userIds`, the users of the organization with their status: one statement. */
export function statusesOf(tx: Tx, orgId: string, userIds: readonly string[]) {
  return tx
    .selectFrom('users')
    .select(['id', 'status'])
    .where('org_id', '=', orgId)
    .where(sql<SqlBool>`id = any(${userIds}::uuid[])`)
    .execute();
}

/** For each of `userIds`, every (group, role) their SCIM groups map them to: one statement. */
export function mappedRolesOf(tx: Tx, orgId: string, userIds: readonly string[]) {
  return tx
    .selectFrom('scim_group_members as m')
    .innerJoin('scim_group_roles as r', 'r.group_id', 'm.group_id')
    .innerJoin('scim_groups as g', 'g.id', 'm.group_id')
    .select(['m.user_id', 'r.role_key', 'g.display_name'])
    .where('m.org_id', '=', orgId)
    .where(sql<SqlBool>`m.user_id = any(${userIds}::uuid[])`)
    .orderBy('g.display_name')
    .execute();
}
