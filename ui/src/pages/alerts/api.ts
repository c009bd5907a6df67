import { request } from '../../api.ts';
import type { AuditEvent } from '../audit/api.ts';

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export type AlertStatus = 'open' | 'acknowledged' | 'resolved';

/** Lowest first: a minimum severity lets through its own and those after it. */
export const severities: readonly Severity[] = ['low', 'medium', 'high', 'critical'];
export const statuses: readonly AlertStatus[] = ['open', 'acknowledged', 'resolved'];

/** An alert as the admin API shows it (docs/alerts.md): one rule's finding, grouped. */
export interface Alert {
  id: string;
  rule: string;
  severity: Severity;
  title: string;
  details: Record<string, unknown>;
  subjectUserId: string | null;
  eventCount: number;
  eventIds: string[];
  firstSeenAt: string;
  lastSeenAt: string;
  status: AlertStatus;
  assigneeId: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
}

/** An alert with the audit events that raised it (the first ones, as the alert keeps them). */
export interface AlertWithEvents extends Alert {
  events: AuditEvent[];
}

export interface AlertFilter {
  status?: AlertStatus;
  severity?: Severity;
  rule?: string;
}

/** A rule with its defaults and, merged in, what the organization's alert policy sets. */
export interface AlertRule {
  key: string;
  name: string;
  description: string;
  kind: 'event' | 'check';
  defaultSeverity: Severity;
  defaultThresholds: Record<string, number>;
  enabled: boolean;
  severity: Severity;
  thresholds: Record<string, number>;
}

export interface AlertRules {
  rules: AlertRule[];
  emailMinSeverity: Severity;
  version: number;
}

/** What the alert policy holds: per rule what differs from its defaults, and the mail minimum. */
export interface AlertPolicy {
  rules: Record<
    string,
    { enabled?: boolean; severity?: Severity; thresholds?: Record<string, number> }
  >;
  emailMinSeverity: Severity;
}

/** Alerts per page; "Load more" reads the next. */
const pageSize = 50;

const org = (orgId: string) => `/orgs/${encodeURIComponent(orgId)}`;
const alertPath = (orgId: string, alertId: string) =>
  `${org(orgId)}/alerts/${encodeURIComponent(alertId)}`;
const policyPath = (orgId: string) => `${org(orgId)}/policies/alerts`;

function queryOf(values: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value) query.set(name, value);
  return query.toString();
}

const act = async (orgId: string, alertId: string, step: string, body: unknown) =>
  (await request<Alert>(`${alertPath(orgId, alertId)}/${step}`, { method: 'POST', body })).body;

export const alertsApi = {
  /** A page of alerts, newest first (`items`, as the console's cursor lists read them). */
  list: async (orgId: string, filter: AlertFilter, cursor?: string) => {
    const { body } = await request<{ alerts: Alert[]; nextCursor: string | null }>(
      `${org(orgId)}/alerts?${queryOf({ ...filter, cursor, limit: String(pageSize) })}`,
    );
    return { items: body.alerts, nextCursor: body.nextCursor };
  },
  get: async (orgId: string, alertId: string): Promise<AlertWithEvents> => {
    const { body } = await request<{ alert: Alert; events: AuditEvent[] }>(
      alertPath(orgId, alertId),
    );
    return { ...body.alert, events: body.events };
  },
  acknowledge: (orgId: string, alertId: string) => act(orgId, alertId, 'acknowledge', {}),
  assign: (orgId: string, alertId: string, assigneeId: string | null) =>
    act(orgId, alertId, 'assign', { assigneeId }),
  resolve: (orgId: string, alertId: string, note: string) =>
    act(orgId, alertId, 'resolve', { note }),
  rules: async (orgId: string) => (await request<AlertRules>(`${org(orgId)}/alert-rules`)).body,
  /** The policy in force with its ETag, which saving sends back as If-Match. */
  policy: async (orgId: string) => {
    const { body, etag } = await request<{ version: number; policy: AlertPolicy }>(
      policyPath(orgId),
    );
    return { ...body, etag: etag ?? '' };
  },
  /** A new version; refused with 412 when `etag` is no longer the one in force. */
  savePolicy: async (orgId: string, policy: AlertPolicy, etag: string) =>
    (
      await request<{ version: number; policy: AlertPolicy }>(policyPath(orgId), {
        method: 'PUT',
        body: policy,
        ifMatch: etag,
      })
    ).body,
};
