import { sql } from 'kysely';
import type { Tx } from '../../platform/index.ts';

/** Every key the installation holds: platform keys, the keyring's data keys, token signing keys. */
export async function keyRows(tx: Tx) {
  const platform = await tx.selectFrom('platform_keys').selectAll().orderBy('created_at').execute();
  const data = await tx.selectFrom('keyring_data_keys').selectAll().orderBy('id').execute();
  const signing = await tx
    .selectFrom('oidc_signing_keys')
    .selectAll()
    .orderBy('created_at')
    .execute();
  return { platform, data, signing };
}

/** The audit events of key creations and rotations in the period, of the platform and `orgId`. */
export async function keyEvents(
  tx: Tx,
  platformOrgId: string,
  orgId: string,
  period: { from: Date; to: Date },
) {
  const { rows } = await sql<{
    id: string;
    occurred_at: Date;
    action: string;
    actor_type: string;
    actor_id: string | null;
    target_id: string | null;
    details: string;
  }>`
    SELECT id, occurred_at, action, actor_type, actor_id, target_id, details FROM audit_events
    WHERE org_id IN (${platformOrgId}, ${orgId})
      AND occurred_at >= ${period.from} AND occurred_at < ${period.to}
      AND (action LIKE 'platform\\_key.%' OR action LIKE 'keyring.%'
        OR action LIKE 'oauth.signing\\_key.%' OR action = 'oauth.client.secret_rotated')
    ORDER BY occurred_at, id`.execute(tx);
  return rows;
}
