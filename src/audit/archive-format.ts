/**
 * The files of one archived month (docs/audit.md#retention-and-archives):
 * `audit-YYYY-MM.jsonl.gz`, one event per line with every column its MAC covers and its place in
 * the chain, and `audit-YYYY-MM.manifest.json`, signed with the audit seal key like review
 * evidence: each line's SHA-256, the file's SHA-256, the seal blocks covering the month's events
 * (with the MACs of their other events), the chain hash before the first block (the anchor) and
 * the seal public keys, so that the whole month verifies offline.
 */
import { gzipSync } from 'node:zlib';
import {
  canonicalJson,
  ed25519PublicJwk,
  type LoadedPlatformKey,
  type PublicJwk,
  publicKeyFingerprint,
  sha256,
  signEd25519,
} from '../crypto/index.ts';
import type { EventContent } from './model.ts';
import type { BlockRow, ChainEvent } from './store.ts';
import { contentOfRow } from './verify.ts';

export const archiveFormat = 'vigil.audit-archive.v1';

export const archiveNames = (month: string) => ({
  events: `audit-${month}.jsonl.gz`,
  manifest: `audit-${month}.manifest.json`,
});

/** An archived event: the columns its MAC covers, its place in the chain, the MAC in hex. */
export interface ArchivedEvent extends EventContent {
  tx: string;
  seq: string;
  mac: string;
}

/** A seal block as the manifest carries it (hashes hex, signature base64url). */
export interface ArchivedBlock {
  blockNo: string;
  firstTx: string;
  firstSeq: string;
  lastTx: string;
  lastSeq: string;
  eventCount: number;
  eventIds: string[];
  prevHash: string;
  chainHash: string;
  keyId: string;
  signature: string;
  sealedAtMs: number;
}

export interface ArchiveManifest {
  format: typeof archiveFormat;
  /** YYYY-MM (UTC). */
  month: string;
  createdAt: string;
  file: { name: string; size: number; sha256: string };
  eventCount: number;
  /** Per line of the events file, in order: the event and the SHA-256 of its line. */
  events: { id: string; sha256: string }[];
  orgs: { orgId: string; events: number }[];
  /** The chain hash before the first block. */
  anchor: string;
  /** The chain hash of the last block. */
  lastChainHash: string;
  blocks: ArchivedBlock[];
  /** MACs of events of these blocks that belong to other months. */
  otherMacs: { id: string; mac: string }[];
  /** Every key that signed a block or this manifest. */
  keys: { id: string; fingerprint: string; publicKeyJwk: PublicJwk }[];
  signer: string;
}

export interface SignedManifest {
  manifest: ArchiveManifest;
  /** base64url Ed25519 signature over `canonicalJson(manifest)`. */
  signature: string;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

export function archivedEvent(e: ChainEvent): ArchivedEvent {
  // Key order is the line's: id, tx, seq, the rest of the content, the MAC.
  const { id, ...content } = contentOfRow(e);
  return { id, tx: String(e.tx), seq: String(e.seq), ...content, mac: hex(e.mac) };
}

/** The one serialization of an event line (keys in a fixed order). */
export function eventLine(e: ArchivedEvent): string {
  return JSON.stringify(archivedEvent(chainEventOf(e)));
}

/** Back to the stored row's shape (restore inserts it as it was). */
export function chainEventOf(e: ArchivedEvent): ChainEvent {
  return {
    id: e.id,
    tx: e.tx,
    seq: e.seq,
    org_id: e.orgId,
    occurred_ms: e.occurredAtMs,
    actor_type: e.actorType,
    actor_id: e.actorId,
    actor_ip: e.actorIp,
    actor_ua: e.actorUa,
    action: e.action,
    target_type: e.targetType,
    target_id: e.targetId,
    outcome: e.outcome as ChainEvent['outcome'],
    request_id: e.requestId,
    details: e.details,
    mac_key_id: e.macKeyId,
    mac: Buffer.from(e.mac, 'hex'),
  };
}

export function archivedBlock(b: BlockRow): ArchivedBlock {
  return {
    blockNo: String(b.block_no),
    firstTx: String(b.first_tx),
    firstSeq: String(b.first_seq),
    lastTx: String(b.last_tx),
    lastSeq: String(b.last_seq),
    eventCount: b.event_count,
    eventIds: b.event_ids,
    prevHash: hex(b.prev_hash),
    chainHash: hex(b.chain_hash),
    keyId: b.key_id,
    signature: Buffer.from(b.signature).toString('base64url'),
    sealedAtMs: b.sealed_at.getTime(),
  };
}

export function blockRowOf(b: ArchivedBlock): BlockRow {
  return {
    block_no: b.blockNo,
    first_tx: b.firstTx,
    first_seq: b.firstSeq,
    last_tx: b.lastTx,
    last_seq: b.lastSeq,
    event_count: b.eventCount,
    event_ids: b.eventIds,
    prev_hash: Buffer.from(b.prevHash, 'hex'),
    chain_hash: Buffer.from(b.chainHash, 'hex'),
    key_id: b.keyId,
    signature: Buffer.from(b.signature, 'base64url'),
    sealed_at: new Date(b.sealedAtMs),
  };
}

export interface ArchiveFiles {
  manifest: SignedManifest;
  /** The manifest file's bytes and the events file's bytes, as written. */
  manifestBytes: Buffer;
  eventsBytes: Buffer;
}

/** The manifest file's one serialization. */
export const serializeManifest = (signed: SignedManifest) =>
  Buffer.from(`${JSON.stringify(signed, null, 2)}\n`, 'utf8');

/**
 * Builds and signs a month's files. `events` are the month's rows in chain order, `blocks` the
 * blocks covering them, `otherMacs` the MACs of the blocks' events of other months.
 */
export function buildArchive(input: {
  month: string;
  createdAt: Date;
  events: ArchivedEvent[];
  blocks: ArchivedBlock[];
  otherMacs: Map<string, string>;
  blockKeys: LoadedPlatformKey[];
  signer: LoadedPlatformKey;
}): ArchiveFiles {
  const { signer } = input;
  if (!signer.privateKey || !signer.publicKey)
    throw new Error(
      `platform key ${signer.id} cannot sign archives (an Ed25519 seal key is needed)`,
    );
  const lines = input.events.map(eventLine);
  const eventsBytes = gzipSync(Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8'));
  const orgs = new Map<string, number>();
  for (const e of input.events) orgs.set(e.orgId, (orgs.get(e.orgId) ?? 0) + 1);
  const keys = new Map<string, LoadedPlatformKey>();
  for (const k of [...input.blockKeys, signer]) keys.set(k.id, k);
  const first = input.blocks[0];
  const last = input.blocks[input.blocks.length - 1];
  if (!first || !last) throw new Error(`audit month ${input.month} has no seal blocks`);
  const manifest: ArchiveManifest = {
    format: archiveFormat,
    month: input.month,
    createdAt: input.createdAt.toISOString(),
    file: {
      name: archiveNames(input.month).events,
      size: eventsBytes.length,
      sha256: hex(sha256(eventsBytes)),
    },
    eventCount: lines.length,
    events: input.events.map((e, i) => ({ id: e.id, sha256: hex(sha256(lines[i] ?? '')) })),
    orgs: [...orgs]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([orgId, n]) => ({ orgId, events: n })),
    anchor: first.prevHash,
    lastChainHash: last.chainHash,
    blocks: input.blocks,
    otherMacs: [...input.otherMacs].map(([id, mac]) => ({ id, mac })),
    keys: [...keys.values()].flatMap((k) =>
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
    signer: signer.id,
  };
  const signature = signEd25519(signer.privateKey, Buffer.from(canonicalJson(manifest)));
  const signed = { manifest, signature: signature.toString('base64url') };
  return { manifest: signed, manifestBytes: serializeManifest(signed), eventsBytes };
}
