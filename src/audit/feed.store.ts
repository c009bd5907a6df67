import { sql } from 'kysely';
import type { Tx } from '../platform/index.ts';
import type { StoredEvent } from './store.ts';

/** A row of the feed: the event and its place in chain order. */
export type FeedRow = StoredEvent & { tx: string; seq: string };

/**
 * Finished events after (afterTx, afterSeq) in chain order, at most `limit`, and the snapshot's
 * horizon: below it no transaction is still running (the sealer's rule, docs/audit.md), so no
 * event can later appear before the rows returned. Rows and horizon come from one statement,
 * hence one snapshot.
 */
export async function finishedEventsAfter(
  tx: Tx,
  afterTx: string,
  afterSeq: string,
  limit: number,
): Promise<{ rows: FeedRow[]; horizon: string }> {
  const result = await sql<FeedRow & { horizon: string }>`
    WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon)
    SELECT e.id, e.tx::text AS tx, e.seq::text AS seq, e.org_id, e.occurred_at, e.actor_type,
           e.actor_id, e.actor_ip, e.actor_ua, e.action, e.target_type, e.target_id, e.outcome,
           e.request_id, e.details, e.mac_key_id, e.mac, h.horizon::text AS horizon
    FROM h LEFT JOIN LATERAL (
      SELECT * FROM audit_events
      WHERE (audit_events.tx, audit_events.seq) > (${afterTx}::bigint, ${afterSeq}::bigint)
        AND audit_events.tx < h.horizon
      ORDER BY audit_events.tx, audit_events.seq
      LIMIT ${limit}
    ) e ON true`.execute(tx);
  const horizon = result.rows[0]?.horizon ?? afterTx;
  const rows = result.rows.filter((r) => r.id !== null);
  return { rows, horizon };
}

export interface CursorRow {
  position_tx: string;
  position_seq: string;
  runner: string | null;
}

/** A feed reader's cursor, locked for this transaction; null before its first round. */
export async function lockCursor(tx: Tx, name: string): Promise<CursorRow | null> {
  const result = await sql<CursorRow>`
    SELECT position_tx::text AS position_tx, position_seq::text AS position_seq, runner
    FROM audit_feed_cursors WHERE name = ${name} FOR UPDATE`.execute(tx);
  return result.rows[0] ?? null;
}

export async function saveCursor(
  tx: Tx,
  name: string,
  position: { tx: string; seq: string },
  runner: string,
  at: Date,
): Promise<void> {
  await sql`
    INSERT INTO audit_feed_cursors (name, position_tx, position_seq, runner, updated_at)
    VALUES (${name}, ${position.tx}::bigint, ${position.seq}::bigint, ${runner}, ${at})
    ON CONFLICT (name) DO UPDATE SET position_tx = excluded.position_tx,
      position_seq = excluded.position_seq, runner = excluded.runner,
      updated_at = excluded.updated_at`.execute(tx);
}

/** The last finished event's place in chain order (null for an empty log), in one snapshot. */
export async function lastFinishedEvent(tx: Tx): Promise<{ tx: string; seq: string } | null> {
  const result = await sql<{ tx: string; seq: string }>`
    WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon)
    SELECT e.tx::text AS tx, e.seq::text AS seq FROM audit_events e, h
    WHERE e.tx < h.horizon ORDER BY e.tx DESC, e.seq DESC LIMIT 1`.execute(tx);
  return result.rows[0] ?? null;
}

/**
 * Events of these actions that occurred at or after `since`, after `after` and up to `upTo`
 * in chain order, at most `limit`, in chain order (a feed reader's warm-up of what it keeps in
 * memory).
 */
export async function recentEventsOf(
  tx: Tx,
  options: {
    actions: readonly string[];
    since: Date;
    after: { tx: string; seq: string };
    upTo: { tx: string; seq: string };
    limit: number;
  },
): Promise<FeedRow[]> {
  const { actions, since, after, upTo, limit } = options;
  const result = await sql<FeedRow>`
    SELECT e.id, e.tx::text AS tx, e.seq::text AS seq, e.org_id, e.occurred_at, e.actor_type,
           e.actor_id, e.actor_ip, e.actor_ua, e.action, e.target_type, e.target_id, e.outcome,
           e.request_id, e.details, e.mac_key_id, e.mac
    FROM audit_events e
    WHERE e.occurred_at >= ${since} AND e.action = ANY(${[...actions]}::text[])
      AND (e.tx, e.seq) > (${after.tx}::bigint, ${after.seq}::bigint)
      AND (e.tx, e.seq) <= (${upTo.tx}::bigint, ${upTo.seq}::bigint)
    ORDER BY e.tx, e.seq
    LIMIT ${limit}`.execute(tx);
  return result.rows;
}

/** These events (those that exist), in chain order. */
export async function eventsById(tx: Tx, ids: readonly string[]): Promise<FeedRow[]> {
  if (ids.length === 0) return [];
  const result = await sql<FeedRow>`
    SELECT e.id, e.tx::text AS tx, e.seq::text AS seq, e.org_id, e.occurred_at, e.actor_type,
           e.actor_id, e.actor_ip, e.actor_ua, e.action, e.target_type, e.target_id, e.outcome,
           e.request_id, e.details, e.mac_key_id, e.mac
    FROM audit_events e WHERE e.id = ANY(${[...ids]}::uuid[])
    ORDER BY e.tx, e.seq`.execute(tx);
  return result.rows;
}
