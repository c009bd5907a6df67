import type { Insertable, Selectable, Updateable } from 'kysely';
import type { SamlApplicationsTable, Tx } from '../platform/index.ts';

export type ApplicationRow = Selectable<SamlApplicationsTable>;

export async function insertApplication(
  tx: Tx,
  row: Insertable<SamlApplicationsTable>,
): Promise<void> {
  await tx.insertInto('saml_applications').values(row).execute();
}

export function findApplication(
  tx: Tx,
  orgId: string,
  id: string,
  lock = false,
): Promise<ApplicationRow | undefined> {
  const query = tx
    .selectFrom('saml_applications')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

export function applicationByEntityId(
  tx: Tx,
  orgId: string,
  entityId: string,
): Promise<ApplicationRow | undefined> {
  return tx
    .selectFrom('saml_applications')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('entity_id', '=', entityId)
    .executeTakeFirst();
}

export function applicationsOf(tx: Tx, orgId: string): Promise<ApplicationRow[]> {
  return tx
    .selectFrom('saml_applications')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function updateApplication(
  tx: Tx,
  id: string,
  change: Updateable<SamlApplicationsTable>,
): Promise<void> {
  await tx.updateTable('saml_applications').set(change).where('id', '=', id).execute();
}

export async function deleteApplication(tx: Tx, id: string): Promise<void> {
  await tx.deleteFrom('saml_applications').where('id', '=', id).execute();
}
