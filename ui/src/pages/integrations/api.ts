import { request } from '../../api.ts';
import type { Severity } from '../alerts/api.ts';

/** Where an organization's alerts are posted, signed per Standard Webhooks (docs/alerts.md). */
export interface WebhookEndpoint {
  id: string;
  name: string;
  url: string;
  minSeverity: Severity;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface EndpointInput {
  name: string;
  url: string;
  minSeverity: Severity;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

/** One notification of one alert to one recipient (a mail address or an endpoint's URL). */
export interface Delivery {
  id: string;
  alertId: string;
  channel: 'email' | 'webhook';
  recipient: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  lastStatus: number | null;
  createdAt: string;
  deliveredAt: string | null;
}

export type StreamKind = 'syslog' | 'webhook';
export type StreamFormat = 'ocsf' | 'jsonl';

/** A stream of the audit log to a SIEM (docs/siem.md), with how far behind it is. */
export interface SiemStream {
  id: string;
  name: string;
  kind: StreamKind;
  format: StreamFormat;
  url: string;
  enabled: boolean;
  /** Events written but not yet received. */
  lag: number;
  failures: number;
  lastError: string | null;
  lastDeliveredAt: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
}

export interface StreamInput {
  name: string;
  kind: StreamKind;
  format: StreamFormat;
  url: string;
  caPem?: string;
  from: 'now' | 'beginning';
}

const org = (orgId: string) => `/orgs/${encodeURIComponent(orgId)}`;
const endpoint = (orgId: string, id: string) => `${org(orgId)}/webhooks/${encodeURIComponent(id)}`;
const stream = (orgId: string, id: string) =>
  `${org(orgId)}/siem-streams/${encodeURIComponent(id)}`;

export const integrationsApi = {
  endpoints: async (orgId: string) =>
    (await request<{ endpoints: WebhookEndpoint[] }>(`${org(orgId)}/webhooks`)).body.endpoints,
  /** A new endpoint and its signing secret, answered this once. */
  createEndpoint: async (orgId: string, input: EndpointInput) =>
    (
      await request<{ endpoint: WebhookEndpoint; secret: string }>(`${org(orgId)}/webhooks`, {
        method: 'POST',
        body: input,
      })
    ).body,
  updateEndpoint: async (
    orgId: string,
    id: string,
    change: Partial<EndpointInput> & { enabled?: boolean },
  ) =>
    (await request<WebhookEndpoint>(endpoint(orgId, id), { method: 'PATCH', body: change })).body,
  rotateEndpointSecret: async (orgId: string, id: string) =>
    (
      await request<{ secret: string }>(`${endpoint(orgId, id)}/rotate-secret`, {
        method: 'POST',
        body: {},
      })
    ).body.secret,
  deleteEndpoint: async (orgId: string, id: string) => {
    await request(endpoint(orgId, id), { method: 'DELETE' });
  },
  /** Posts a test notification now: whether the endpoint took it, and its answer. */
  testEndpoint: async (orgId: string, id: string) =>
    (
      await request<{ delivered: boolean; status: number | null; error: string | null }>(
        `${endpoint(orgId, id)}/test`,
        { method: 'POST', body: {} },
      )
    ).body,
  deliveries: async (orgId: string, status: DeliveryStatus | undefined, cursor?: string) => {
    const query = new URLSearchParams();
    if (status) query.set('status', status);
    if (cursor) query.set('cursor', cursor);
    const { body } = await request<{ deliveries: Delivery[]; nextCursor: string | null }>(
      `${org(orgId)}/alert-deliveries?${query}`,
    );
    return { items: body.deliveries, nextCursor: body.nextCursor };
  },
  retryDelivery: async (orgId: string, id: string) => {
    await request(`${org(orgId)}/alert-deliveries/${encodeURIComponent(id)}/retry`, {
      method: 'POST',
      body: {},
    });
  },
  streams: async (orgId: string) =>
    (await request<{ streams: SiemStream[] }>(`${org(orgId)}/siem-streams`)).body.streams,
  /** A new stream; a webhook stream's signing secret is answered this once. */
  createStream: async (orgId: string, input: StreamInput) =>
    (
      await request<{ stream: SiemStream; secret?: string }>(`${org(orgId)}/siem-streams`, {
        method: 'POST',
        body: input,
      })
    ).body,
  updateStream: async (orgId: string, id: string, change: { enabled?: boolean; name?: string }) =>
    (await request<SiemStream>(stream(orgId, id), { method: 'PATCH', body: change })).body,
  rotateStreamSecret: async (orgId: string, id: string) =>
    (
      await request<{ secret: string }>(`${stream(orgId, id)}/rotate-secret`, {
        method: 'POST',
        body: {},
      })
    ).body.secret,
  deleteStream: async (orgId: string, id: string) => {
    await request(stream(orgId, id), { method: 'DELETE' });
  },
};
