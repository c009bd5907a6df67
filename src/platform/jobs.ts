import { sql } from 'kysely';
import type { Database } from './db/database.ts';
import type { Logger } from './logger.ts';

/**
 * The advisory-lock keys of the jobs that run on one node at a time (7104225001-3 are taken:
 * migrations, key rotation and the audit sealer).
 */
export const jobLockKeys = {
  lifecycleSchedule: 7_104_225_004,
  reviewSchedule: 7_104_225_005,
  alertRules: 7_104_225_006,
  alertDeliveries: 7_104_225_007,
  siemStreams: 7_104_225_008,
  auditArchive: 7_104_225_009,
  auditVerifySchedule: 7_104_225_010,
  complianceChecks: 7_104_225_011,
} as const;

/** The keys each open database holds in this process (a second runner here skips too). */
const heldHere = new WeakMap<Database, Set<number>>();

/**
 * Runs `work` unless another runner holds `lockKey`: on this node, or on another node of the
 * same PostgreSQL (a transaction-level advisory lock, `pg_try_advisory_xact_lock`, held by a
 * transaction of its own that writes nothing and ends when `work` does, so a node that dies
 * lets go of it). `work` opens its own transactions on other connections, so that each piece
 * commits by itself. A runner that does not get the lock skips this round: `{ ran: false }`.
 *
 * Embedded PGlite belongs to one process (src/platform/db/database.ts locks its data dir), so
 * the lock within this process is all it needs; its one connection cannot be held meanwhile.
 */
export async function onOneNode<T>(
  database: Database,
  lockKey: number,
  work: () => Promise<T>,
): Promise<{ ran: true; result: T } | { ran: false }> {
  const held = heldHere.get(database) ?? new Set<number>();
  heldHere.set(database, held);
  if (held.has(lockKey)) return { ran: false };
  held.add(lockKey);
  try {
    if (database.kind === 'pglite') return { ran: true, result: await work() };
    return await database.db.connection().execute(async (conn) => {
      await sql`BEGIN`.execute(conn);
      try {
        const { rows } = await sql<{ locked: boolean }>`
          SELECT pg_try_advisory_xact_lock(${lockKey}::bigint) AS locked`.execute(conn);
        if (rows[0]?.locked !== true) return { ran: false as const };
        return { ran: true as const, result: await work() };
      } finally {
        // Nothing was written in it: ending it only lets go of the lock.
        await sql`ROLLBACK`.execute(conn).catch(() => undefined);
      }
    });
  } finally {
    held.delete(lockKey);
  }
}

/**
 * Calls `run` every `intervalMs` (never two at once: a round still running makes the next tick
 * skip). `stop()` ends the timer and waits for a round in progress.
 */
export function repeatEvery(options: {
  name: string;
  intervalMs: number;
  run: () => Promise<unknown>;
  logger: Logger;
}): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped || busy) return;
    busy = true;
    running = options
      .run()
      .catch((err: unknown) =>
        options.logger.error({ err }, `${options.name} failed; will retry at its next round`),
      )
      .finally(() => {
        busy = false;
      });
  }, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
