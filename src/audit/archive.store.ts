import { sql } from 'kysely';
import type { Tx } from '../platform/index.ts';
import type { BlockRow, ChainEvent } from './store.ts';

export type AuditArchiveStatus = 'archived' | 'dropped' | 'restored' | 'purged';

/** Months are 'YYYY-MM' (UTC) in code and the first day of the month in the database. */
const day = (month: string) => `${month}-01`;

export async function ensurePartitions(tx: Tx, first: string, months: number): Promise<number> {
  const { rows } = await sql<{ created: number }>`
    SELECT vigil_audit_ensure_partitions(${day(first)}::date, ${months}::integer) AS created`.execute(
    tx,
  );
  return Number(rows[0]?.created ?? 0);
}

/** Months with events before `before` (a month's first instant), oldest first. */
export async function monthsWithEvents(
  tx: Tx,
  before: Date,
): Promise<{ month: string; events: number }[]> {
  const { rows } = await sql<{ month: string; events: string }>`
    SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, count(*)::text AS events
    FROM audit_events WHERE occurred_at < ${before}
    GROUP BY 1 ORDER BY 1`.execute(tx);
  return rows.map((r) => ({ month: r.month, events: Number(r.events) }));
}

export const chainColumns = sql`id, tx::text AS tx, seq::text AS seq, org_id,
  (extract(epoch FROM occurred_at) * 1000)::float8 AS occurred_ms, actor_type, actor_id, actor_ip,
  actor_ua, action, target_type, target_id, outcome, request_id, details, mac_key_id, mac`;

/** A month's events in chain order. */
export async function monthEvents(tx: Tx, from: Date, to: Date): Promise<ChainEvent[]> {
  const { rows } = await sql<ChainEvent>`
    SELECT ${chainColumns} FROM audit_events
    WHERE occurred_at >= ${from} AND occurred_at < ${to}
    ORDER BY audit_events.tx, audit_events.seq`.execute(tx);
  return rows;
}

export const blockColumns = sql`block_no::text AS block_no, first_tx::text AS first_tx,
  first_seq::text AS first_seq, last_tx::text AS last_tx, last_seq::text AS last_seq,
  event_count, event_ids, prev_hash, chain_hash, key_id, signature, sealed_at`;

/** Blocks whose chain range meets [first, last] (positions as tx and seq). */
export async function blocksCovering(
  tx: Tx,
  first: { tx: string; seq: string },
  last: { tx: string; seq: string },
): Promise<BlockRow[]> {
  const { rows } = await sql<BlockRow>`
    SELECT ${blockColumns} FROM audit_seal_blocks
    WHERE (last_tx, last_seq) >= (${first.tx}::bigint, ${first.seq}::bigint)
      AND (first_tx, first_seq) <= (${last.tx}::bigint, ${last.seq}::bigint)
    ORDER BY block_no`.execute(tx);
  return rows;
}

export async function blockByNo(tx: Tx, blockNo: string): Promise<BlockRow | undefined> {
  const { rows } = await sql<BlockRow>`
    SELECT ${blockColumns} FROM audit_seal_blocks WHERE block_no = ${blockNo}::bigint`.execute(tx);
  return rows[0];
}

export async function macsOf(tx: Tx, ids: string[]): Promise<Map<string, Uint8Array>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql<{ id: string; mac: Uint8Array }>`
    SELECT id, mac FROM audit_events WHERE id = ANY(${ids}::uuid[])`.execute(tx);
  return new Map(rows.map((r) => [r.id, r.mac]));
}

export interface ArchiveRow {
  month: string;
  status: AuditArchiveStatus;
  location: string;
  sha256: string;
  manifest_sha256: string;
  event_count: number;
  org_ids: string[];
  org_event_counts: number[];
  first_block: string | null;
  last_block: string | null;
  last_chain_hash: Uint8Array | null;
  archived_at: Date;
  dropped_at: Date | null;
  restored_at: Date | null;
  purged_at: Date | null;
}

const archiveColumns = sql`to_char(month, 'YYYY-MM') AS month, status, location, sha256,
  manifest_sha256, event_count, org_ids, org_event_counts, first_block::text AS first_block,
  last_block::text AS last_block, last_chain_hash, archived_at, dropped_at, restored_at, purged_at`;

export async function archives(tx: Tx): Promise<ArchiveRow[]> {
  const { rows } = await sql<ArchiveRow>`
    SELECT ${archiveColumns} FROM audit_archives ORDER BY audit_archives.month`.execute(tx);
  return rows;
}

export async function archiveOf(
  tx: Tx,
  month: string,
  lock = false,
): Promise<ArchiveRow | undefined> {
  const { rows } = await sql<ArchiveRow>`
    SELECT ${archiveColumns} FROM audit_archives WHERE month = ${day(month)}::date
    ${lock ? sql`FOR UPDATE` : sql``}`.execute(tx);
  return rows[0];
}

export async function insertArchive(
  tx: Tx,
  row: Omit<ArchiveRow, 'dropped_at' | 'restored_at' | 'purged_at'>,
): Promise<void> {
  await sql`
    INSERT INTO audit_archives (month, status, location, sha256, manifest_sha256, event_count,
      org_ids, org_event_counts, first_block, last_block, last_chain_hash, archived_at)
    VALUES (${day(row.month)}::date, ${row.status}, ${row.location}, ${row.sha256},
      ${row.manifest_sha256}, ${row.event_count}, ${row.org_ids}::uuid[],
      ${row.org_event_counts}::integer[], ${row.first_block}::bigint, ${row.last_block}::bigint,
      ${row.last_chain_hash}, ${row.archived_at})`.execute(tx);
}

/** Moves a month's archive to `status`, stamping when. */
export async function markArchive(
  tx: Tx,
  month: string,
  status: Exclude<AuditArchiveStatus, 'archived'>,
  at: Date,
): Promise<void> {
  const stamp = {
    dropped: sql`dropped_at`,
    restored: sql`restored_at`,
    purged: sql`purged_at`,
  }[status];
  await sql`UPDATE audit_archives SET status = ${status}, ${stamp} = ${at}
    WHERE month = ${day(month)}::date`.execute(tx);
}

/** Drops the month's partition (the owner function checks its archive's event count first). */
export async function dropMonth(tx: Tx, month: string): Promise<number> {
  const { rows } = await sql<{ dropped: string }>`
    SELECT vigil_audit_drop_month(${day(month)}::date)::text AS dropped`.execute(tx);
  return Number(rows[0]?.dropped ?? 0);
}

/** Re-creates a month's partition (false: it exists). */
export async function createMonth(tx: Tx, month: string): Promise<boolean> {
  const { rows } = await sql<{ created: boolean }>`
    SELECT vigil_audit_month_partition(${day(month)}::date) AS created`.execute(tx);
  return rows[0]?.created === true;
}

/** Inserts archived rows exactly as they were: same tx, seq and MAC. */
export async function insertRestored(tx: Tx, events: ChainEvent[]): Promise<void> {
  const col = <T>(pick: (e: ChainEvent) => T) => events.map(pick);
  await sql`
    INSERT INTO audit_events (id, seq, tx, org_id, occurred_at, actor_type, actor_id, actor_ip,
      actor_ua, action, target_type, target_id, outcome, request_id, details, mac_key_id, mac)
    OVERRIDING SYSTEM VALUE
    SELECT id, seq, tx, org_id, occurred_at, actor_type, actor_id, actor_ip, actor_ua, action,
      target_type, target_id, outcome, request_id, details, mac_key_id, decode(mac, 'hex')
    FROM unnest(${col((e) => e.id)}::uuid[], ${col((e) => e.seq)}::bigint[],
      ${col((e) => e.tx)}::bigint[], ${col((e) => e.org_id)}::uuid[],
      ${col((e) => new Date(e.occurred_ms).toISOString())}::timestamptz[],
      ${col((e) => e.actor_type)}::text[], ${col((e) => e.actor_id)}::text[],
      ${col((e) => e.actor_ip)}::text[], ${col((e) => e.actor_ua)}::text[],
      ${col((e) => e.action)}::text[], ${col((e) => e.target_type)}::text[],
      ${col((e) => e.target_id)}::text[], ${col((e) => e.outcome)}::text[],
      ${col((e) => e.request_id)}::text[], ${col((e) => e.details)}::text[],
      ${col((e) => e.mac_key_id)}::uuid[], ${col((e) => Buffer.from(e.mac).toString('hex'))}::text[])
      AS t(id, seq, tx, org_id, occurred_at, actor_type, actor_id, actor_ip, actor_ua, action,
        target_type, target_id, outcome, request_id, details, mac_key_id, mac)`.execute(tx);
}

/** Months whose events are out of the database (dropped or purged), as 'YYYY-MM'. */
export async function monthsOut(tx: Tx): Promise<Set<string>> {
  const { rows } = await sql<{ month: string }>`
    SELECT to_char(month, 'YYYY-MM') AS month FROM audit_archives
    WHERE status IN ('dropped', 'purged')`.execute(tx);
  return new Set(rows.map((r) => r.month));
}
