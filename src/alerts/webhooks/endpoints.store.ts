import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Tx, WebhookEndpointsTable } from '../../platform/index.ts';

export type EndpointRow = Selectable<WebhookEndpointsTable>;

export async function insertEndpoint(
  tx: Tx,
  row: Insertable<WebhookEndpointsTable>,
): Promise<void> {
  await tx.insertInto('webhook_endpoints').values(row).execute();
}

/** The endpoint `id` of `orgId`, locked for the change that reads it. */
export function findEndpoint(
  tx: Tx,
  orgId: string,
  id: string,
  lock = false,
): Promise<EndpointRow | undefined> {
  const query = tx
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

export function endpointsOf(tx: Tx, orgId: string): Promise<EndpointRow[]> {
  return tx
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** The endpoints of some ids, whatever their organization (the delivery worker's platform read). */
export function endpointsByIds(tx: Tx, ids: readonly string[]): Promise<EndpointRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return tx.selectFrom('webhook_endpoints').selectAll().where('id', 'in', ids).execute();
}

export async function updateEndpoint(
  tx: Tx,
  id: string,
  change: Updateable<WebhookEndpointsTable>,
): Promise<void> {
  await tx.updateTable('webhook_endpoints').set(change).where('id', '=', id).execute();
}

export async function deleteEndpoint(tx: Tx, id: string): Promise<void> {
  await tx.deleteFrom('webhook_endpoints').where('id', '=', id).execute();
}
