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
