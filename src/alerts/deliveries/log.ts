import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  cursorParts,
  type DeliveryStatus,
  isUuid,
  pageOf,
  type Tx,
} from '../../platform/index.ts';
import * as store from './deliveries.store.ts';
import { deliveryErrors } from './errors.ts';

/** An alert notification as the API shows it (its payload stays in the database). */
export interface AlertDelivery {
  id: string;
  alertId: string;
  channel: 'email' | 'webhook';
  endpointId: string | null;
  recipient: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  lastStatus: number | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

const toDelivery = (row: store.DeliveryRow): AlertDelivery => ({
  id: row.id,
  alertId: row.alert_id,
  channel: row.channel,
  endpointId: row.endpoint_id,
  recipient: row.recipient,
  status: row.status,
  attempts: row.attempts,
  // Only a pending delivery has a next attempt.
  nextAttemptAt: row.status === 'pending' ? row.next_attempt_at : null,
  lastError: row.last_error,
  lastStatus: row.last_status,
  createdAt: row.created_at,
  deliveredAt: row.delivered_at,
});

export interface DeliveryQuery {
  status?: DeliveryStatus;
  cursor?: string;
  limit: number;
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = cursorParts(cursor) ?? [];
  const createdAt = typeof at === 'string' ? new Date(at) : undefined;
  if (createdAt && !Number.isNaN(createdAt.getTime()) && isUuid(id)) return { createdAt, id };
  throw deliveryErrors.badCursor();
}

export interface AlertDeliveriesDeps {
  audit: AuditWriter;
  clock: Clock;
}

/** The delivery log and its dead-letter list (docs/webhooks.md#dead-letters). */
export function createAlertDeliveries(deps: AlertDeliveriesDeps) {
  return {
    /** An organization's deliveries, newest first (the dead-letter list: `status: 'dead'`). */
    async list(tx: Tx, orgId: string, query: DeliveryQuery) {
      const rows = await store.deliveriesOf(tx, orgId, {
        status: query.status,
        after: query.cursor ? decodeCursor(query.cursor) : undefined,
        limit: query.limit + 1,
      });
      const page = pageOf(rows, query.limit, (last) => [last.created_at.toISOString(), last.id]);
      return { items: page.items.map(toDelivery), nextCursor: page.nextCursor };
    },

    async get(tx: Tx, orgId: string, id: string): Promise<AlertDelivery> {
      const row = await store.findDelivery(tx, orgId, id);
      if (!row) throw deliveryErrors.deliveryNotFound();
      return toDelivery(row);
    },

    /** A dead delivery goes out again: pending now, with a fresh set of attempts. */
    async retry(tx: Tx, orgId: string, id: string, actor: AuditActor): Promise<AlertDelivery> {
      const row = await store.findDelivery(tx, orgId, id, true);
      if (!row) throw deliveryErrors.deliveryNotFound();
      if (row.status !== 'dead') throw deliveryErrors.deliveryNotDead({ status: row.status });
      const revived = await store.revive(tx, id, deps.clock.now());
      if (!revived) throw deliveryErrors.deliveryNotDead({ status: row.status });
      await deps.audit(tx, {
        orgId,
        action: 'alert.delivery.retried',
        actor,
        target: { type: 'alert_delivery', id },
        details: {
          alertId: row.alert_id,
          channel: row.channel,
          recipient: row.recipient,
          attemptsBefore: row.attempts,
          lastError: row.last_error,
        },
      });
      return toDelivery(revived);
    },
  };
}

export type AlertDeliveries = ReturnType<typeof createAlertDeliveries>;
