import type { Selectable } from 'kysely';
import type { OrganizationsTable, Tx } from '../platform/index.ts';

export type OrganizationRow = Selectable<OrganizationsTable>;

export function findOrganization(tx: Tx, id: string): Promise<OrganizationRow | undefined> {
  return tx.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findOrganizationBySlug(tx: Tx, slug: string): Promise<OrganizationRow | undefined> {
  return tx.selectFrom('organizations').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export function listOrganizations(tx: Tx): Promise<OrganizationRow[]> {
  return tx.selectFrom('organizations').selectAll().orderBy('created_at').execute();
}

export async function insertOrganization(tx: Tx, row: OrganizationRow): Promise<void> {
  await tx.insertInto('organizations').values(row).execute();
}

/** The row locked for a status change (undefined when not found). */
export function organizationForUpdate(tx: Tx, id: string): Promise<OrganizationRow | undefined> {
  return tx
    .selectFrom('organizations')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateStatus(
  tx: Tx,
  id: string,
  status: OrganizationRow['status'],
  at: Date,
): Promise<void> {
  await tx
    .updateTable('organizations')
    .set({ status, updated_at: at })
    .where('id', '=', id)
    .execute();
}

/** Whether the organization exists and is active. */
export async function isActive(tx: Tx, id: string): Promise<boolean> {
  const row = await tx
    .selectFrom('organizations')
    .select('status')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.status === 'active';
}
