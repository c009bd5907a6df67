import type { Selectable } from 'kysely';
import type { PlatformKeysTable, Tx } from '../platform/index.ts';

export type PlatformKeyRow = Selectable<PlatformKeysTable>;

export function activeKey(tx: Tx, purpose: string): Promise<PlatformKeyRow | undefined> {
  return tx
    .selectFrom('platform_keys')
    .selectAll()
    .where('purpose', '=', purpose)
    .where('status', '=', 'active')
    .executeTakeFirst();
}

export function keysOf(tx: Tx, purpose?: string): Promise<PlatformKeyRow[]> {
  let q = tx.selectFrom('platform_keys').selectAll().orderBy('created_at');
  if (purpose) q = q.where('purpose', '=', purpose);
  return q.execute();
}

/** Inserts the active key unless another node just did (unique active key per purpose). */
export async function insertActiveKey(tx: Tx, row: PlatformKeyRow): Promise<boolean> {
  const result = await tx
    .insertInto('platform_keys')
    .values(row)
    .onConflict((oc) => oc.column('purpose').where('status', '=', 'active').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function retireKey(tx: Tx, id: string, at: Date): Promise<void> {
  await tx
    .updateTable('platform_keys')
    .set({ status: 'retired', retired_at: at })
    .where('id', '=', id)
    .execute();
}
