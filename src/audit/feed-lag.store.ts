import { sql } from 'kysely';
import type { Tx } from '../platform/index.ts';

/**
 * How many events come after (afterTx, afterSeq) in chain order, of one organization or of all,
 * counting at most `cap` (a reader far behind is told "at least cap" without a scan of the log).
 */
export async function countEventsAfter(
  tx: Tx,
  after: { tx: string; seq: string },
  orgId: string | null,
  cap: number,
): Promise<number> {
  const ofOrg = orgId === null ? sql`` : sql`AND e.org_id = ${orgId}`;
  const result = await sql<{ behind: string }>`
    SELECT count(*)::text AS behind FROM (
      SELECT 1 FROM audit_events e
      WHERE (e.tx, e.seq) > (${after.tx}::bigint, ${after.seq}::bigint) ${ofOrg}
      LIMIT ${cap}
    ) AS later`.execute(tx);
  return Number(result.rows[0]?.behind ?? 0);
}
