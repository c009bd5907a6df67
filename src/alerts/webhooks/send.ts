import { webhookHeaders } from '../../crypto/index.ts';
import { isAppError, type Outbound } from '../../platform/index.ts';

/** What one attempt came to: delivered on a 2xx answer; otherwise why not. */
export interface SendResult {
  delivered: boolean;
  /** The receiver's HTTP status (null when there was no answer). */
  status: number | null;
  error: string | null;
}

/** How much of a refusing receiver's answer is kept in the delivery's last error. */
const errorBodyChars = 200;

/**
 * POSTs one Standard Webhooks message (docs/webhooks.md#headers). `id` is the message id a
 * receiver deduplicates on: the same for every attempt of one delivery. The URL goes through
 * the outbound client's SSRF guard again now: what resolved to a public address when the
 * endpoint was saved may not any more.
 */
export async function sendWebhook(
  outbound: Outbound,
  message: {
    url: string;
    secrets: string[];
    id: string;
    at: Date;
    body: string;
    timeoutMs: number;
  },
): Promise<SendResult> {
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Vigil-Webhooks/1',
    ...webhookHeaders(message.secrets, message),
  };
  try {
    const answer = await outbound.request(message.url, {
      method: 'POST',
      headers,
      body: message.body,
      timeoutMs: message.timeoutMs,
      maxBodyBytes: 4096,
    });
    if (answer.status >= 200 && answer.status < 300)
      return { delivered: true, status: answer.status, error: null };
    const said = answer.body.toString('utf8').slice(0, errorBodyChars).trim();
    return {
      delivered: false,
      status: answer.status,
      error: `HTTP ${answer.status}${said ? `: ${said}` : ''}`,
    };
  } catch (err) {
    // The guard's refusals and network failures are the receiver's problem, recorded on the
    // delivery; anything else is a bug and goes up.
    if (!isAppError(err)) throw err;
    return { delivered: false, status: null, error: `${err.code}: ${err.message}` };
  }
}
