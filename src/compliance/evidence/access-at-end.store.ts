import { sql } from 'kysely';
import type { Tx } from '../../platform/index.ts';

/** The organization's events of these actions at or after `to`, newest first. */
export async function laterAccessEvents(
  tx: Tx,
  orgId: string,
  to: Date,
  actions: readonly string[],
) {
  const { rows } = await sql<{ action: string; target_id: string | null; details: string }>`
    SELECT action, target_id, details FROM audit_events
    WHERE org_id = ${orgId} AND occurred_at >= ${to} AND action = ANY(${actions}::text[])
    ORDER BY occurred_at DESC, tx DESC, seq DESC`.execute(tx);
  return rows;
}

/** Which of these second factors were enrolled (confirmed) before `to`. */
export async function factorsEnrolledBefore(
  tx: Tx,
  orgId: string,
  to: Date,
  factorIds: readonly string[],
) {
  const { rows } = await sql<{ id: string }>`
    SELECT DISTINCT (details::jsonb)->>'factorId' AS id FROM audit_events
    WHERE org_id = ${orgId} AND occurred_at < ${to} AND action = 'mfa.factor.enrolled'
      AND (details::jsonb)->>'factorId' = ANY(${factorIds}::text[])`.execute(tx);
  return rows;
}
