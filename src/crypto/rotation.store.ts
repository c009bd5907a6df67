import { sql } from 'kysely';
import { newId, type Tx } from '../platform/index.ts';

/** A column that holds keyring ciphertexts, re-encrypted when the data key rotates. */
export interface EncryptedColumn {
  table: string;
  column: string;
  /** The primary-key column; its value is part of the ciphertext's authenticated data. */
  idColumn: string;
}

export async function insertRotation(tx: Tx, toKeyId: number, at: Date): Promise<string> {
  const id = newId(at.getTime());
  await tx
    .insertInto('keyring_rotations')
    .values({ id, to_key_id: toKeyId, started_at: at, finished_at: null })
    .execute();
  return id;
}

export function unfinishedRotations(tx: Tx) {
  return tx
    .selectFrom('keyring_rotations')
    .selectAll()
    .where('finished_at', 'is', null)
    .orderBy('started_at')
    .execute();
}

export async function finishRotation(
  tx: Tx,
  id: string,
  at: Date,
  reencrypted: number,
): Promise<void> {
  await tx
    .updateTable('keyring_rotations')
    .set({ finished_at: at, reencrypted: sql<number>`reencrypted + ${reencrypted}` })
    .where('id', '=', id)
    .execute();
}

export async function addProgress(tx: Tx, id: string, count: number): Promise<void> {
  await tx
    .updateTable('keyring_rotations')
    .set({ reencrypted: sql<number>`reencrypted + ${count}` })
    .where('id', '=', id)
    .execute();
}

/**
 * Rows of `col` not yet under `keyId`, locked for this transaction; SKIP LOCKED lets several
 * nodes share the work after a crash or restart.
 */
export async function staleCiphertexts(
  tx: Tx,
  col: EncryptedColumn,
  keyId: number,
  limit: number,
): Promise<{ id: string; value: string }[]> {
  const result = await sql<{ id: string; value: string }>`
    SELECT ${sql.ref(col.idColumn)}::text AS id, ${sql.ref(col.column)} AS value
    FROM ${sql.table(col.table)}
    WHERE ${sql.ref(col.column)} IS NOT NULL AND ${sql.ref(col.column)} NOT LIKE ${`v1:${keyId}:%`}
    LIMIT ${limit}
    FOR UPDATE SKIP LOCKED`.execute(tx);
  return result.rows;
}

export async function replaceCiphertext(
  tx: Tx,
  col: EncryptedColumn,
  id: string,
  value: string,
): Promise<void> {
  await sql`UPDATE ${sql.table(col.table)} SET ${sql.ref(col.column)} = ${value}
    WHERE ${sql.ref(col.idColumn)}::text = ${id}`.execute(tx);
}

/** Every ciphertext of `col`, for the dump test and the inventory. */
export async function countByKey(
  tx: Tx,
  col: EncryptedColumn,
): Promise<{ keyId: number; count: number }[]> {
  const result = await sql<{ key_id: string; count: string }>`
    SELECT split_part(${sql.ref(col.column)}, ':', 2) AS key_id, count(*) AS count
    FROM ${sql.table(col.table)} WHERE ${sql.ref(col.column)} IS NOT NULL GROUP BY 1`.execute(tx);
  return result.rows.map((r) => ({ keyId: Number(r.key_id), count: Number(r.count) }));
}
