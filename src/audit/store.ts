import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import {
  type AuditEventsTable,
  type AuditSealBlocksTable,
  precompiled,
  type Tx,
} from '../platform/index.ts';
import type { AuditFilter, EventContent } from './model.ts';

export interface SealedContent {
  content: EventContent;
  mac: Uint8Array;
}

const insert = precompiled(
  [
    'id',
    'orgId',
    'occurredAt',
    'actorType',
    'actorId',
    'actorIp',
    'actorUa',
    'action',
    'targetType',
    'targetId',
    'outcome',
    'requestId',
    'details',
    'macKeyId',
    'mac',
  ],
  // A raw statement, which Kysely compiles against the database it is given.
  (db, p) => ({
    compile: () =>
      sql`
    INSERT INTO audit_events (id, org_id, occurred_at, actor_type, actor_id, actor_ip, actor_ua,
      action, target_type, target_id, outcome, request_id, details, mac_key_id, mac)
    SELECT id, org_id, occurred_at, actor_type, actor_id, actor_ip, actor_ua, action, target_type,
      target_id, outcome, request_id, details, mac_key_id, decode(mac, 'hex')
    FROM unnest(${p.id}::uuid[], ${p.orgId}::uuid[], ${p.occurredAt}::timestamptz[],
      ${p.actorType}::text[], ${p.actorId}::text[], ${p.actorIp}::text[], ${p.actorUa}::text[],
      ${p.action}::text[], ${p.targetType}::text[], ${p.targetId}::text[], ${p.outcome}::text[],
      ${p.requestId}::text[], ${p.details}::text[], ${p.macKeyId}::uuid[], ${p.mac}::text[])
      AS t(id, org_id, occurred_at, actor_type, actor_id, actor_ip, actor_ua, action, target_type,
        target_id, outcome, request_id, details, mac_key_id, mac)`.compile(db),
  }),
);

/**
 * One INSERT for any number of events: the rows travel as one array per column through
 * `unnest`, so the statement has 15 parameters whatever the batch size (cheap to parse and plan,
 * and compiled once). Row order is kept, so `seq` follows the order of `events`.
 */
export async function insertEvents(tx: Tx, events: SealedContent[]): Promise<void> {
  const column = <T>(pick: (e: EventContent) => T) => events.map((e) => pick(e.content));
  await insert(tx, {
    id: column((e) => e.id),
    orgId: column((e) => e.orgId),
    occurredAt: column((e) => new Date(e.occurredAtMs).toISOString()),
    actorType: column((e) => e.actorType),
    actorId: column((e) => e.actorId),
    actorIp: column((e) => e.actorIp),
    actorUa: column((e) => e.actorUa),
    action: column((e) => e.action),
    targetType: column((e) => e.targetType),
    targetId: column((e) => e.targetId),
    outcome: column((e) => e.outcome),
    requestId: column((e) => e.requestId),
    details: column((e) => e.details),
    macKeyId: column((e) => e.macKeyId),
    mac: events.map((e) => Buffer.from(e.mac).toString('hex')),
  });
}

/** An event row as queries return it. */
export type StoredEvent = Selectable<AuditEventsTable>;

export interface EventFilter extends AuditFilter {
  /** Keyset position: events strictly before (occurred_at, id). */
  before?: { at: Date; id: string };
  /** Keyset position for ascending reads: events strictly after (occurred_at, id). */
  after?: { at: Date; id: string };
  order: 'asc' | 'desc';
  limit: number;
}

export function queryEvents(tx: Tx, f: EventFilter): Promise<StoredEvent[]> {
  let q = tx.selectFrom('audit_events').selectAll();
  if (f.orgId) q = q.where('org_id', '=', f.orgId);
  if (f.actorId) q = q.where('actor_id', '=', f.actorId);
  if (f.targetId) q = q.where('target_id', '=', f.targetId);
  if (f.targetType) q = q.where('target_type', '=', f.targetType);
  if (f.subjectId) {
    const id = f.subjectId;
    q = q.where((eb) => eb.or([eb('actor_id', '=', id), eb('target_id', '=', id)]));
  }
  if (f.action) {
    q = f.action.endsWith('.*')
      ? q.where('action', 'like', `${f.action.slice(0, -2).replace(/[%_\\]/g, '\\$&')}.%`)
      : q.where('action', '=', f.action);
  }
  if (f.outcome) q = q.where('outcome', '=', f.outcome);
  if (f.from) q = q.where('occurred_at', '>=', f.from);
  if (f.to) q = q.where('occurred_at', '<', f.to);
  if (f.before) {
    const b = f.before;
    q = q.where(sql<boolean>`(occurred_at, id) < (${b.at}, ${b.id}::uuid)`);
  }
  if (f.after) {
    const a = f.after;
    q = q.where(sql<boolean>`(occurred_at, id) > (${a.at}, ${a.id}::uuid)`);
  }
  return q
    .orderBy('occurred_at', f.order)
    .orderBy('id', f.order)
    .limit(f.limit)
    .execute() as unknown as Promise<StoredEvent[]>;
}

/** An event as verification reads it: every column its MAC covers, time as epoch milliseconds. */
export type ChainEvent = Omit<StoredEvent, 'occurred_at'> & { occurred_ms: number };

/** Events in chain order after a position, for verification. */
export async function eventsAfter(
  tx: Tx,
  afterTx: string,
  afterSeq: string,
  limit: number,
): Promise<ChainEvent[]> {
  const result = await sql<ChainEvent>`
    SELECT id, tx::text AS tx, seq::text AS seq, org_id,
           (extract(epoch FROM occurred_at) * 1000)::float8 AS occurred_ms, actor_type, actor_id,
           actor_ip, actor_ua, action, target_type, target_id, outcome, request_id, details,
           mac_key_id, mac
    FROM audit_events
    WHERE (tx, seq) > (${afterTx}::bigint, ${afterSeq}::bigint)
    ORDER BY audit_events.tx, audit_events.seq
    LIMIT ${limit}`.execute(tx);
  return result.rows;
}

export interface SealCandidate {
  id: string;
  tx: string;
  seq: string;
  mac: Uint8Array;
}

/**
 * Events after the chain's end whose transactions are all finished: below the xmin of this
 * statement's snapshot no transaction is still running, so no event can later appear before
 * these (docs/audit.md). Horizon and rows come from the same statement, hence the same snapshot;
 * the uncorrelated subquery is evaluated once.
 */
export async function sealCandidates(
  tx: Tx,
  afterTx: string,
  afterSeq: string,
  limit: number,
): Promise<SealCandidate[]> {
  const result = await sql<SealCandidate>`
    SELECT id, tx::text AS tx, seq::text AS seq, mac
    FROM audit_events
    WHERE (tx, seq) > (${afterTx}::bigint, ${afterSeq}::bigint)
      AND tx < (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint)
    ORDER BY audit_events.tx, audit_events.seq
    LIMIT ${limit}`.execute(tx);
  return result.rows;
}

export async function trySealerLock(tx: Tx): Promise<boolean> {
  const result = await sql<{ locked: boolean }>`
    SELECT pg_try_advisory_xact_lock(7104225003) AS locked`.execute(tx);
  return result.rows[0]?.locked === true;
}

export type BlockRow = Selectable<AuditSealBlocksTable>;

const blockColumns = sql`block_no::text AS block_no, first_tx::text AS first_tx,
  first_seq::text AS first_seq, last_tx::text AS last_tx, last_seq::text AS last_seq,
  event_count, event_ids, prev_hash, chain_hash, key_id, signature, sealed_at`;

export async function lastBlock(tx: Tx): Promise<BlockRow | undefined> {
  const result = await sql<BlockRow>`
    SELECT ${blockColumns} FROM audit_seal_blocks ORDER BY audit_seal_blocks.block_no DESC LIMIT 1`.execute(
    tx,
  );
  return result.rows[0];
}

export async function blocksFrom(tx: Tx, fromBlock: string, limit: number): Promise<BlockRow[]> {
  const result = await sql<BlockRow>`
    SELECT ${blockColumns} FROM audit_seal_blocks WHERE block_no >= ${fromBlock}::bigint
    ORDER BY audit_seal_blocks.block_no LIMIT ${limit}`.execute(tx);
  return result.rows;
}

export async function insertBlock(tx: Tx, b: BlockRow): Promise<void> {
  await sql`
    INSERT INTO audit_seal_blocks (block_no, first_tx, first_seq, last_tx, last_seq, event_count,
      event_ids, prev_hash, chain_hash, key_id, signature, sealed_at)
    VALUES (${b.block_no}::bigint, ${b.first_tx}::bigint, ${b.first_seq}::bigint, ${b.last_tx}::bigint,
      ${b.last_seq}::bigint, ${b.event_count}, ${b.event_ids}::uuid[], ${b.prev_hash},
      ${b.chain_hash}, ${b.key_id}, ${b.signature}, ${b.sealed_at})`.execute(tx);
}
