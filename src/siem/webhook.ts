import { webhookHeaders } from '../crypto/index.ts';
import type { Outbound } from '../platform/index.ts';
import type { StreamFormat } from './model.ts';
import { eventJson, type Outgoing } from './payload.ts';

/** Requests in flight at once to one receiver. */
const window = 8;

export interface WebhookTarget {
  outbound: Outbound;
  url: string;
  secret: string;
  format: StreamFormat;
  timeoutMs: number;
}

/**
 * POSTs one event per request, signed per Standard Webhooks with `webhook-id` = the event's id,
 * so a receiver that gets an event twice (a resend after a failure) sees the same message id.
 * A 2xx answer means received. Sends a few at a time, in order; answers how many events from
 * the first were received without a gap, and the first failure if there was one (the events
 * after it go again, marked as possible duplicates, at the next attempt).
 */
export async function postEvents(
  target: WebhookTarget,
  events: Outgoing[],
  now: () => Date,
): Promise<{ received: number; failure?: Error }> {
  let received = 0;
  for (let start = 0; start < events.length; start += window) {
    const batch = events.slice(start, start + window);
    const results = await Promise.allSettled(batch.map((out) => postOne(target, out, now())));
    const firstFailed = results.findIndex((r) => r.status === 'rejected');
    if (firstFailed === -1) {
      received += batch.length;
      continue;
    }
    const failed = results[firstFailed] as PromiseRejectedResult;
    return { received: received + firstFailed, failure: asError(failed.reason) };
  }
  return { received };
}

async function postOne(target: WebhookTarget, out: Outgoing, at: Date): Promise<void> {
  const body = eventJson(out, target.format);
  const headers = webhookHeaders([target.secret], { id: out.event.id, at, body });
  const response = await target.outbound.request(target.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...headers,
      ...(out.possibleDuplicate ? { 'vigil-possible-duplicate': 'true' } : {}),
    },
    body,
    timeoutMs: target.timeoutMs,
    maxBodyBytes: 1024,
  });
  if (response.status < 200 || response.status > 299)
    throw new Error(`the receiver answered HTTP ${response.status}`);
}

const asError = (reason: unknown) => (reason instanceof Error ? reason : new Error(String(reason)));
