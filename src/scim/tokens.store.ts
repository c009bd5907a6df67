import type { Insertable, Selectable } from 'kysely';
import type { ScimTokensTable, Tx } from '../platform/index.ts';

export type ScimTokenRow = Selectable<ScimTokensTable>;

export async function insertToken(tx: Tx, row: Insertable<ScimTokensTable>): Promise<void> {
  await tx.insertInto('scim_tokens').values(row).execute();
}

export function findToken(tx: Tx, id: string): Promise<ScimTokenRow | undefined> {
  return tx.selectFrom('scim_tokens').selectAll().where('id', '=', id).executeTakeFirst();
}

export function tokensOf(tx: Tx, orgId: string): Promise<ScimTokenRow[]> {
  return tx
    .selectFrom('scim_tokens')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .execute();
}

/** Revokes the token if it is live; returns it revoked, or undefined when it was already. */
export function revokeToken(
  tx: Tx,
  id: string,
  at: Date,
  by: string | null,
): Promise<ScimTokenRow | undefined> {
  return tx
    .updateTable('scim_tokens')
    .set({ revoked_at: at, revoked_by: by })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

export async function recordUse(tx: Tx, id: string, at: Date, ip: string): Promise<void> {
  await tx
    .updateTable('scim_tokens')
    .set({ last_used_at: at, last_used_ip: ip })
    .where('id', '=', id)
    .execute();
}
