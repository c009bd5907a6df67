import { z } from 'zod';
import { alertJson, severities, statuses } from '../../../alerts/index.ts';
import { defineRoute, isoDate } from '../route.ts';

/** An alert as the API (and a webhook's `data`) shows it (docs/alerts.md#the-inbox). */
const alertSchema = z.object({
  id: z.uuid(),
  rule: z.string(),
  severity: z.enum(severities),
  title: z.string(),
  details: z.record(z.string(), z.unknown()),
  subjectUserId: z.uuid().nullable(),
  eventCount: z.number().int(),
  eventIds: z.array(z.uuid()),
  firstSeenAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  status: z.enum(statuses),
  assigneeId: z.uuid().nullable(),
  acknowledgedAt: z.iso.datetime().nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedAt: z.iso.datetime().nullable(),
  resolvedBy: z.string().nullable(),
  resolutionNote: z.string().nullable(),
});

const auditEventSchema = z.object({
  id: z.uuid(),
  occurredAt: isoDate,
  actor: z.object({
    type: z.string(),
    id: z.string().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
  }),
  action: z.string(),
  target: z.object({ type: z.string().nullable(), id: z.string().nullable() }),
  outcome: z.enum(['success', 'failure', 'denied']),
  details: z.record(z.string(), z.unknown()),
});

const listQuery = z
  .object({
    status: z.enum(statuses).optional(),
    severity: z.enum(severities).optional(),
    rule: z
      .string()
      .regex(/^[a-z][a-z0-9_.-]{0,79}$/)
      .optional(),
    assigneeId: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    /** The previous page's `nextCursor`, as it was given. */
    cursor: z.string().min(1).max(200).optional(),
  })
  .strict();

const assignBody = z.object({ assigneeId: z.uuid().nullable() }).strict();
const resolveBody = z.object({ note: z.string().trim().min(1).max(2000) }).strict();

const thresholdsSchema = z.record(z.string(), z.number());
const rulesSchema = z.object({
  rules: z.array(
    z.object({
      key: z.string(),
      name: z.string(),
      description: z.string(),
      kind: z.enum(['event', 'check']),
      defaultSeverity: z.enum(severities),
      defaultThresholds: thresholdsSchema,
      enabled: z.boolean(),
      severity: z.enum(severities),
      thresholds: thresholdsSchema,
    }),
  ),
  emailMinSeverity: z.enum(severities),
  version: z.number().int(),
});

const alertPath = '/orgs/{orgId}/alerts/{alertId}' as const;

/** The alert inbox and the rules' settings (docs/alerts.md#admin-api). */
export const alertRoutes = [
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/alerts',
    summary: "The organization's alerts, most recent activity first (filters, keyset pages)",
    permission: 'alerts.read',
    scope: 'org',
    query: listQuery,
    response: z.object({ alerts: z.array(alertSchema), nextCursor: z.string().nullable() }),
    async handler(call) {
      const page = await call.services.alerts.inbox.list(call.tx, call.orgId, call.query);
      return { body: { alerts: page.alerts.map(alertJson), nextCursor: page.nextCursor } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: alertPath,
    summary: 'An alert with its first audit events (at most 20)',
    permission: 'alerts.read',
    scope: 'org',
    response: z.object({ alert: alertSchema, events: z.array(auditEventSchema) }),
    async handler(call) {
      const { alert, events } = await call.services.alerts.inbox.get(
        call.tx,
        call.orgId,
        call.params.alertId,
      );
      return { body: { alert: alertJson(alert), events } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${alertPath}/acknowledge`,
    summary: 'Acknowledge an alert (audited; refused once resolved)',
    permission: 'alerts.manage',
    scope: 'org',
    response: alertSchema,
    async handler(call) {
      const { tx, orgId, params, actor } = call;
      const alert = await call.services.alerts.inbox.acknowledge(tx, orgId, params.alertId, actor);
      return { body: alertJson(alert) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${alertPath}/assign`,
    summary:
      'Assign an alert to an active user holding alerts.read or alerts.manage, or unassign it with null (audited)',
    permission: 'alerts.manage',
    scope: 'org',
    body: assignBody,
    example: { assigneeId: null },
    response: alertSchema,
    async handler(call) {
      const { tx, orgId, params, actor, body } = call;
      const alert = await call.services.alerts.inbox.assign(
        tx,
        orgId,
        params.alertId,
        body.assigneeId,
        actor,
      );
      return { body: alertJson(alert) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${alertPath}/resolve`,
    summary: 'Resolve an alert with a note saying why (audited; a later event raises a new one)',
    permission: 'alerts.manage',
    scope: 'org',
    body: resolveBody,
    example: { note: 'Checked with the user: a forgotten password, reset.' },
    response: alertSchema,
    async handler(call) {
      const { tx, orgId, params, actor, body } = call;
      const alert = await call.services.alerts.inbox.resolve(
        tx,
        orgId,
        params.alertId,
        body.note,
        actor,
      );
      return { body: alertJson(alert) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/alert-rules',
    summary:
      "Every detection rule with its defaults and the organization's settings (change them through the alerts policy)",
    permission: 'alerts.read',
    scope: 'org',
    response: rulesSchema,
    async handler(call) {
      return { body: await call.services.alerts.rules(call.tx, call.orgId) };
    },
  }),
];
