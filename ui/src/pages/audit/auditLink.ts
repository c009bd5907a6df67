import type { AuditFilter } from './api.ts';

const filterKeys = [
  'action',
  'outcome',
  'actorId',
  'targetId',
  'targetType',
  'from',
  'to',
] as const;

/**
 * The audit log of `orgId` opened on `filter`, for pages that point at the events behind what
 * they show (an alert's events, the steps taken on it).
 */
export function auditLinkOf(orgId: string, filter: AuditFilter): string {
  const query = new URLSearchParams();
  for (const key of filterKeys) {
    const value = filter[key];
    if (value) query.set(key, value);
  }
  return `/orgs/${encodeURIComponent(orgId)}/audit?${query}`;
}

/** The filter a link to the audit log names (unknown parameters are ignored). */
export function filterOfQuery(params: URLSearchParams): AuditFilter {
  const filter: Record<string, string> = {};
  for (const key of filterKeys) {
    const value = params.get(key);
    if (value) filter[key] = value;
  }
  return filter as AuditFilter;
}

/** One event, found again in the log: its action within the millisecond it happened. */
export const eventLinkOf = (orgId: string, event: { action: string; occurredAt: string }) => {
  const at = Date.parse(event.occurredAt);
  return auditLinkOf(orgId, {
    action: event.action,
    from: new Date(at).toISOString(),
    // The log's `to` is exclusive, and the database keeps microseconds the API rounds down.
    to: new Date(at + 1).toISOString(),
  });
};
