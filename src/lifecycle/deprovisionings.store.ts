import type { Insertable, Selectable } from 'kysely';
import type { AuditActor, DeprovisioningsTable, Tx } from '../platform/index.ts';

export type DeprovisioningRow = Selectable<DeprovisioningsTable>;

export async function insertDeprovisioning(
  tx: Tx,
  row: Insertable<DeprovisioningsTable>,
): Promise<void> {
  await tx.insertInto('deprovisionings').values(row).execute();
}

export async function markOAuthRevoked(tx: Tx, id: string, at: Date): Promise<void> {
  await tx
    .updateTable('deprovisionings')
    .set({ oauth_revoked_at: at })
    .where('id', '=', id)
    .execute();
}

/**
 * A readable name for who asked, kept with the record so that the report still names them after
 * the user, key or token is renamed or gone: a user's email, an API key's or SCIM token's name.
 * Null when the actor is not visible in the organization (a platform administrator).
 */
export async function actorLabel(tx: Tx, actor: AuditActor): Promise<string | null> {
  const id = actor.id;
  if (id === undefined) return null;
  if (actor.type === 'user') {
    const user = await tx
      .selectFrom('users')
      .select('email')
      .where('id', '=', id)
      .executeTakeFirst();
    return user?.email ?? null;
  }
  if (actor.type === 'api_key' || actor.type === 'scim_token') {
    const table = actor.type === 'api_key' ? 'api_keys' : 'scim_tokens';
    const named = await tx.selectFrom(table).select('name').where('id', '=', id).executeTakeFirst();
    return named?.name ?? null;
  }
  return id;
}

/** A record with the user it concerns and the names of who asked, as they are now. */
export interface DeprovisioningListRow extends DeprovisioningRow {
  user_email: string;
  user_display_name: string;
  actor_user_name: string | null;
  actor_token_name: string | null;
}

/** The organization's records requested in [from, to), oldest first. */
export function deprovisioningsBetween(
  tx: Tx,
  orgId: string,
  from: Date,
  to: Date,
): Promise<DeprovisioningListRow[]> {
  return (
    tx
      .selectFrom('deprovisionings as d')
      .innerJoin('users as u', 'u.id', 'd.user_id')
      // Compared as text: actor_id also holds ids that are no UUID (the operator's `cli`).
      .leftJoin('users as by', (join) =>
        join
          .on('d.actor_type', '=', 'user')
          .on((eb) => eb(eb.cast('by.id', 'text'), '=', eb.ref('d.actor_id'))),
      )
      .leftJoin('scim_tokens as t', (join) =>
        join
          .on('d.actor_type', '=', 'scim_token')
          .on((eb) => eb(eb.cast('t.id', 'text'), '=', eb.ref('d.actor_id'))),
      )
      .selectAll('d')
      .select([
        'u.email as user_email',
        'u.display_name as user_display_name',
        'by.display_name as actor_user_name',
        't.name as actor_token_name',
      ])
      .where('d.org_id', '=', orgId)
      .where('d.requested_at', '>=', from)
      .where('d.requested_at', '<', to)
      .orderBy('d.requested_at')
      .orderBy('d.id')
      .execute()
  );
}

/**
 * Every version of the organization's lifecycle policy that set an SLA, oldest first: the SLA
 * in force for a request is that of the latest version changed at or before it.
 */
export async function slaHoursHistory(
  tx: Tx,
  orgId: string,
): Promise<{ at: Date; slaHours: number }[]> {
  const rows = await tx
    .selectFrom('security_policies')
    .select(['changed_at', 'settings'])
    .where('org_id', '=', orgId)
    .where('kind', '=', 'lifecycle')
    .orderBy('version')
    .execute();
  return rows.flatMap((row) => {
    const settings = typeof row.settings === 'string' ? JSON.parse(row.settings) : row.settings;
    const hours = (settings as { slaHours?: unknown } | null)?.slaHours;
    return typeof hours === 'number' ? [{ at: row.changed_at, slaHours: hours }] : [];
  });
}
