import type { AuditWriter, Tx } from '../../platform/index.ts';
import type { DeliveryRow } from './deliveries.store.ts';

/** Records that a delivery went to the dead-letter list, in the transaction that put it there. */
export function auditDead(audit: AuditWriter, tx: Tx, row: DeliveryRow) {
  return audit(tx, {
    orgId: row.org_id,
    action: 'alert.delivery.dead',
    target: { type: 'alert_delivery', id: row.id },
    actor: { type: 'system', id: 'alert-deliveries' },
    details: {
      alertId: row.alert_id,
      channel: row.channel,
      recipient: row.recipient,
      attempts: row.attempts,
      lastError: row.last_error,
      lastStatus: row.last_status,
    },
  });
}
