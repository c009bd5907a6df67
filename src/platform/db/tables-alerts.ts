import type { ColumnType, Generated } from 'kysely';

/**
 * Row types of the alerting and SIEM stream tables (migration 0022, docs/alerts.md,
 * docs/siem.md). Kept apart from tables.ts only for its size; the same rules hold
 * (test/db-tables.test.ts).
 */
type Timestamp = ColumnType<Date, Date, Date>;
/** A nullable column an insert may leave out. */
type Optional<T> = ColumnType<T | null, T | null | undefined, T | null>;
/** jsonb: written as JSON text, read back parsed. */
type Json = ColumnType<unknown, string, string>;

export type AlertSeverity = 'low' | 'medium' | 'high' | 'critical';
export type AlertStatus = 'open' | 'acknowledged' | 'resolved';
export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

export interface AuditFeedCursorsTable {
  name: string;
  position_tx: string;
  position_seq: string;
  runner: Optional<string>;
  updated_at: Timestamp;
}

export interface AlertsTable {
  id: string;
  org_id: string;
  rule: string;
  severity: AlertSeverity;
  dedup_key: string;
  title: string;
  details: Json;
  subject_user_id: Optional<string>;
  event_count: number;
  event_ids: string[];
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  status: AlertStatus;
  assignee_id: Optional<string>;
  acknowledged_at: Optional<Date>;
  acknowledged_by: Optional<string>;
  resolved_at: Optional<Date>;
  resolved_by: Optional<string>;
  resolution_note: Optional<string>;
  created_at: Timestamp;
}

export interface SignInPlacesTable {
  org_id: string;
  user_id: string;
  kind: 'country' | 'network';
  place: string;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
}

export interface SignInLastLocatedTable {
  org_id: string;
  user_id: string;
  at: Timestamp;
  ip: string;
  country: string;
  latitude: number;
  longitude: number;
}

export interface WebhookEndpointsTable {
  id: string;
  org_id: string;
  name: string;
  url: string;
  secret_enc: string;
  min_severity: AlertSeverity;
  enabled: boolean;
  created_by: Optional<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AlertDeliveriesTable {
  id: string;
  org_id: string;
  alert_id: string;
  channel: 'email' | 'webhook';
  endpoint_id: Optional<string>;
  recipient: string;
  payload: string;
  status: DeliveryStatus;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  last_error: Optional<string>;
  last_status: Optional<number>;
  created_at: Timestamp;
  delivered_at: Optional<Date>;
}

export interface SiemStreamsTable {
  id: string;
  org_id: string;
  name: string;
  kind: 'syslog' | 'webhook';
  format: 'ocsf' | 'jsonl';
  url: string;
  secret_enc: Optional<string>;
  ca_pem: Optional<string>;
  enabled: boolean;
  position_tx: string;
  position_seq: string;
  sent_tx: string;
  sent_seq: string;
  failures: Generated<number>;
  next_attempt_at: Optional<Date>;
  last_error: Optional<string>;
  last_delivered_at: Optional<Date>;
  created_by: Optional<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}
