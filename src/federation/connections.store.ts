import type { Insertable, Selectable, Updateable } from 'kysely';
import type { SsoConnectionCertificatesTable, SsoConnectionsTable, Tx } from '../platform/index.ts';

export type ConnectionRow = Selectable<SsoConnectionsTable>;
export type CertificateRow = Selectable<SsoConnectionCertificatesTable>;

export async function insertConnection(tx: Tx, row: Insertable<SsoConnectionsTable>) {
  await tx.insertInto('sso_connections').values(row).execute();
}

export function findConnection(tx: Tx, id: string): Promise<ConnectionRow | undefined> {
  return tx.selectFrom('sso_connections').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function nameTaken(tx: Tx, orgId: string, name: string, except?: string) {
  let query = tx
    .selectFrom('sso_connections')
    .select('id')
    .where('org_id', '=', orgId)
    .where('name', '=', name);
  if (except) query = query.where('id', '<>', except);
  return (await query.executeTakeFirst()) !== undefined;
}

export function connectionsOf(tx: Tx, orgId: string): Promise<ConnectionRow[]> {
  return tx
    .selectFrom('sso_connections')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('name')
    .orderBy('id')
    .execute();
}

/** The organization of a connection, read in platform scope before the org's own transaction. */
export async function orgOfConnection(tx: Tx, id: string): Promise<string | undefined> {
  const row = await tx
    .selectFrom('sso_connections')
    .select('org_id')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.org_id;
}

export type ConnectionSettings = Omit<
  Updateable<SsoConnectionsTable>,
  'id' | 'org_id' | 'protocol' | 'created_at'
>;

export async function updateConnection(tx: Tx, id: string, settings: ConnectionSettings) {
  await tx.updateTable('sso_connections').set(settings).where('id', '=', id).execute();
}

export async function deleteConnection(tx: Tx, id: string) {
  await tx.deleteFrom('sso_connections').where('id', '=', id).execute();
}

export function certificatesOf(tx: Tx, connectionIds: string[]): Promise<CertificateRow[]> {
  if (connectionIds.length === 0) return Promise.resolve([]);
  return tx
    .selectFrom('sso_connection_certificates')
    .selectAll()
    .where('connection_id', 'in', connectionIds)
    .orderBy('not_after', 'desc')
    .orderBy('id')
    .execute();
}

export async function insertCertificate(tx: Tx, row: Insertable<SsoConnectionCertificatesTable>) {
  await tx.insertInto('sso_connection_certificates').values(row).execute();
}

export async function deleteCertificate(tx: Tx, connectionId: string, id: string) {
  await tx
    .deleteFrom('sso_connection_certificates')
    .where('connection_id', '=', connectionId)
    .where('id', '=', id)
    .execute();
}
