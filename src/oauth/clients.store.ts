import { type Insertable, type Selectable, sql } from 'kysely';
import type { OauthClientsTable, Tx } from '../platform/index.ts';

export type ClientRow = Selectable<OauthClientsTable>;

export async function insertClient(tx: Tx, row: Insertable<OauthClientsTable>): Promise<void> {
  await tx.insertInto('oauth_clients').values(row).execute();
}

export function findClient(tx: Tx, id: string): Promise<ClientRow | undefined> {
  return tx.selectFrom('oauth_clients').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The clients of `orgId`, or every client (in the transaction's scope) when omitted. */
export function listClients(tx: Tx, orgId?: string): Promise<ClientRow[]> {
  let query = tx.selectFrom('oauth_clients').selectAll();
  if (orgId !== undefined) query = query.where('org_id', '=', orgId);
  return query.orderBy('id').execute();
}

export async function updateSecrets(
  tx: Tx,
  id: string,
  values: Pick<
    ClientRow,
    'secret_enc' | 'previous_secret_enc' | 'previous_secret_expires_at' | 'updated_at'
  >,
): Promise<void> {
  await tx.updateTable('oauth_clients').set(values).where('id', '=', id).execute();
}

export async function updateLocations(
  tx: Tx,
  id: string,
  values: Pick<
    ClientRow,
    'redirect_uris' | 'post_logout_redirect_uris' | 'resources' | 'updated_at'
  >,
): Promise<void> {
  await tx.updateTable('oauth_clients').set(values).where('id', '=', id).execute();
}

export async function setStatus(
  tx: Tx,
  id: string,
  status: ClientRow['status'],
  updatedAt: Date,
): Promise<void> {
  await tx
    .updateTable('oauth_clients')
    .set({ status, updated_at: updatedAt })
    .where('id', '=', id)
    .execute();
}

/** Serialises Vigil's registration of its own clients across nodes starting together. */
export async function lockOwnClients(tx: Tx): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('vigil.oauth_clients.own'))`.execute(tx);
}
