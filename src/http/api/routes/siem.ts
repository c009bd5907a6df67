import { z } from 'zod';
import { streamInputSchema, streamUpdateSchema } from '../../../siem/index.ts';
import { defineRoute, isoDate } from '../route.ts';

/** A SIEM stream as the API shows it (never a webhook stream's secret). */
const streamSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: z.enum(['syslog', 'webhook']),
  format: z.enum(['ocsf', 'jsonl']),
  url: z.string(),
  caPem: z.string().nullable(),
  enabled: z.boolean(),
  /** Events written to the audit log and not yet received (counted up to 100,000). */
  lag: z.number().int(),
  failures: z.number().int(),
  lastError: z.string().nullable(),
  lastDeliveredAt: isoDate.nullable(),
  nextAttemptAt: isoDate.nullable(),
  createdAt: isoDate,
});

/** SIEM streams of the audit log (docs/siem.md): syslog over TLS and signed webhooks. */
export const siemRoutes = [
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/siem-streams',
    summary: "The organization's SIEM streams, each with how far behind it is",
    permission: 'audit.read',
    scope: 'org',
    response: z.object({ streams: z.array(streamSchema) }),
    async handler(call) {
      return { body: { streams: await call.services.siemStreams.list(call.tx, call.orgId) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/siem-streams',
    summary: "Add a SIEM stream: a webhook stream's signing secret is answered this once",
    permission: 'alerts.manage',
    scope: 'org',
    body: streamInputSchema,
    example: {
      name: 'SOC collector',
      kind: 'syslog',
      format: 'ocsf',
      url: 'syslog+tls://siem.example.com:6514',
      from: 'now',
    },
    response: z.object({ stream: streamSchema, secret: z.string().optional() }),
    async handler(call) {
      const { stream, secret } = await call.services.siemStreams.create(
        call.tx,
        call.orgId,
        call.body,
        call.actor,
      );
      return { status: 201, body: { stream, ...(secret ? { secret } : {}) } };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/orgs/{orgId}/siem-streams/{streamId}',
    summary: "Change a SIEM stream's name, URL, format, CA or whether it is enabled",
    permission: 'alerts.manage',
    scope: 'org',
    body: streamUpdateSchema,
    example: { enabled: false },
    response: streamSchema,
    async handler(call) {
      const { siemStreams } = call.services;
      const id = call.params.streamId;
      return { body: await siemStreams.update(call.tx, call.orgId, id, call.body, call.actor) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/siem-streams/{streamId}/rotate-secret',
    summary: "Replace a webhook stream's signing secret (the new one is answered this once)",
    permission: 'alerts.manage',
    scope: 'org',
    response: z.object({ secret: z.string() }),
    async handler(call) {
      const { siemStreams } = call.services;
      const id = call.params.streamId;
      return {
        body: { secret: await siemStreams.rotateSecret(call.tx, call.orgId, id, call.actor) },
      };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/orgs/{orgId}/siem-streams/{streamId}',
    summary: 'Delete a SIEM stream',
    permission: 'alerts.manage',
    scope: 'org',
    response: z.undefined(),
    async handler(call) {
      await call.services.siemStreams.remove(call.tx, call.orgId, call.params.streamId, call.actor);
      return { status: 204, body: undefined };
    },
  }),
];
