import type { Selectable } from 'kysely';
import type { BootstrapTokensTable, Tx } from '../../platform/index.ts';

export type BootstrapTokenRow = Selectable<BootstrapTokensTable>;

export async function revokeOpenTokens(tx: Tx, at: Date): Promise<number> {
  const result = await tx
    .updateTable('bootstrap_tokens')
    .set({ revoked_at: at })
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function insertToken(tx: Tx, row: BootstrapTokenRow): Promise<void> {
  await tx.insertInto('bootstrap_tokens').values(row).execute();
}

/** Locks the token row so that two submissions of one link cannot both succeed. */
export function lockToken(tx: Tx, id: string): Promise<BootstrapTokenRow | undefined> {
  return tx
    .selectFrom('bootstrap_tokens')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function markUsed(tx: Tx, id: string, at: Date): Promise<void> {
  await tx.updateTable('bootstrap_tokens').set({ used_at: at }).where('id', '=', id).execute();
}

export async function hasOpenToken(tx: Tx, now: Date): Promise<boolean> {
  const row = await tx
    .selectFrom('bootstrap_tokens')
    .select('id')
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row !== undefined;
}
