import { sql } from 'kysely';
import type { Tx } from '../../platform/index.ts';

/** The organization's events of the period, counted by action and outcome. */
export async function eventCountsByAction(tx: Tx, orgId: string, period: { from: Date; to: Date }) {
  const { rows } = await sql<{ action: string; outcome: string; events: string }>`
    SELECT action, outcome, count(*)::text AS events FROM audit_events
    WHERE org_id = ${orgId} AND occurred_at >= ${period.from} AND occurred_at < ${period.to}
    GROUP BY action, outcome ORDER BY action, outcome`.execute(tx);
  return rows;
}
