/**
 * A random sample of an organization's audit events with what proves each one offline: the seal
 * blocks holding them, the MACs of the blocks' other events, and the seal public keys. Anyone can
 * recompute a block's chain hash from its previous hash and the MACs of its events (sealer.ts
 * `chainHash`), and check the block's signature: a sampled line whose MAC changed breaks both.
 */
import { sql } from 'kysely';
import {
  ed25519PublicJwk,
  type PlatformKeys,
  type PublicJwk,
  publicKeyFingerprint,
} from '../crypto/index.ts';
import type { Tx } from '../platform/index.ts';
import { blockColumns, chainColumns } from './archive.store.ts';
import { type ArchivedBlock, archivedBlock, archivedEvent, eventLine } from './archive-format.ts';
import type { BlockRow, ChainEvent } from './store.ts';

export interface SampleProofs {
  blocks: ArchivedBlock[];
  /** MACs (hex) of the blocks' events that are not in the sample. */
  otherMacs: { id: string; mac: string }[];
  /** Every key that signed one of the blocks. */
  keys: { id: string; fingerprint: string; publicKeyJwk: PublicJwk }[];
}

export interface AuditSample {
  /** One event per line in the archive's form (audit/sample.jsonl), in chain order. */
  lines: string[];
  proofs: SampleProofs;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Up to `size` sealed events of the organization in [from, to), drawn at random, chain order. */
async function sampledEvents(
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
async function blocksHolding(tx: Tx, events: ChainEvent[]): Promise<BlockRow[]> {
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

/** The sample and what proves it, as read in one platform snapshot. */
export interface SampleRows {
  events: ChainEvent[];
  blocks: BlockRow[];
  macs: { id: string; mac: Uint8Array }[];
}

/**
 * Draws the sample and reads its proofs, in the caller's platform transaction (one snapshot):
 * the blocks hold other organizations' events, of which only the MACs are read (a MAC reveals
 * nothing of its event). Seal pending events first, so that the period's latest can be drawn.
 */
export async function readSample(
  tx: Tx,
  query: { orgId: string; from: Date; to: Date; size: number },
): Promise<SampleRows> {
  const events = await sampledEvents(tx, query.orgId, query.from, query.to, query.size);
  const blocks = await blocksHolding(tx, events);
  const sampled = new Set(events.map((e) => e.id));
  const others = blocks.flatMap((b) => b.event_ids).filter((id) => !sampled.has(id));
  const macs =
    others.length === 0
      ? []
      : (
          await sql<{ id: string; mac: Uint8Array }>`
            SELECT id, mac FROM audit_events WHERE id = ANY(${others}::uuid[])`.execute(tx)
        ).rows;
  return { events, blocks, macs };
}

/** The sample's lines and proofs, with the public keys of the blocks' signers. */
export async function auditSampleOf(
  rows: SampleRows,
  keys: Pick<PlatformKeys, 'byId'>,
): Promise<AuditSample> {
  const { events, blocks, macs } = rows;
  const macById = new Map(macs.map((m) => [m.id, hex(m.mac)]));
  const signers = await Promise.all(
    [...new Set(blocks.map((b) => b.key_id))].map((id) => keys.byId(id)),
  );
  const sampled = new Set(events.map((e) => e.id));
  return {
    lines: events.map((e) => eventLine(archivedEvent(e))),
    proofs: {
      blocks: blocks.map(archivedBlock),
      // In the blocks' order, so the file reads as the chain does.
      otherMacs: blocks
        .flatMap((b) => b.event_ids)
        .filter((id) => !sampled.has(id) && macById.has(id))
        .map((id) => ({ id, mac: macById.get(id) ?? '' })),
      keys: signers.flatMap((k) =>
        k.publicKey
          ? [
              {
                id: k.id,
                fingerprint: publicKeyFingerprint(k.publicKey),
                publicKeyJwk: ed25519PublicJwk(k.publicKey),
              },
            ]
          : [],
      ),
    },
  };
}
