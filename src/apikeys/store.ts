import type { Insertable, Selectable } from 'kysely';
import type { ApiKeysTable, Tx } from '../platform/index.ts';

export type ApiKeyRow = Selectable<ApiKeysTable>;

export async function insertKey(tx: Tx, row: Insertable<ApiKeysTable>): Promise<void> {
  await tx.insertInto('api_keys').values(row).execute();
}

export function findKey(tx: Tx, id: string): Promise<ApiKeyRow | undefined> {
  return tx.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

export function keysOf(tx: Tx, orgId: string): Promise<ApiKeyRow[]> {
  return tx
    .selectFrom('api_keys')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .execute();
}

/** Revokes live keys (one, or all a user created); returns those it revoked. */
export function revokeKeys(
  tx: Tx,
  by: { id: string } | { createdBy: string },
  at: Date,
  reason: string,
): Promise<ApiKeyRow[]> {
  let query = tx
    .updateTable('api_keys')
    .set({ revoked_at: at, revoked_reason: reason })
    .where('revoked_at', 'is', null);
  query = 'id' in by ? query.where('id', '=', by.id) : query.where('created_by', '=', by.createdBy);
  return query.returningAll().execute();
}

export async function recordUse(tx: Tx, id: string, at: Date, ip: string | null): Promise<void> {
  await tx
    .updateTable('api_keys')
    .set({ last_used_at: at, last_used_ip: ip })
    .where('id', '=', id)
    .execute();
}
