/**
 * A random sample of an organization's audit events with what proves each one offline: the seal
 * blocks holding them, the MACs of the blocks' other events, and the seal public keys. Anyone can
 * recompute a block's chain hash from its previous hash and the MACs of its events (sealer.ts
 * `chainHash`), and check the block's signature: a sampled line whose MAC changed breaks both.
 */
import {
  ed25519PublicJwk,
  type PlatformKeys,
  type PublicJwk,
  publicKeyFingerprint,
} from '../crypto/index.ts';
import type { Tx } from '../platform/index.ts';
import { type ArchivedBlock, archivedBlock, archivedEvent, eventLine } from './archive-format.ts';
import { blocksHolding, macsOf, sampledEvents } from './sample-proof.store.ts';
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
  const macs = await macsOf(tx, others);
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
