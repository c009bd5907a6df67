import type { ColumnType } from 'kysely';

/**
 * Row type of control_results (migration 0024, docs/compliance.md): the history of the live
 * control checks. Kept apart from tables.ts only for its size; the same rules hold
 * (test/db-tables.test.ts).
 */
type Timestamp = ColumnType<Date, Date, Date>;
/** jsonb: written as JSON text, read back parsed. */
type Json = ColumnType<unknown, string, string>;

export type ControlStatus = 'pass' | 'fail' | 'not_applicable';

export interface ControlResultsTable {
  id: string;
  org_id: string;
  control_id: string;
  status: ControlStatus;
  summary: string;
  exceptions: Json;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
}
