import { sql } from 'kysely';
import type { Tx } from '../platform/index.ts';

/** Notes that a provider session was confirmed by a Vigil session (the latest one wins). */
export async function link(
  tx: Tx,
  row: { oidcSessionId: string; vigilSessionId: string; accountId: string; expiresAt: Date },
): Promise<void> {
  const values = {
    vigil_session_id: row.vigilSessionId,
    account_id: row.accountId,
    expires_at: row.expiresAt,
  };
  await tx
    .insertInto('oidc_session_links')
    .values({ oidc_session_id: row.oidcSessionId, ...values })
    .onConflict((oc) => oc.column('oidc_session_id').doUpdateSet(values))
    .execute();
}

/** Removes and returns the provider sessions the given Vigil sessions confirmed. */
export async function unlinkVigilSessions(tx: Tx, vigilSessionIds: string[]): Promise<string[]> {
  if (vigilSessionIds.length === 0) return [];
  const rows = await tx
    .deleteFrom('oidc_session_links')
    .where('vigil_session_id', 'in', vigilSessionIds)
    .returning('oidc_session_id')
    .execute();
  return rows.map((r) => r.oidc_session_id);
}

export async function unlinkAccounts(tx: Tx, accountIds: readonly string[]): Promise<void> {
  await tx
    .deleteFrom('oidc_session_links')
    .where('account_id', '=', sql<string>`ANY(${accountIds}::text[])`)
    .execute();
}

export async function deleteExpiredLinks(tx: Tx, now: Date): Promise<number> {
  const result = await tx
    .deleteFrom('oidc_session_links')
    .where('expires_at', '<', now)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
