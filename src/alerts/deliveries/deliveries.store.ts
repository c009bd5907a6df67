import type { Selectable } from 'kysely';
import type { AlertDeliveriesTable, DeliveryStatus, Tx } from '../../platform/index.ts';

export type DeliveryRow = Selectable<AlertDeliveriesTable>;

/**
 * Up to `limit` pending deliveries due at `now`, oldest due first, locked so that another
 * runner skips them (FOR UPDATE SKIP LOCKED) while this one sends them. A platform read.
 */
export function claimDue(tx: Tx, now: Date, limit: number): Promise<DeliveryRow[]> {
  return tx
    .selectFrom('alert_deliveries')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

/**
 * Pushes claimed rows' next attempt to `until`, so that a runner that dies while sending them
 * does not leave them claimed for ever, and no other runner sends them meanwhile.
 */
export async function holdUntil(tx: Tx, ids: readonly string[], until: Date): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .updateTable('alert_deliveries')
    .set({ next_attempt_at: until })
    .where('id', 'in', ids)
    .where('status', '=', 'pending')
    .execute();
}

export function findDelivery(
  tx: Tx,
  orgId: string,
  id: string,
  lock = false,
): Promise<DeliveryRow | undefined> {
  const query = tx
    .selectFrom('alert_deliveries')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

/** The outcome of one attempt; only a row still pending changes (a retry may have raced it). */
export function recordAttempt(
  tx: Tx,
  id: string,
  outcome: {
    status: DeliveryStatus;
    attempts: number;
    nextAttemptAt: Date;
    lastError: string | null;
    lastStatus: number | null;
    deliveredAt: Date | null;
    recipient: string;
  },
): Promise<DeliveryRow | undefined> {
  return tx
    .updateTable('alert_deliveries')
    .set({
      status: outcome.status,
      attempts: outcome.attempts,
      next_attempt_at: outcome.nextAttemptAt,
      last_error: outcome.lastError,
      last_status: outcome.lastStatus,
      delivered_at: outcome.deliveredAt,
      recipient: outcome.recipient,
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
}

/** Every pending delivery to an endpoint goes dead (the endpoint is deleted); returns them. */
export function killPendingOfEndpoint(
  tx: Tx,
  endpointId: string,
  error: string,
  now: Date,
): Promise<DeliveryRow[]> {
  return tx
    .updateTable('alert_deliveries')
    .set({ status: 'dead', last_error: error, next_attempt_at: now })
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'pending')
    .returningAll()
    .execute();
}

/** A dead delivery is pending again, its attempts counted from zero, due `now`. */
export function revive(tx: Tx, id: string, now: Date): Promise<DeliveryRow | undefined> {
  return tx
    .updateTable('alert_deliveries')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now, delivered_at: null })
    .where('id', '=', id)
    .where('status', '=', 'dead')
    .returningAll()
    .executeTakeFirst();
}

/** A page of an organization's deliveries, newest first, after the cursor's (created_at, id). */
export function deliveriesOf(
  tx: Tx,
  orgId: string,
  options: { status?: DeliveryStatus; after?: { createdAt: Date; id: string }; limit: number },
): Promise<DeliveryRow[]> {
  let query = tx.selectFrom('alert_deliveries').selectAll().where('org_id', '=', orgId);
  if (options.status) query = query.where('status', '=', options.status);
  const after = options.after;
  if (after)
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
      ]),
    );
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
}
