import type { Selectable } from 'kysely';
import type { PasswordResetsTable, Tx } from '../../platform/index.ts';

export type ResetRow = Selectable<PasswordResetsTable>;

export async function insertReset(tx: Tx, row: ResetRow): Promise<void> {
  await tx.insertInto('password_resets').values(row).execute();
}

export async function recentResets(tx: Tx, userId: string, since: Date): Promise<number> {
  const rows = await tx
    .selectFrom('password_resets')
    .select('id')
    .where('user_id', '=', userId)
    .where('created_at', '>', since)
    .execute();
  return rows.length;
}

export function resetForUpdate(tx: Tx, id: string): Promise<ResetRow | undefined> {
  return tx
    .selectFrom('password_resets')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/** Uses the link, and voids every other open link of the same user. */
export async function useResets(tx: Tx, userId: string, at: Date): Promise<void> {
  await tx
    .updateTable('password_resets')
    .set({ used_at: at })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .execute();
}
