import { sql } from 'kysely';
import type { Tx } from '../platform/index.ts';

export interface DataKeyRow {
  id: number;
  master_key_id: string;
  wrapped_key: string;
  status: 'active' | 'retired';
  created_at: Date;
  activated_at: Date;
  retired_at: Date | null;
}

export function listDataKeys(tx: Tx): Promise<DataKeyRow[]> {
  return tx.selectFrom('keyring_data_keys').selectAll().orderBy('id').execute();
}

/** Inserts unless a key with this id exists (two nodes creating the first key at once). */
export async function insertDataKey(tx: Tx, row: DataKeyRow): Promise<boolean> {
  const result = await tx
    .insertInto('keyring_data_keys')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function retireActiveDataKey(tx: Tx, at: Date): Promise<void> {
  await tx
    .updateTable('keyring_data_keys')
    .set({ status: 'retired', retired_at: at })
    .where('status', '=', 'active')
    .execute();
}

export async function rewrapDataKey(
  tx: Tx,
  id: number,
  masterKeyId: string,
  wrapped: string,
): Promise<void> {
  await tx
    .updateTable('keyring_data_keys')
    .set({ master_key_id: masterKeyId, wrapped_key: wrapped })
    .where('id', '=', id)
    .execute();
}

/** Serialises rotations across nodes for the rest of the transaction. */
export async function lockKeyring(tx: Tx): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(7104225002)`.execute(tx);
}
