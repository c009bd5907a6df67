import { sql } from 'kysely';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { Database } from './database.ts';
import { afterCommit, type Tx } from './scope.ts';

/** The one channel every node listens on; each message names a topic and a key. */
export const changesChannel = 'vigil_changes';

/**
 * Told the key of each change to its topic; `undefined` when changes may have been missed (the
 * listening connection was lost and is back), which means: forget everything.
 */
export type ChangeListener = (key: string | undefined) => void;

/**
 * Tells every node that something it may hold in memory changed (docs/lifecycle.md#several-nodes):
 * a policy, an OAuth client. The message is a PostgreSQL NOTIFY sent in the change's own
 * transaction, so it goes out when the change commits and never when it rolls back.
 */
export interface ChangeFeed {
  /**
   * In `tx`: once it commits, every subscriber of `topic` on every node hears `key`. This node's
   * hear it before the transaction's `withOrg` / `withPlatform` returns.
   */
  publish(tx: Tx, topic: string, key: string): Promise<void>;
  subscribe(topic: string, listener: ChangeListener): void;
  close(): Promise<void>;
}

/** Opens the feed: LISTENs on a connection of its own (PGlite: in process, one process). */
export async function openChangeFeed(database: Database, logger: Logger): Promise<ChangeFeed> {
  const listeners = new Map<string, ChangeListener[]>();
  // This node hears its own changes at commit (below), not again through the NOTIFY.
  const node = newId();

  function deliver(topic: string, key: string | undefined) {
    for (const listener of listeners.get(topic) ?? []) listener(key);
  }
  function forgetEverything() {
    for (const topic of listeners.keys()) deliver(topic, undefined);
  }

  const stop = await database.listen(changesChannel, {
    onMessage(payload) {
      const message = parseMessage(payload);
      if (message?.node === node) return;
      if (message) deliver(message.topic, message.key);
      else logger.warn({ payload }, 'ignored a malformed change notification');
    },
    onGap() {
      logger.warn('listening for changes again after the connection was lost; caches dropped');
      forgetEverything();
    },
    onError(err) {
      logger.error({ err }, 'listening for changes failed; retrying');
    },
  });

  return {
    async publish(tx, topic, key) {
      const message = JSON.stringify({ node, topic, key });
      await sql`SELECT pg_notify(${changesChannel}, ${message})`.execute(tx);
      // Through the NOTIFY this node would hear it a moment after the commit, which the caller's
      // next request could beat.
      afterCommit(tx, async () => deliver(topic, key));
    },
    subscribe(topic, listener) {
      listeners.set(topic, [...(listeners.get(topic) ?? []), listener]);
    },
    close: stop,
  };
}

function parseMessage(payload: string): { node: string; topic: string; key: string } | undefined {
  try {
    const { node, topic, key } = JSON.parse(payload) as Record<string, unknown>;
    return typeof node === 'string' && typeof topic === 'string' && typeof key === 'string'
      ? { node, topic, key }
      : undefined;
  } catch {
    return undefined;
  }
}
