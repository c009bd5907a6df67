import { sql } from 'kysely';
import type { Tx } from '../platform/index.ts';
import { blockColumns, chainColumns } from './archive.store.ts';
import type { BlockRow, ChainEvent } from './store.ts';

/** Up to `size` sealed events of the organization in [from, to), drawn at random, chain order. */
export async function sampledEvents(
  tx: Tx,
  orgId: string,
  from: Date,
  to: Date,
  size: number,
): Promise<ChainEvent[]> {
  // Only sealed events: those at or before the end of the last block.
  const { rows } = await sql<ChainEvent>`
    SELECT ${chainColumns} FROM audit_events
    WHERE org_id = ${orgId} AND occurred_at >= ${from} AND occurred_at < ${to}
      AND (tx, seq) <= (SELECT last_tx, last_seq FROM audit_seal_blocks
                        ORDER BY block_no DESC LIMIT 1)
    ORDER BY random() LIMIT ${size}`.execute(tx);
  return rows.sort((a, b) =>
    BigInt(a.tx) === BigInt(b.tx)
      ? Number(BigInt(a.seq) - BigInt(b.seq))
      : BigInt(a.tx) < BigInt(b.tx)
        ? -1
        : 1,
  );
}

/** The blocks whose range holds one of the events. */
export async function blocksHolding(tx: Tx, events: ChainEvent[]): Promise<BlockRow[]> {
  if (events.length === 0) return [];
  const { rows } = await sql<BlockRow>`
    SELECT ${blockColumns} FROM audit_seal_blocks
    WHERE block_no IN (
      SELECT b.block_no FROM audit_seal_blocks b
      JOIN unnest(${events.map((e) => e.tx)}::bigint[], ${events.map((e) => e.seq)}::bigint[])
        AS s(tx, seq)
        ON (b.first_tx, b.first_seq) <= (s.tx, s.seq) AND (b.last_tx, b.last_seq) >= (s.tx, s.seq))
    ORDER BY block_no`.execute(tx);
  return rows;
}

/** The MACs of these events (a MAC reveals nothing of its event). */
export async function macsOf(tx: Tx, ids: string[]): Promise<{ id: string; mac: Uint8Array }[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<{ id: string; mac: Uint8Array }>`
    SELECT id, mac FROM audit_events WHERE id = ANY(${ids}::uuid[])`.execute(tx);
  return rows;
}
