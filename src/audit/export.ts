import type { Database, Tx } from '../platform/index.ts';
import { withOrg, withPlatform } from '../platform/index.ts';
import type { AuditEvent } from './model.ts';
import { toOcsf } from './ocsf.ts';
import { toAuditEvent } from './service.ts';
import * as store from './store.ts';

/** `ocsf`: JSON Lines of OCSF events (src/audit/ocsf.ts, docs/siem.md#ocsf). */
export type ExportFormat = 'jsonl' | 'csv' | 'ocsf';

export interface ExportOptions {
  format: ExportFormat;
  from?: Date;
  to?: Date;
  /** One organization, or every organization (platform scope) when unset. */
  orgId?: string;
}

const csvColumns = [
  'id',
  'occurred_at',
  'org_id',
  'actor_type',
  'actor_id',
  'actor_ip',
  'actor_user_agent',
  'action',
  'target_type',
  'target_id',
  'outcome',
  'request_id',
  'details',
] as const;

function csvCell(value: string | null): string {
  if (value === null) return '';
  // Cells that a spreadsheet would run as a formula are prefixed (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function csvRow(e: AuditEvent): string {
  return [
    e.id,
    e.occurredAt.toISOString(),
    e.orgId,
    e.actor.type,
    e.actor.id,
    e.actor.ip,
    e.actor.userAgent,
    e.action,
    e.target.type,
    e.target.id,
    e.outcome,
    e.requestId,
    JSON.stringify(e.details),
  ]
    .map(csvCell)
    .join(',');
}

export function formatEvent(e: AuditEvent, format: ExportFormat): string {
  if (format === 'csv') return csvRow(e);
  return JSON.stringify(format === 'ocsf' ? toOcsf(e) : e);
}

/**
 * Streams events oldest first, a page per transaction, as JSON Lines (native or OCSF) or CSV
 * (with header).
 */
export async function* exportEvents(
  database: Database,
  options: ExportOptions,
  pageSize = 5000,
): AsyncGenerator<string> {
  if (options.format === 'csv') yield `${csvColumns.join(',')}\n`;
  let after: { at: Date; id: string } | undefined;
  const run = <T>(fn: (tx: Tx) => Promise<T>) =>
    options.orgId ? withOrg(database, options.orgId, fn) : withPlatform(database, fn);
  for (;;) {
    const rows = await run((tx) =>
      store.queryEvents(tx, {
        orgId: options.orgId,
        from: options.from,
        to: options.to,
        after,
        order: 'asc',
        limit: pageSize,
      }),
    );
    if (rows.length > 0) {
      yield `${rows.map((r) => formatEvent(toAuditEvent(r), options.format)).join('\n')}\n`;
    }
    const last = rows[rows.length - 1];
    if (!last || rows.length < pageSize) return;
    after = { at: last.occurred_at, id: last.id };
  }
}
