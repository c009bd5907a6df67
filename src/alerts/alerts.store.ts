import { type Insertable, type Selectable, sql } from 'kysely';
import type {
  AlertDeliveriesTable,
  AlertSeverity,
  AlertStatus,
  AlertsTable,
  Tx,
} from '../platform/index.ts';

export type AlertRow = Selectable<AlertsTable>;

/** The unresolved alert with this dedup key, locked until the transaction ends. */
export function openAlertForUpdate(tx: Tx, orgId: string, dedupKey: string) {
  return tx
    .selectFrom('alerts')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('dedup_key', '=', dedupKey)
    .where('status', '<>', 'resolved')
    .forUpdate()
    .executeTakeFirst();
}

export async function insertAlert(tx: Tx, row: Insertable<AlertsTable>): Promise<void> {
  await tx.insertInto('alerts').values(row).execute();
}

export async function updateAlert(
  tx: Tx,
  id: string,
  patch: Partial<Insertable<AlertsTable>>,
): Promise<AlertRow> {
  return tx
    .updateTable('alerts')
    .set(patch)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function alertById(tx: Tx, orgId: string, id: string, lock = false) {
  const q = tx.selectFrom('alerts').selectAll().where('org_id', '=', orgId).where('id', '=', id);
  return (lock ? q.forUpdate() : q).executeTakeFirst();
}

export interface AlertFilter {
  status?: AlertStatus;
  severity?: AlertSeverity;
  rule?: string;
  assigneeId?: string;
  /** The last row of the previous page: (last_seen_at, id). */
  before?: { at: Date; id: string };
}

/** An organization's alerts, newest activity first, `limit` of them. */
export function listAlerts(tx: Tx, orgId: string, filter: AlertFilter, limit: number) {
  let q = tx.selectFrom('alerts').selectAll().where('org_id', '=', orgId);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.severity) q = q.where('severity', '=', filter.severity);
  if (filter.rule) q = q.where('rule', '=', filter.rule);
  if (filter.assigneeId) q = q.where('assignee_id', '=', filter.assigneeId);
  const b = filter.before;
  if (b) q = q.where(sql<boolean>`(last_seen_at, id) < (${b.at}, ${b.id}::uuid)`);
  return q.orderBy('last_seen_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** Active users of the organization among `ids`, with their mail address. */
export function activeUsersAmong(tx: Tx, orgId: string, ids: readonly string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return tx
    .selectFrom('users')
    .select(['id', 'email', 'display_name'])
    .where('org_id', '=', orgId)
    .where('status', '=', 'active')
    .where('id', '=', sql<string>`ANY(${ids}::uuid[])`)
    .orderBy('email')
    .execute();
}

/** The organization's enabled webhook endpoints. */
export function enabledEndpoints(tx: Tx, orgId: string) {
  return tx
    .selectFrom('webhook_endpoints')
    .select(['id', 'url', 'min_severity'])
    .where('org_id', '=', orgId)
    .where('enabled', '=', true)
    .orderBy('created_at')
    .execute();
}

export async function insertDeliveries(
  tx: Tx,
  rows: Insertable<AlertDeliveriesTable>[],
): Promise<void> {
  if (rows.length > 0) await tx.insertInto('alert_deliveries').values(rows).execute();
}
