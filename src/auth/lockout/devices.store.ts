import type { Selectable } from 'kysely';
import type { TrustedDevicesTable, Tx } from '../../platform/index.ts';
import type { Counter } from './model.ts';

export type DeviceRow = Selectable<TrustedDevicesTable>;

/** The user's live devices among `ids` (used since `since`), locked like a lockout counter. */
export function liveDevicesForUpdate(
  tx: Tx,
  userId: string,
  ids: string[],
  since: Date,
): Promise<DeviceRow[]> {
  return tx
    .selectFrom('trusted_devices')
    .selectAll()
    .where('user_id', '=', userId)
    .where('id', 'in', ids)
    .where('revoked_at', 'is', null)
    .where('last_used_at', '>', since)
    .forUpdate()
    .execute();
}

export async function insertDevice(
  tx: Tx,
  row: Pick<
    DeviceRow,
    'id' | 'org_id' | 'user_id' | 'secret_hash' | 'created_at' | 'last_used_at' | 'user_agent'
  >,
): Promise<void> {
  await tx.insertInto('trusted_devices').values(row).execute();
}

export async function saveDeviceCounter(tx: Tx, id: string, c: Counter): Promise<void> {
  await tx
    .updateTable('trusted_devices')
    .set({
      failures: c.failures,
      last_failure_at: c.lastFailureAt,
      locked_until: c.lockedUntil,
      lock_count: c.lockCount,
      locked_permanently: c.lockedPermanently,
    })
    .where('id', '=', id)
    .execute();
}

/** Clears the counters of the user's devices that have failures or a lock; returns how many. */
export async function clearDeviceCounters(tx: Tx, userId: string): Promise<number> {
  const result = await tx
    .updateTable('trusted_devices')
    .set({
      failures: 0,
      last_failure_at: null,
      locked_until: null,
      lock_count: 0,
      locked_permanently: false,
    })
    .where('user_id', '=', userId)
    .where((eb) =>
      eb.or([
        eb('failures', '>', 0),
        eb('lock_count', '>', 0),
        eb('locked_permanently', '=', true),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function touchDevice(tx: Tx, id: string, at: Date): Promise<void> {
  await tx.updateTable('trusted_devices').set({ last_used_at: at }).where('id', '=', id).execute();
}

/** The user's live devices (used since `since`), most recently used first; never the hash. */
export function liveDevices(tx: Tx, userId: string, since: Date) {
  return tx
    .selectFrom('trusted_devices')
    .select(['id', 'created_at', 'last_used_at', 'user_agent'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('last_used_at', '>', since)
    .orderBy('last_used_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** Revokes the user's live devices (only those in `ids`, when given); returns their ids. */
export async function revokeDevices(
  tx: Tx,
  userId: string,
  at: Date,
  ids?: readonly string[],
): Promise<string[]> {
  if (ids?.length === 0) return [];
  let q = tx
    .updateTable('trusted_devices')
    .set({ revoked_at: at })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (ids) q = q.where('id', 'in', ids);
  return (await q.returning('id').execute()).map((r) => r.id);
}

/** Revokes the user's live devices but the `keep` most recently used; returns their ids. */
export async function revokeAllButNewest(
  tx: Tx,
  userId: string,
  keep: number,
  at: Date,
): Promise<string[]> {
  const rows = await tx
    .updateTable('trusted_devices')
    .set({ revoked_at: at })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('id', 'not in', (eb) =>
      eb
        .selectFrom('trusted_devices')
        .select('id')
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .orderBy('last_used_at', 'desc')
        .orderBy('id', 'desc')
        .limit(keep),
    )
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Deletes up to `limit` devices that count for nothing any more: revoked, or unused since
 * `unusedSince`. Returns how many.
 */
export async function deleteDeadDevices(tx: Tx, unusedSince: Date, limit: number): Promise<number> {
  const result = await tx
    .deleteFrom('trusted_devices')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('trusted_devices')
        .select('id')
        .where((w) => w.or([w('revoked_at', 'is not', null), w('last_used_at', '<=', unusedSince)]))
        .limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export function counterOf(row: DeviceRow): Counter {
  return {
    failures: row.failures,
    lastFailureAt: row.last_failure_at,
    lockedUntil: row.locked_until,
    lockCount: row.lock_count,
    lockedPermanently: row.locked_permanently,
  };
}
