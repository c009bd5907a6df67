import { type Selectable, sql } from 'kysely';
import { newId, type PasswordCredentialsTable, type Tx } from '../../platform/index.ts';

export type CredentialRow = Selectable<PasswordCredentialsTable>;

/**
 * The password credentials of these users, by user id (none: absent), in one query however
 * many users; an empty list still sends it (the sign-in's reads are the same on every branch).
 */
export async function credentialsOf(
  tx: Tx,
  userIds: readonly string[],
): Promise<Map<string, { hash: string; changedAt: Date; mustChange: boolean }>> {
  const rows = await tx
    .selectFrom('password_credentials')
    .select(['user_id', 'hash', 'changed_at', 'must_change'])
    .where('user_id', '=', sql<string>`ANY(${userIds})`)
    .execute();
  return new Map(
    rows.map((r) => [
      r.user_id,
      { hash: r.hash, changedAt: r.changed_at, mustChange: r.must_change },
    ]),
  );
}

export function credential(tx: Tx, userId: string): Promise<CredentialRow | undefined> {
  return tx
    .selectFrom('password_credentials')
    .selectAll()
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function saveCredential(
  tx: Tx,
  row: {
    userId: string;
    orgId: string;
    hash: string;
    mustChange: boolean;
    byOwner: boolean;
    at: Date;
  },
): Promise<void> {
  await tx
    .insertInto('password_credentials')
    .values({
      user_id: row.userId,
      org_id: row.orgId,
      hash: row.hash,
      must_change: row.mustChange,
      set_by_owner: row.byOwner,
      created_at: row.at,
      changed_at: row.at,
    })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({
        hash: row.hash,
        must_change: row.mustChange,
        set_by_owner: row.byOwner,
        changed_at: row.at,
      }),
    )
    .execute();
  await tx
    .insertInto('password_history')
    .values({
      id: newId(row.at.getTime()),
      user_id: row.userId,
      org_id: row.orgId,
      hash: row.hash,
      created_at: row.at,
    })
    .execute();
}

/** A transparent rehash at sign-in: same password, new parameters; not a change (no history). */
export async function replaceHash(tx: Tx, userId: string, hash: string): Promise<void> {
  await tx
    .updateTable('password_credentials')
    .set({ hash })
    .where('user_id', '=', userId)
    .execute();
}

export async function recentHashes(tx: Tx, userId: string, count: number): Promise<string[]> {
  if (count === 0) return [];
  const rows = await tx
    .selectFrom('password_history')
    .select('hash')
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .limit(count)
    .execute();
  return rows.map((r) => r.hash);
}

/** Keeps the newest `keep` history entries (the longest history a policy can ask for). */
export async function trimHistory(tx: Tx, userId: string, keep: number): Promise<void> {
  const keepIds = tx
    .selectFrom('password_history')
    .select('id')
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .limit(keep);
  await tx
    .deleteFrom('password_history')
    .where('user_id', '=', userId)
    .where('id', 'not in', keepIds)
    .execute();
}
