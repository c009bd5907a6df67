import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  type Database,
  type Logger,
  type Mailer,
  type Outbound,
  type Tx,
  withOrg,
  withPlatform,
} from '../../platform/index.ts';
import { type EndpointRow, endpointsByIds } from '../webhooks/endpoints.store.ts';
import { type SendResult, sendWebhook } from '../webhooks/send.ts';
import type { WebhookEndpoints } from '../webhooks/service.ts';
import { nextAttemptAfter } from './backoff.ts';
import { auditDead } from './dead.ts';
import * as store from './deliveries.store.ts';
import type { AlertDeliveries, DeliveryQuery } from './log.ts';

export interface DeliveryWorkerDeps {
  database: Database;
  clock: Clock;
  audit: AuditWriter;
  mailer: Mailer;
  outbound: Outbound;
  endpoints: Pick<WebhookEndpoints, 'secretOf'>;
  logger: Logger;
  /** Deliveries claimed at a time (default 50). */
  batchSize?: number;
  /** Batches in one round at most; the rest waits for the next round (default 10). */
  maxBatches?: number;
  /** Sends in flight at once (default 8): a slow receiver holds one slot, not the round. */
  concurrency?: number;
  /** One webhook attempt's limit (default 10 s). */
  timeoutMs?: number;
}

/** One attempt's result; `final` sends it to the dead-letter list whatever the attempt count. */
type Attempt = SendResult & { final?: boolean; recipient?: string };

export interface DeliveryRound {
  delivered: number;
  failed: number;
  dead: number;
}

/**
 * Sends the pending alert notifications (docs/webhooks.md#retries). Any number of nodes may run
 * it at once: a batch is claimed with FOR UPDATE SKIP LOCKED and held (its next attempt moved
 * past the send's time limit) before anything is sent, so two runners never send the same row,
 * and a runner that dies mid-send only delays its batch. Each outcome is written in a
 * transaction of its own; a crash between the send and the write sends it again, which the
 * receiver recognizes by the unchanged webhook-id.
 */
export function createDeliveryWorker(deps: DeliveryWorkerDeps) {
  const { database, clock, logger } = deps;
  const batchSize = deps.batchSize ?? 50;
  const maxBatches = deps.maxBatches ?? 10;
  const concurrency = deps.concurrency ?? 8;
  const timeoutMs = deps.timeoutMs ?? 10_000;
  // A whole batch at `concurrency` sends at a time, with room to spare.
  const holdMs = Math.ceil(batchSize / concurrency) * timeoutMs + 60_000;

  async function claim() {
    return withPlatform(database, async (tx) => {
      const now = clock.now();
      const rows = await store.claimDue(tx, now, batchSize);
      await store.holdUntil(
        tx,
        rows.map((row) => row.id),
        new Date(now.getTime() + holdMs),
      );
      const ids = [...new Set(rows.flatMap((row) => (row.endpoint_id ? [row.endpoint_id] : [])))];
      const endpoints = new Map((await endpointsByIds(tx, ids)).map((e) => [e.id, e]));
      return { rows, endpoints };
    });
  }

  async function sendMail(row: store.DeliveryRow): Promise<Attempt> {
    let message: { subject: string; text: string };
    try {
      message = JSON.parse(row.payload);
    } catch {
      return { delivered: false, status: null, error: 'the payload is not JSON', final: true };
    }
    try {
      await deps.mailer.send({ to: row.recipient, subject: message.subject, text: message.text });
      return { delivered: true, status: null, error: null };
    } catch (err) {
      return { delivered: false, status: null, error: `mail: ${(err as Error).message}` };
    }
  }

  async function post(row: store.DeliveryRow, endpoint: EndpointRow | undefined): Promise<Attempt> {
    if (!endpoint)
      return { delivered: false, status: null, error: 'endpoint deleted', final: true };
    if (!endpoint.enabled)
      return { delivered: false, status: null, error: 'endpoint disabled', final: true };
    const result = await sendWebhook(deps.outbound, {
      url: endpoint.url,
      secrets: [await deps.endpoints.secretOf(endpoint)],
      id: row.id,
      at: clock.now(),
      body: row.payload,
      timeoutMs,
    });
    return { ...result, recipient: endpoint.url };
  }

  async function record(row: store.DeliveryRow, attempt: Attempt, round: DeliveryRound) {
    await withOrg(database, row.org_id, async (tx) => {
      const now = clock.now();
      const attempts = row.attempts + 1;
      const next = attempt.delivered || attempt.final ? null : nextAttemptAfter(attempts, now);
      const status = attempt.delivered ? 'delivered' : next ? 'pending' : 'dead';
      const updated = await store.recordAttempt(tx, row.id, {
        status,
        attempts,
        nextAttemptAt: next ?? now,
        lastError: attempt.error,
        lastStatus: attempt.status,
        deliveredAt: attempt.delivered ? now : null,
        recipient: attempt.recipient ?? row.recipient,
      });
      if (!updated) return;
      if (status === 'dead') await auditDead(deps.audit, tx, updated);
      round[status === 'delivered' ? 'delivered' : status === 'dead' ? 'dead' : 'failed'] += 1;
    });
  }

  async function deliver(
    row: store.DeliveryRow,
    endpoints: Map<string, EndpointRow>,
    round: DeliveryRound,
  ) {
    let attempt: Attempt;
    try {
      attempt =
        row.channel === 'email'
          ? await sendMail(row)
          : await post(row, row.endpoint_id ? endpoints.get(row.endpoint_id) : undefined);
    } catch (err) {
      logger.error({ err, deliveryId: row.id }, 'alert delivery: an attempt failed unexpectedly');
      attempt = { delivered: false, status: null, error: 'internal error (see the server log)' };
    }
    await record(row, attempt, round);
  }

  return {
    /** Sends what is due now: a few batches, each with bounded concurrency. */
    async runRound(): Promise<DeliveryRound> {
      const round: DeliveryRound = { delivered: 0, failed: 0, dead: 0 };
      for (let batch = 0; batch < maxBatches; batch++) {
        const { rows, endpoints } = await claim();
        const queue = [...rows];
        const lane = async () => {
          for (let row = queue.shift(); row; row = queue.shift()) {
            await deliver(row, endpoints, round).catch((err: unknown) =>
              logger.error({ err, deliveryId: row?.id }, 'alert delivery: recording failed'),
            );
          }
        };
        await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, lane));
        if (rows.length < batchSize) break;
      }
      return round;
    },
  };
}

export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;

/**
 * The operator's use cases (the command line, docs/adr/0011-transaction-owner.md): each call in
 * a transaction of its own in the organization. The admin API calls the `tx`-taking methods in
 * its request's transaction instead.
 */
export function alertNotificationsInOrg(
  database: Database,
  services: { webhooks: WebhookEndpoints; deliveries: AlertDeliveries },
) {
  const { webhooks, deliveries } = services;
  const inOrg = <T>(orgId: string, use: (tx: Tx) => Promise<T>) => withOrg(database, orgId, use);
  return {
    list: (orgId: string) => inOrg(orgId, (tx) => webhooks.list(tx, orgId)),
    create: (orgId: string, input: unknown, actor: AuditActor) =>
      inOrg(orgId, (tx) => webhooks.create(tx, orgId, input, actor)),
    update: (orgId: string, id: string, input: unknown, actor: AuditActor) =>
      inOrg(orgId, (tx) => webhooks.update(tx, orgId, id, input, actor)),
    rotateSecret: (orgId: string, id: string, actor: AuditActor) =>
      inOrg(orgId, (tx) => webhooks.rotateSecret(tx, orgId, id, actor)),
    delete: (orgId: string, id: string, actor: AuditActor) =>
      inOrg(orgId, (tx) => webhooks.delete(tx, orgId, id, actor)),
    test: (orgId: string, id: string) => inOrg(orgId, (tx) => webhooks.test(tx, orgId, id)),
    deliveries: (orgId: string, query: DeliveryQuery) =>
      inOrg(orgId, (tx) => deliveries.list(tx, orgId, query)),
    retry: (orgId: string, id: string, actor: AuditActor) =>
      inOrg(orgId, (tx) => deliveries.retry(tx, orgId, id, actor)),
  };
}

export type AlertNotificationsInOrg = ReturnType<typeof alertNotificationsInOrg>;
