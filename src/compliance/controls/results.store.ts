import { type Selectable, sql } from 'kysely';
import {
  type ControlResultsTable,
  type ControlStatus,
  newId,
  type Tx,
} from '../../platform/index.ts';
import type { CheckOutcome, ControlException } from './control.ts';

/**
 * The history of the live checks (migration 0024): one row per stretch of time over which a
 * control of an organization gave the same result. Rows are only inserted, or extended (their
 * last_seen_at moved) when a run finds the same result again.
 */
export interface StoredResult {
  id: string;
  orgId: string;
  controlId: string;
  status: ControlStatus;
  summary: string;
  exceptions: ControlException[];
  /** When a run first found this result. */
  firstSeenAt: Date;
  /** When a run last found it (the latest run, while it is the current result). */
  lastSeenAt: Date;
}

const stored = (r: Selectable<ControlResultsTable>): StoredResult => ({
  id: r.id,
  orgId: r.org_id,
  controlId: r.control_id,
  status: r.status,
  summary: r.summary,
  exceptions: r.exceptions as ControlException[],
  firstSeenAt: r.first_seen_at,
  lastSeenAt: r.last_seen_at,
});

/** Each control's result as of `at` (the newest that began at or before it); default now. */
export async function resultsAt(tx: Tx, orgId: string, at?: Date): Promise<StoredResult[]> {
  const rows = await sql<Selectable<ControlResultsTable>>`
    SELECT DISTINCT ON (control_id) *
    FROM control_results
    WHERE org_id = ${orgId} ${at ? sql`AND first_seen_at <= ${at}` : sql``}
    ORDER BY control_id, first_seen_at DESC, id DESC`.execute(tx);
  return rows.rows.map(stored);
}

/**
 * The results that held at some point in [from, to), oldest first, of one control or of all:
 * the posture over the period.
 */
export async function resultsBetween(
  tx: Tx,
  orgId: string,
  from: Date,
  to: Date,
  controlId?: string,
): Promise<StoredResult[]> {
  let query = tx
    .selectFrom('control_results')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('first_seen_at', '<', to)
    .where('last_seen_at', '>=', from);
  if (controlId) query = query.where('control_id', '=', controlId);
  const rows = await query.orderBy('control_id').orderBy('first_seen_at').orderBy('id').execute();
  return rows.map(stored);
}

/** JSON with every object's keys sorted: jsonb gives keys back in its own order, not ours. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );

const sameResult = (r: Selectable<ControlResultsTable>, o: CheckOutcome) =>
  r.status === o.status &&
  r.summary === o.summary &&
  canonical(r.exceptions) === canonical(o.exceptions);

/**
 * Records what a run found: extends the current row when the result is the same, otherwise
 * starts a new one. The current row is locked, so that two runs of the same organization (the
 * schedule and a "run now") record one after the other. Answers the status before this run
 * (null: never checked).
 */
export async function recordResult(
  tx: Tx,
  orgId: string,
  controlId: string,
  outcome: CheckOutcome,
  now: Date,
): Promise<{ previous: ControlStatus | null; changed: boolean }> {
  const current = await tx
    .selectFrom('control_results')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('control_id', '=', controlId)
    .orderBy('first_seen_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
  if (current && sameResult(current, outcome)) {
    if (now > current.last_seen_at)
      await tx
        .updateTable('control_results')
        .set({ last_seen_at: now })
        .where('id', '=', current.id)
        .execute();
    return { previous: current.status, changed: false };
  }
  await tx
    .insertInto('control_results')
    .values({
      id: newId(),
      org_id: orgId,
      control_id: controlId,
      status: outcome.status,
      summary: outcome.summary,
      exceptions: JSON.stringify(outcome.exceptions),
      first_seen_at: now,
      last_seen_at: now,
    })
    .execute();
  return { previous: current?.status ?? null, changed: true };
}
