import {
  constantTimeEqual,
  hmacSha256,
  type LoadedPlatformKey,
  type PlatformKeys,
} from '../crypto/index.ts';
import { type Database, withPlatform } from '../platform/index.ts';
import { canonicalEvent } from './model.ts';
import { blockSignatureValid, chainHash, genesisHash } from './sealer.ts';
import * as store from './store.ts';

export type FindingKind = 'altered' | 'deleted' | 'inserted' | 'block_missing' | 'block_altered';

export interface Finding {
  kind: FindingKind;
  /** The event concerned (for event findings). */
  eventId?: string;
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
  findings: Finding[];
}

interface Position {
  tx: bigint;
  seq: bigint;
}

function cmp(a: Position, b: Position): number {
  if (a.tx !== b.tx) return a.tx < b.tx ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

const pos = (tx: string, seq: string): Position => ({ tx: BigInt(tx), seq: BigInt(seq) });

/**
 * Checks the whole log: each event's MAC (altered or forged rows), each block's signature and
 * link to the previous block, and that every block's listed events are exactly the events in its
 * range (deleted or inserted rows). Reads in chain order, a page at a time.
 */
export async function verifyAuditLog(
  deps: { database: Database; keys: PlatformKeys },
  pageSize = 20_000,
): Promise<VerifyReport> {
  const findings: Finding[] = [];
  const macKeys = new Map<string, LoadedPlatformKey | null>();
  const keyFor = async (id: string) => {
    if (!macKeys.has(id)) macKeys.set(id, await deps.keys.byId(id).catch(() => null));
    return macKeys.get(id) ?? null;
  };

  return withPlatform(
    deps.database,
    async (tx) => {
      const blocks: store.BlockRow[] = [];
      for (let next = '1'; ; ) {
        const page = await store.blocksFrom(tx, next, 5000);
        blocks.push(...page);
        const last = page[page.length - 1];
        if (!last || page.length < 5000) break;
        next = (BigInt(last.block_no) + 1n).toString();
      }

      // Blocks: numbering, linkage and signatures.
      let prev: Uint8Array = genesisHash;
      let expectedNo = 1n;
      for (const b of blocks) {
        const no = BigInt(b.block_no);
        if (no !== expectedNo) {
          findings.push({
            kind: 'block_missing',
            block: `${expectedNo}..${no - 1n}`,
            message: `seal blocks ${expectedNo}..${no - 1n} are missing`,
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
      }

      // Events, in chain order, matched against the block whose range holds them.
      let blockIndex = 0;
      let inBlock: { id: string; mac: Uint8Array }[] = [];
      let events = 0;
      let pending = 0;
      const closeBlock = (b: store.BlockRow) => {
        const seen = new Set(inBlock.map((e) => e.id));
        const listed = new Set(b.event_ids);
        for (const id of b.event_ids) {
          if (!seen.has(id)) {
            findings.push({
              kind: 'deleted',
              eventId: id,
              block: b.block_no,
              message: `event ${id} was sealed in block ${b.block_no} but is gone`,
            });
          }
        }
        for (const e of inBlock) {
          if (!listed.has(e.id)) {
            findings.push({
              kind: 'inserted',
              eventId: e.id,
              block: b.block_no,
              message: `event ${e.id} sits in the range of block ${b.block_no} but was never sealed there`,
            });
          }
        }
        const ordered = inBlock.map((e) => e.id).join(',') === b.event_ids.join(',');
        if (
          ordered &&
          !constantTimeEqual(
            chainHash(
              b.prev_hash,
              inBlock.map((e) => e.mac),
            ),
            b.chain_hash,
          )
        ) {
          findings.push({
            kind: 'block_altered',
            block: b.block_no,
            message: `the chain hash of block ${b.block_no} does not match its events`,
          });
        }
        inBlock = [];
      };

      let after = { tx: '0', seq: '0' };
      for (;;) {
        const page = await store.eventsAfter(tx, after.tx, after.seq, pageSize);
        for (const row of page) {
          events++;
          const key = await keyFor(row.mac_key_id);
          const expected = key
            ? hmacSha256(
                key.secret,
                canonicalEvent({
                  id: row.id,
                  orgId: row.org_id,
                  occurredAtMs: row.occurred_at.getTime(),
                  actorType: row.actor_type,
                  actorId: row.actor_id,
                  actorIp: row.actor_ip,
                  actorUa: row.actor_ua,
                  action: row.action,
                  targetType: row.target_type,
                  targetId: row.target_id,
                  outcome: row.outcome,
                  requestId: row.request_id,
                  details: row.details,
                  macKeyId: row.mac_key_id,
                }),
              )
            : undefined;
          if (!expected || !constantTimeEqual(expected, row.mac)) {
            findings.push({
              kind: 'altered',
              eventId: row.id,
              message: `event ${row.id} (${row.action}) does not match its MAC: changed or forged`,
            });
          }
          const p = pos(row.tx, row.seq);
          for (;;) {
            const b = blocks[blockIndex];
            if (!b || cmp(p, pos(b.last_tx, b.last_seq)) <= 0) break;
            closeBlock(b);
            blockIndex++;
          }
          const b = blocks[blockIndex];
          if (b && cmp(p, pos(b.first_tx, b.first_seq)) >= 0) {
            inBlock.push({ id: row.id, mac: row.mac });
          } else if (b) {
            findings.push({
              kind: 'inserted',
              eventId: row.id,
              message: `event ${row.id} (${row.action}) lies between seal blocks: never sealed`,
            });
          } else {
            // After the chain's end: written since the last seal (`vigil audit verify` seals
            // everything finished first, so these belong to transactions still running).
            pending++;
          }
        }
        const last = page[page.length - 1];
        if (!last || page.length < pageSize) break;
        after = { tx: last.tx, seq: last.seq };
      }
      for (; blockIndex < blocks.length; blockIndex++) {
        const b = blocks[blockIndex];
        if (b) closeBlock(b);
      }
      return { ok: findings.length === 0, events, blocks: blocks.length, pending, findings };
    },
    'repeatable read',
  );
}
