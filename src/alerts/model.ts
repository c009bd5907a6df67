import type { AlertSeverity, AlertStatus } from '../platform/index.ts';

export const severities = [
  'low',
  'medium',
  'high',
  'critical',
] as const satisfies readonly AlertSeverity[];
export const statuses = [
  'open',
  'acknowledged',
  'resolved',
] as const satisfies readonly AlertStatus[];

const rank = (s: AlertSeverity) => severities.indexOf(s);

/** `a` is at least as severe as `b`. */
export const atLeast = (a: AlertSeverity, b: AlertSeverity) => rank(a) >= rank(b);

export const moreSevere = (a: AlertSeverity, b: AlertSeverity) => (rank(a) >= rank(b) ? a : b);

/** An alert as stored (docs/alerts.md#the-inbox). */
export interface Alert {
  id: string;
  orgId: string;
  rule: string;
  severity: AlertSeverity;
  title: string;
  details: Record<string, unknown>;
  subjectUserId: string | null;
  eventCount: number;
  eventIds: string[];
  firstSeenAt: Date;
  lastSeenAt: Date;
  status: AlertStatus;
  assigneeId: string | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
}

/**
 * The alert as the admin API answers it and as a webhook carries it: one shape for both, so a
 * receiver and the console read the same fields.
 */
export function alertJson(alert: Alert) {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: alert.id,
    rule: alert.rule,
    severity: alert.severity,
    title: alert.title,
    details: alert.details,
    subjectUserId: alert.subjectUserId,
    eventCount: alert.eventCount,
    eventIds: alert.eventIds,
    firstSeenAt: alert.firstSeenAt.toISOString(),
    lastSeenAt: alert.lastSeenAt.toISOString(),
    status: alert.status,
    assigneeId: alert.assigneeId,
    acknowledgedAt: iso(alert.acknowledgedAt),
    acknowledgedBy: alert.acknowledgedBy,
    resolvedAt: iso(alert.resolvedAt),
    resolvedBy: alert.resolvedBy,
    resolutionNote: alert.resolutionNote,
  };
}

export type AlertJson = ReturnType<typeof alertJson>;

/** At most this many event ids are kept on an alert; `eventCount` counts them all. */
export const maxEventIds = 100;
