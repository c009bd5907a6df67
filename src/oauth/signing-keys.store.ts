import { type Selectable, sql } from 'kysely';
import type { OidcSigningKeysTable, Tx } from '../platform/index.ts';

export type SigningKeyRow = Selectable<OidcSigningKeysTable>;

export async function insertKey(
  tx: Tx,
  row: Omit<SigningKeyRow, 'public_jwk'> & { public_jwk: string },
): Promise<void> {
  await tx.insertInto('oidc_signing_keys').values(row).execute();
}

/** Keys still published at `now`, oldest activation first. */
export function publishedKeys(tx: Tx, now: Date): Promise<SigningKeyRow[]> {
  return tx
    .selectFrom('oidc_signing_keys')
    .selectAll()
    .where((eb) => eb.or([eb('remove_at', 'is', null), eb('remove_at', '>', now)]))
    .orderBy('activate_at')
    .execute();
}

export function allKeys(tx: Tx): Promise<SigningKeyRow[]> {
  return tx.selectFrom('oidc_signing_keys').selectAll().orderBy('activate_at').execute();
}

export async function scheduleRetirement(
  tx: Tx,
  id: string,
  retireAt: Date,
  removeAt: Date,
): Promise<void> {
  await tx
    .updateTable('oidc_signing_keys')
    .set({ retire_at: retireAt, remove_at: removeAt })
    .where('id', '=', id)
    .execute();
}

/** Serialises the rotation schedule across nodes for the rest of the transaction. */
export async function lockSchedule(tx: Tx): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('vigil.oidc_signing_keys'))`.execute(tx);
}
