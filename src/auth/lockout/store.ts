import { sql } from 'kysely';
import { precompiled, type Tx } from '../../platform/index.ts';
import type { Counter, Factor } from './model.ts';

const lockedCounter = precompiled(['userId', 'factor'], (db, p) =>
  db
    .selectFrom('auth_lockouts')
    .selectAll()
    .where('user_id', '=', p.userId)
    .where('factor', '=', p.factor)
    .forUpdate(),
);

/** The counter, locked for the rest of the transaction so concurrent failures all count. */
export async function counterForUpdate(
  tx: Tx,
  userId: string,
  factor: Factor,
): Promise<Counter | undefined> {
  const [row] = await lockedCounter(tx, { userId, factor });
  return row
    ? {
        failures: row.failures,
        lastFailureAt: row.last_failure_at,
        lockedUntil: row.locked_until,
        lockCount: row.lock_count,
        lockedPermanently: row.locked_permanently,
      }
    : undefined;
}

export async function saveCounter(
  tx: Tx,
  userId: string,
  orgId: string,
  factor: Factor,
  c: Counter,
): Promise<void> {
  const values = {
    failures: c.failures,
    last_failure_at: c.lastFailureAt,
    locked_until: c.lockedUntil,
    lock_count: c.lockCount,
    locked_permanently: c.lockedPermanently,
  };
  await tx
    .insertInto('auth_lockouts')
    .values({ user_id: userId, org_id: orgId, factor, ...values })
    .onConflict((oc) => oc.columns(['user_id', 'factor']).doUpdateSet(values))
    .execute();
}

/**
 * A write of the counter that changes nothing: what a refused sign-in without an account writes,
 * in place of an account's counter (docs/authentication.md#timing).
 */
export async function rewriteCounter(tx: Tx, userId: string, factor: Factor): Promise<void> {
  await tx
    .updateTable('auth_lockouts')
    .set({ failures: sql<number>`failures` })
    .where('user_id', '=', userId)
    .where('factor', '=', factor)
    .execute();
}

/** Adds a failure to the address's current window; returns the window's count. */
export async function addIpFailure(tx: Tx, ip: string, windowStart: Date): Promise<number> {
  const result = await sql<{ failures: number }>`
    INSERT INTO auth_ip_failures (ip, window_start, failures) VALUES (${ip}, ${windowStart}, 1)
    ON CONFLICT (ip, window_start) DO UPDATE SET failures = auth_ip_failures.failures + 1
    RETURNING failures`.execute(tx);
  return Number(result.rows[0]?.failures ?? 1);
}

/** The failures of a client address in the window starting at `windowStart`. */
export async function ipFailures(tx: Tx, ip: string, windowStart: Date): Promise<number> {
  const row = await tx
    .selectFrom('auth_ip_failures')
    .select('failures')
    .where('ip', '=', ip)
    .where('window_start', '=', windowStart)
    .executeTakeFirst();
  return row?.failures ?? 0;
}

export async function deleteIpWindowsBefore(tx: Tx, before: Date): Promise<void> {
  await tx.deleteFrom('auth_ip_failures').where('window_start', '<', before).execute();
}
