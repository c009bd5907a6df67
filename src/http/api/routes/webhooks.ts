import { z } from 'zod';
import { endpointChangeSchema, endpointInputSchema } from '../../../alerts/index.ts';
import { defineRoute, isoDate } from '../route.ts';

/** A webhook endpoint as the API shows it (never its secret). */
const endpointSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  url: z.string(),
  minSeverity: z.enum(['low', 'medium', 'high', 'critical']),
  enabled: z.boolean(),
  createdAt: isoDate,
  updatedAt: isoDate,
});

const deliverySchema = z.object({
  id: z.uuid(),
  alertId: z.uuid(),
  channel: z.enum(['email', 'webhook']),
  recipient: z.string(),
  status: z.enum(['pending', 'delivered', 'dead']),
  attempts: z.number().int(),
  nextAttemptAt: isoDate.nullable(),
  lastError: z.string().nullable(),
  lastStatus: z.number().int().nullable(),
  createdAt: isoDate,
  deliveredAt: isoDate.nullable(),
});

const deliveryListQuery = z
  .object({
    status: z.enum(['pending', 'delivered', 'dead']).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    /** The previous page's `nextCursor`, as it was given. */
    cursor: z.string().min(1).max(200).optional(),
  })
  .strict();

const example = {
  name: 'On-call pager',
  url: 'https://hooks.example.com/vigil',
  minSeverity: 'high' as const,
};

/** Webhook endpoints for alerts and the delivery log with its dead letters (docs/webhooks.md). */
export const webhookRoutes = [
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/webhooks',
    summary: 'Webhook endpoints that alerts are posted to (never their secrets)',
    permission: 'alerts.read',
    scope: 'org',
    response: z.object({ endpoints: z.array(endpointSchema) }),
    async handler(call) {
      return { body: { endpoints: await call.services.webhooks.list(call.tx, call.orgId) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/webhooks',
    summary: 'Add a webhook endpoint: its signing secret is answered this once',
    permission: 'alerts.manage',
    scope: 'org',
    body: endpointInputSchema,
    example,
    response: z.object({ endpoint: endpointSchema, secret: z.string() }),
    async handler(call) {
      const created = await call.services.webhooks.create(
        call.tx,
        call.orgId,
        call.body,
        call.actor,
      );
      return { status: 201, body: created };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/orgs/{orgId}/webhooks/{webhookId}',
    summary: "Change a webhook endpoint's name, URL, minimum severity or whether it is enabled",
    permission: 'alerts.manage',
    scope: 'org',
    body: endpointChangeSchema,
    example: { enabled: false },
    response: endpointSchema,
    async handler(call) {
      const { webhooks } = call.services;
      const id = call.params.webhookId;
      return { body: await webhooks.update(call.tx, call.orgId, id, call.body, call.actor) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/webhooks/{webhookId}/rotate-secret',
    summary: "Replace a webhook endpoint's signing secret (the new one is answered this once)",
    permission: 'alerts.manage',
    scope: 'org',
    response: z.object({ secret: z.string() }),
    async handler(call) {
      const { webhooks } = call.services;
      const id = call.params.webhookId;
      return { body: { secret: await webhooks.rotateSecret(call.tx, call.orgId, id, call.actor) } };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/orgs/{orgId}/webhooks/{webhookId}',
    summary: 'Delete a webhook endpoint (what was pending for it goes to the dead letters)',
    permission: 'alerts.manage',
    scope: 'org',
    response: z.undefined(),
    async handler(call) {
      await call.services.webhooks.delete(call.tx, call.orgId, call.params.webhookId, call.actor);
      return { status: 204, body: undefined };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/webhooks/{webhookId}/test',
    summary: 'Post a signed test message to the endpoint now and say how it answered',
    permission: 'alerts.manage',
    scope: 'org',
    response: z.object({
      delivered: z.boolean(),
      status: z.number().int().nullable(),
      error: z.string().nullable(),
    }),
    async handler(call) {
      return {
        body: await call.services.webhooks.test(call.tx, call.orgId, call.params.webhookId),
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/alert-deliveries',
    summary:
      'Alert notifications (mail, webhooks), newest first; status=dead is the dead-letter list',
    permission: 'alerts.read',
    scope: 'org',
    query: deliveryListQuery,
    response: z.object({ deliveries: z.array(deliverySchema), nextCursor: z.string().nullable() }),
    async handler(call) {
      const page = await call.services.alertDeliveries.list(call.tx, call.orgId, call.query);
      return { body: { deliveries: page.items, nextCursor: page.nextCursor } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/alert-deliveries/{deliveryId}/retry',
    summary: 'Send a dead alert notification again (pending now, attempts from zero)',
    permission: 'alerts.manage',
    scope: 'org',
    response: deliverySchema,
    async handler(call) {
      const { alertDeliveries } = call.services;
      const id = call.params.deliveryId;
      const delivery = await alertDeliveries.retry(call.tx, call.orgId, id, call.actor);
      return { status: 202, body: delivery };
    },
  }),
];
