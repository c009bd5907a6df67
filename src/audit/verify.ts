import { constantTimeEqual, type LoadedPlatformKey, type PlatformKeys } from '../crypto/index.ts';
import { type Database, withPlatform } from '../platform/index.ts';
import { monthsOut } from './archive.store.ts';
import { monthOfId } from './archive-months.ts';
import { canonicalEvent, type EventContent } from './model.ts';
import { blockSignatureValid, chainHash, genesisHash } from './sealer.ts';
import * as store from './store.ts';

export type FindingKind = 'altered' | 'deleted' | 'inserted' | 'block_missing' | 'block_altered';

export interface Finding {
  kind: FindingKind;
  /** The event concerned (for event findings). */
  eventId?: string;
  /** The organization whose log holds that event (unknown for a deleted one). */
  orgId?: string;
  /** The seal block concerned. */
  block?: string;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  events: number;
  blocks: number;
  /** Events written after the last seal whose transactions may still be running. */
  pending: number;
  /** When the newest seal block was signed (null before the first). */
  lastSealedAt: Date | null;
  /**
   * Sealed events of archived months, out of the database (their partitions dropped): their
   * blocks' signatures and links are checked here, their rows by `verify --archive`.
   */
  archived: number;
  findings: Finding[];
}

/** A block with its chain range parsed once: (tx, seq) of its first and last events. */
interface Range {
  block: store.BlockRow;
  firstTx: bigint;
  firstSeq: bigint;
  lastTx: bigint;
  lastSeq: bigint;
  seen: { id: string; orgId: string; mac: Uint8Array }[];
}

const before = (tx: bigint, seq: bigint, rTx: bigint, rSeq: bigint) =>
  tx < rTx || (tx === rTx && seq < rSeq);

/**
 * The seal blocks in chain order, read a page at a time as the events reach them (never all at
 * once: a long log has tens of thousands), each checked as it is read: numbering, link to the
 * block before it, and signature.
 */
function blockReader(
  tx: Parameters<typeof store.blocksFrom>[0],
  keyFor: (id: string) => Promise<LoadedPlatformKey | null>,
  findings: Finding[],
  pageSize = 2000,
) {
  let page: store.BlockRow[] = [];
  let index = 0;
  let exhausted = false;
  let prev: Uint8Array = genesisHash;
  let expectedNo = 1n;
  const read = { count: 0, lastSealedAt: null as Date | null };

  async function check(b: store.BlockRow): Promise<void> {
    const no = BigInt(b.block_no);
    if (no !== expectedNo) {
      const range = `${expectedNo}..${no - 1n}`;
      findings.push({
        kind: 'block_missing',
        block: range,
        message: `seal blocks ${range} are missing`,
      });
    }
    expectedNo = no + 1n;
    if (!constantTimeEqual(b.prev_hash, prev)) {
      findings.push({
        kind: 'block_altered',
        block: b.block_no,
        message: `seal block ${b.block_no} does not link to the block before it`,
      });
    }
    const key = await keyFor(b.key_id);
    if (!key || !blockSignatureValid(key, b)) {
      findings.push({
        kind: 'block_altered',
        block: b.block_no,
        message: `seal block ${b.block_no} has an invalid signature`,
      });
    }
    prev = b.chain_hash;
    read.count++;
    read.lastSealedAt = b.sealed_at;
  }

  /** The next block as a range to fill with the events found in it; undefined after the last. */
  async function next(): Promise<Range | undefined> {
    if (index === page.length) {
      if (exhausted) return undefined;
      page = await store.blocksFrom(tx, expectedNo.toString(), pageSize);
      index = 0;
      exhausted = page.length < pageSize;
      if (page.length === 0) return undefined;
    }
    const block = page[index++] as store.BlockRow;
    await check(block);
    return {
      block,
      firstTx: BigInt(block.first_tx),
      firstSeq: BigInt(block.first_seq),
      lastTx: BigInt(block.last_tx),
      lastSeq: BigInt(block.last_seq),
      seen: [],
    };
  }
  return { next, read };
}

/**
 * The events found in a block's range against the ones it sealed. An event of a month whose
 * partition was dropped after archiving is not missing: `archived` counts it.
 */
function closeRange(
  r: Range,
  findings: Finding[],
  out: Set<string>,
  archived: { count: number },
): void {
  const b = r.block;
  const seen = new Set(r.seen.map((e) => e.id));
  const listed = new Set(b.event_ids);
  for (const id of b.event_ids) {
    if (!seen.has(id) && out.has(monthOfId(id))) archived.count++;
    else if (!seen.has(id)) {
      findings.push({
        kind: 'deleted',
        eventId: id,
        block: b.block_no,
        message: `event ${id} was sealed in block ${b.block_no} but is gone`,
      });
    }
  }
  for (const e of r.seen) {
    if (!listed.has(e.id)) {
      findings.push({
        kind: 'inserted',
        eventId: e.id,
        orgId: e.orgId,
        block: b.block_no,
        message: `event ${e.id} sits in the range of block ${b.block_no} but was never sealed there`,
      });
    }
  }
  const sameList =
    r.seen.length === b.event_ids.length && r.seen.every((e, i) => e.id === b.event_ids[i]);
  const chain = chainHash(
    b.prev_hash,
    r.seen.map((e) => e.mac),
  );
  if (sameList && !constantTimeEqual(chain, b.chain_hash)) {
    findings.push({
      kind: 'block_altered',
      block: b.block_no,
      message: `the chain hash of block ${b.block_no} does not match its events`,
    });
  }
  r.seen = [];
}

/** The columns of a stored row that its MAC covers (verification and archives read rows so). */
export function contentOfRow(e: store.ChainEvent): EventContent {
  return {
    id: e.id,
    orgId: e.org_id,
    occurredAtMs: e.occurred_ms,
    actorType: e.actor_type,
    actorId: e.actor_id,
    actorIp: e.actor_ip,
    actorUa: e.actor_ua,
    action: e.action,
    targetType: e.target_type,
    targetId: e.target_id,
    outcome: e.outcome,
    requestId: e.request_id,
    details: e.details,
    macKeyId: e.mac_key_id,
  };
}

function macMatches(key: LoadedPlatformKey | null, e: store.ChainEvent): boolean {
  if (!key?.mac) return false;
  return constantTimeEqual(key.mac(canonicalEvent(contentOfRow(e))), e.mac);
}

/**
 * Checks the whole log: each event's MAC (altered or forged rows), each block's signature and
 * link to the previous block, and that every block's listed events are exactly the events in its
 * range (deleted or inserted rows). Reads in chain order, a page at a time, fetching the next page
 * while it checks the current one.
 */
export async function verifyAuditLog(
  deps: { database: Database; keys: PlatformKeys },
  pageSize = 20_000,
): Promise<VerifyReport> {
  const findings: Finding[] = [];
  const keys = new Map<string, LoadedPlatformKey | null>();
  const keyFor = async (id: string) => {
    if (!keys.has(id)) keys.set(id, await deps.keys.byId(id).catch(() => null));
    return keys.get(id) ?? null;
  };

  return withPlatform(
    deps.database,
    async (tx) => {
      const blocks = blockReader(tx, keyFor, findings);
      const out = await monthsOut(tx);
      const archived = { count: 0 };
      let r = await blocks.next();
      let events = 0;
      let pending = 0;
      let next = store.eventsAfter(tx, '0', '0', pageSize);
      for (;;) {
        const page = await next;
        const last = page[page.length - 1];
        const more = last !== undefined && page.length === pageSize;
        if (more) next = store.eventsAfter(tx, last.tx, last.seq, pageSize);
        for (const e of page) {
          events++;
          const key = keys.has(e.mac_key_id)
            ? (keys.get(e.mac_key_id) ?? null)
            : await keyFor(e.mac_key_id);
          if (!macMatches(key, e)) {
            findings.push({
              kind: 'altered',
              eventId: e.id,
              orgId: e.org_id,
              message: `event ${e.id} (${e.action}) does not match its MAC: changed or forged`,
            });
          }
          const eTx = BigInt(e.tx);
          const eSeq = BigInt(e.seq);
          while (r && before(r.lastTx, r.lastSeq, eTx, eSeq)) {
            closeRange(r, findings, out, archived);
            r = await blocks.next();
          }
          if (r && !before(eTx, eSeq, r.firstTx, r.firstSeq)) {
            r.seen.push({ id: e.id, orgId: e.org_id, mac: e.mac });
          } else if (r) {
            findings.push({
              kind: 'inserted',
              eventId: e.id,
              orgId: e.org_id,
              message: `event ${e.id} (${e.action}) lies between seal blocks: never sealed`,
            });
          } else {
            // After the chain's end: written since the last seal (`vigil audit verify` seals
            // everything finished first, so these belong to transactions still running).
            pending++;
          }
        }
        if (!more) break;
      }
      for (; r; r = await blocks.next()) closeRange(r, findings, out, archived);
      const { count, lastSealedAt } = blocks.read;
      const ok = findings.length === 0;
      const report = { ok, events, blocks: count, pending, lastSealedAt, findings };
      return { ...report, archived: archived.count };
    },
    'repeatable read',
  );
}
