import type { Tx } from '../platform/index.ts';
import * as store from './feed.store.ts';
import type { AuditEvent } from './model.ts';
import { toAuditEvent } from './service.ts';

/**
 * A place in the audit feed: the chain order (writing transaction, then sequence) the sealer
 * uses. Every event at or before it has been handled by the reader that holds it.
 */
export interface FeedPosition {
  tx: string;
  seq: string;
}

/** Before the first event. */
export const feedStart: FeedPosition = { tx: '0', seq: '0' };

/** An event read from the feed, with its position (a reader's next cursor). */
export interface FeedEvent extends AuditEvent {
  position: FeedPosition;
}

export interface FeedPage {
  events: FeedEvent[];
  /** Where to read on from: after the last event, or past everything finished when caught up. */
  next: FeedPosition;
}

/** Larger than any sequence number: (tx, maxSeq) is past every event of transaction tx. */
const maxSeq = '9223372036854775807';

/**
 * The finished events after `after`, in chain order, at most `limit` (docs/audit.md#the-feed):
 * each committed event exactly once, none skipped, whatever order concurrent transactions
 * commit in, because an event is only handed out once every transaction that could still write
 * before it has ended. The readers (alert rules, SIEM streams) keep their position in the same
 * transaction as what they did with the events, so a crash repeats nothing and loses nothing.
 */
export async function readFeed(tx: Tx, after: FeedPosition, limit: number): Promise<FeedPage> {
  const { rows, horizon } = await store.finishedEventsAfter(tx, after.tx, after.seq, limit);
  const events = rows.map((row) => ({
    ...toAuditEvent(row),
    position: { tx: row.tx, seq: row.seq },
  }));
  const last = events[events.length - 1];
  if (last && events.length === limit) return { events, next: last.position };
  // Caught up: every transaction below the horizon has ended and none of its events is left, so
  // the next read may start past all of them (never going backwards).
  const pastFinished = { tx: (BigInt(horizon) - 1n).toString(), seq: maxSeq };
  return { events, next: isAfter(pastFinished, after) ? pastFinished : after };
}

/** a comes after b in chain order. */
export function isAfter(a: FeedPosition, b: FeedPosition): boolean {
  const [aTx, bTx] = [BigInt(a.tx), BigInt(b.tx)];
  return aTx > bTx || (aTx === bTx && BigInt(a.seq) > BigInt(b.seq));
}

/** A named reader's cursor, locked until `tx` ends (one reader at a time); null before its first round. */
export async function lockFeedCursor(
  tx: Tx,
  name: string,
): Promise<{ position: FeedPosition; runner: string | null } | null> {
  const row = await store.lockCursor(tx, name);
  return row
    ? { position: { tx: row.position_tx, seq: row.position_seq }, runner: row.runner }
    : null;
}

/** Saves a reader's cursor in `tx`, with the node that ran the round. */
export function saveFeedCursor(
  tx: Tx,
  name: string,
  position: FeedPosition,
  runner: string,
  at: Date,
): Promise<void> {
  return store.saveCursor(tx, name, position, runner, at);
}

const toFeedEvent = (row: store.FeedRow): FeedEvent => ({
  ...toAuditEvent(row),
  position: { tx: row.tx, seq: row.seq },
});

/**
 * Where a new reader starts when it must not read the past (the alert rules' first round): past
 * every finished event. Events of transactions still running come after it, so none is lost.
 */
export async function feedEnd(tx: Tx): Promise<FeedPosition> {
  // Every transaction below the snapshot's horizon has ended: nothing can appear before it.
  return (await store.lastFinishedEvent(tx)) ?? feedStart;
}

/**
 * The events of `actions` that occurred since `since`, up to `upTo` in chain order: what a
 * reader that keeps windows in memory replays after a restart or a takeover. Read in pages of
 * `pageSize`, handed to `each` in chain order.
 */
export async function replayRecent(
  tx: Tx,
  options: { actions: readonly string[]; since: Date; upTo: FeedPosition; pageSize?: number },
  each: (events: FeedEvent[]) => Promise<void>,
): Promise<number> {
  const limit = options.pageSize ?? 1000;
  let after = feedStart;
  let replayed = 0;
  for (;;) {
    const rows = await store.recentEventsOf(tx, { ...options, after, limit });
    const events = rows.map(toFeedEvent);
    if (events.length > 0) await each(events);
    replayed += events.length;
    const last = events.at(-1);
    if (!last || events.length < limit) return replayed;
    after = last.position;
  }
}

/** These events (those that exist), in chain order. */
export async function feedEventsById(tx: Tx, ids: readonly string[]): Promise<FeedEvent[]> {
  return (await store.eventsById(tx, ids)).map(toFeedEvent);
}
