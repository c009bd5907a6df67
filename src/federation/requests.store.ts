import type { Insertable, Selectable } from 'kysely';
import type { SsoRequestsTable, Tx } from '../platform/index.ts';

export type RequestRow = Selectable<SsoRequestsTable>;

export async function insertRequest(tx: Tx, row: Insertable<SsoRequestsTable>) {
  await tx.insertInto('sso_requests').values(row).execute();
}

/** Removes and returns the request an answer names: whatever happens next, it is used up. */
export function takeRequest(
  tx: Tx,
  connectionId: string,
  correlation: string,
): Promise<RequestRow | undefined> {
  return tx
    .deleteFrom('sso_requests')
    .where('connection_id', '=', connectionId)
    .where('correlation', '=', correlation)
    .returningAll()
    .executeTakeFirst();
}

/** Requests of a connection nobody came back to. */
export async function deleteExpiredRequests(tx: Tx, connectionId: string, now: Date) {
  await tx
    .deleteFrom('sso_requests')
    .where('connection_id', '=', connectionId)
    .where('expires_at', '<=', now)
    .execute();
}

/** Records an assertion ID as used; false when it already was (a replay). */
export async function recordAssertion(
  tx: Tx,
  row: { connection_id: string; assertion_id: string; org_id: string; expires_at: Date },
): Promise<boolean> {
  const inserted = await tx
    .insertInto('sso_used_assertions')
    .values(row)
    .onConflict((oc) => oc.columns(['connection_id', 'assertion_id']).doNothing())
    .returning('assertion_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function deleteExpiredAssertions(tx: Tx, connectionId: string, now: Date) {
  await tx
    .deleteFrom('sso_used_assertions')
    .where('connection_id', '=', connectionId)
    .where('expires_at', '<=', now)
    .execute();
}
