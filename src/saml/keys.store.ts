import { type Selectable, sql, type Updateable } from 'kysely';
import type { SamlKeysTable, SamlKeyUse, Tx } from '../platform/index.ts';

export type SamlKeyRow = Selectable<SamlKeysTable>;

/**
 * Serializes key changes of one organization (first use, rotation steps): two requests that find
 * no active key must not both create one.
 */
export async function lockKeys(tx: Tx, orgId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`vigil.saml_keys:${orgId}`}))`.execute(tx);
}

export async function insertKey(tx: Tx, row: SamlKeyRow): Promise<void> {
  await tx.insertInto('saml_keys').values(row).execute();
}

/** Every key of the organization, newest first. */
export function keysOf(tx: Tx, orgId: string): Promise<SamlKeyRow[]> {
  return tx
    .selectFrom('saml_keys')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** The keys of one use that are still published (next, active, retiring). */
export function liveKeys(tx: Tx, orgId: string, use: SamlKeyUse): Promise<SamlKeyRow[]> {
  return tx
    .selectFrom('saml_keys')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('use', '=', use)
    .where('state', '<>', 'retired')
    .orderBy('created_at', 'desc')
    .execute();
}

export function findKey(tx: Tx, orgId: string, id: string): Promise<SamlKeyRow | undefined> {
  return tx
    .selectFrom('saml_keys')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function updateKey(
  tx: Tx,
  id: string,
  change: Updateable<SamlKeysTable>,
): Promise<void> {
  await tx.updateTable('saml_keys').set(change).where('id', '=', id).execute();
}
