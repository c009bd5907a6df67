import { z } from 'zod';
import { type Keyring, newWebhookSecret } from '../../crypto/index.ts';
import {
  type AlertSeverity,
  type AuditActor,
  type AuditWriter,
  type Clock,
  newId,
  type Outbound,
  parseInput,
  type Tx,
} from '../../platform/index.ts';
import { auditDead } from '../deliveries/dead.ts';
import { killPendingOfEndpoint } from '../deliveries/deliveries.store.ts';
import * as store from './endpoints.store.ts';
import { webhookErrors } from './errors.ts';
import { type SendResult, sendWebhook } from './send.ts';

/** Where an endpoint's secret is stored: a keyring ciphertext bound to the endpoint's row. */
export const webhookSecretColumn = {
  table: 'webhook_endpoints',
  column: 'secret_enc',
  idColumn: 'id',
};

const name = z.string().trim().min(1).max(200);
const url = z.string().trim().min(1).max(2000);
/** The alert severities, lowest first (an endpoint gets alerts at or above its minimum). */
const severityLevels = ['low', 'medium', 'high', 'critical'] as const satisfies AlertSeverity[];
const minSeverity = z.enum(severityLevels);

export const endpointInputSchema = z
  .object({ name, url, minSeverity: minSeverity.default('medium') })
  .strict();

export const endpointChangeSchema = z
  .object({
    name: name.optional(),
    url: url.optional(),
    minSeverity: minSeverity.optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((change) => Object.values(change).some((v) => v !== undefined), {
    message: 'change at least one of name, url, minSeverity, enabled',
  });

/** A webhook endpoint as the API shows it (never its secret). */
export interface WebhookEndpoint {
  id: string;
  orgId: string;
  name: string;
  url: string;
  minSeverity: AlertSeverity;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const toEndpoint = (row: store.EndpointRow): WebhookEndpoint => ({
  id: row.id,
  orgId: row.org_id,
  name: row.name,
  url: row.url,
  minSeverity: row.min_severity,
  enabled: row.enabled,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** What the audit log keeps of an endpoint: what an auditor compares before and after. */
const audited = (e: Pick<WebhookEndpoint, 'name' | 'url' | 'minSeverity' | 'enabled'>) => ({
  name: e.name,
  url: e.url,
  minSeverity: e.minSeverity,
  enabled: e.enabled,
});

export interface WebhookEndpointsDeps {
  keyring: Keyring;
  audit: AuditWriter;
  clock: Clock;
  outbound: Outbound;
  /** How long the test message may take (it is sent while the caller waits). */
  testTimeoutMs?: number;
}

/** Where an organization's alerts are posted (docs/webhooks.md). */
export function createWebhookEndpoints(deps: WebhookEndpointsDeps) {
  const { keyring, clock, outbound } = deps;
  const encrypt = (secret: string, id: string) =>
    keyring.encrypt(secret, { ...webhookSecretColumn, rowId: id });

  async function found(tx: Tx, orgId: string, id: string, lock = false) {
    const row = await store.findEndpoint(tx, orgId, id, lock);
    if (!row) throw webhookErrors.endpointNotFound();
    return row;
  }

  /** The URL, checked by the SSRF guard now (and again at every send). */
  async function checkedUrl(value: string): Promise<string> {
    return (await outbound.checkUrl(value)).url.href;
  }

  return {
    /** Adds an endpoint; its signing secret is returned this once and stored encrypted. */
    async create(
      tx: Tx,
      orgId: string,
      input: unknown,
      actor: AuditActor,
    ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
      const data = parseInput(endpointInputSchema, input, webhookErrors.endpointInvalid);
      const checked = await checkedUrl(data.url);
      const now = clock.now();
      const id = newId(now.getTime());
      const secret = newWebhookSecret();
      const row: store.EndpointRow = {
        id,
        org_id: orgId,
        name: data.name,
        url: checked,
        secret_enc: encrypt(secret, id),
        min_severity: data.minSeverity,
        enabled: true,
        created_by: actor.id ?? null,
        created_at: now,
        updated_at: now,
      };
      await store.insertEndpoint(tx, row);
      const endpoint = toEndpoint(row);
      await deps.audit(tx, {
        orgId,
        action: 'webhook.endpoint.created',
        actor,
        target: { type: 'webhook_endpoint', id },
        details: { after: audited(endpoint) },
      });
      return { endpoint, secret };
    },

    list: async (tx: Tx, orgId: string) => (await store.endpointsOf(tx, orgId)).map(toEndpoint),

    get: async (tx: Tx, orgId: string, id: string) => toEndpoint(await found(tx, orgId, id)),

    async update(
      tx: Tx,
      orgId: string,
      id: string,
      input: unknown,
      actor: AuditActor,
    ): Promise<WebhookEndpoint> {
      const change = parseInput(endpointChangeSchema, input, webhookErrors.endpointInvalid);
      const row = await found(tx, orgId, id, true);
      const before = toEndpoint(row);
      const after: WebhookEndpoint = {
        ...before,
        name: change.name ?? before.name,
        url: change.url === undefined ? before.url : await checkedUrl(change.url),
        minSeverity: change.minSeverity ?? before.minSeverity,
        enabled: change.enabled ?? before.enabled,
        updatedAt: clock.now(),
      };
      await store.updateEndpoint(tx, id, {
        name: after.name,
        url: after.url,
        min_severity: after.minSeverity,
        enabled: after.enabled,
        updated_at: after.updatedAt,
      });
      await deps.audit(tx, {
        orgId,
        action: 'webhook.endpoint.updated',
        actor,
        target: { type: 'webhook_endpoint', id },
        details: { before: audited(before), after: audited(after) },
      });
      return after;
    },

    /**
     * A new signing secret, returned this once. The old one stops at once (the table keeps one
     * secret): deliveries from now on are signed with the new one only.
     */
    async rotateSecret(tx: Tx, orgId: string, id: string, actor: AuditActor): Promise<string> {
      await found(tx, orgId, id, true);
      const secret = newWebhookSecret();
      await store.updateEndpoint(tx, id, {
        secret_enc: encrypt(secret, id),
        updated_at: clock.now(),
      });
      await deps.audit(tx, {
        orgId,
        action: 'webhook.endpoint.secret_rotated',
        actor,
        target: { type: 'webhook_endpoint', id },
        details: {},
      });
      return secret;
    },

    /** Deletes an endpoint; what was still pending for it goes to the dead-letter list. */
    async delete(tx: Tx, orgId: string, id: string, actor: AuditActor): Promise<void> {
      const row = await found(tx, orgId, id, true);
      const dead = await killPendingOfEndpoint(tx, id, 'endpoint deleted', clock.now());
      for (const delivery of dead) await auditDead(deps.audit, tx, delivery);
      await store.deleteEndpoint(tx, id);
      await deps.audit(tx, {
        orgId,
        action: 'webhook.endpoint.deleted',
        actor,
        target: { type: 'webhook_endpoint', id },
        details: { before: audited(toEndpoint(row)), deadDeliveries: dead.length },
      });
    },

    /**
     * Sends a test message now and says how the receiver answered (nothing is stored: the
     * administrator sees the answer at once).
     */
    async test(tx: Tx, orgId: string, id: string): Promise<SendResult> {
      const row = await found(tx, orgId, id);
      const secret = await this.secretOf(row);
      const at = clock.now();
      const messageId = newId(at.getTime());
      const body = JSON.stringify({
        type: 'webhook.test',
        timestamp: at.toISOString(),
        data: { endpointId: id, orgId, message: 'A test message from Vigil' },
      });
      return sendWebhook(outbound, {
        url: row.url,
        secrets: [secret],
        id: messageId,
        at,
        body,
        timeoutMs: deps.testTimeoutMs ?? 5000,
      });
    },

    /** The endpoint's signing secret, decrypted for a send. */
    async secretOf(row: store.EndpointRow): Promise<string> {
      return (
        await keyring.decrypt(row.secret_enc, { ...webhookSecretColumn, rowId: row.id })
      ).toString();
    },
  };
}

export type WebhookEndpoints = ReturnType<typeof createWebhookEndpoints>;
