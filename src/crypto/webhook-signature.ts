import { constantTimeEqual, hmacSha256, randomBytesOf } from './primitives.ts';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com/, docs/webhooks.md#headers):
 * a receiver verifies with any implementation of the specification, e.g. the `standardwebhooks`
 * library, which the tests use.
 */
export const webhookSecretPrefix = 'whsec_';

/** The specification allows keys of 24 to 64 bytes; Vigil draws 32 (256 bits). */
const keyBytes = { min: 24, max: 64, drawn: 32 };

/** A new signing secret, `whsec_` and the base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return `${webhookSecretPrefix}${randomBytesOf(keyBytes.drawn).toString('base64')}`;
}

/** The key inside a `whsec_…` secret; throws on anything else (never signs with a bad key). */
export function webhookSecretKey(secret: string): Buffer {
  if (!secret.startsWith(webhookSecretPrefix)) throw new TypeError('not a whsec_ secret');
  const encoded = secret.slice(webhookSecretPrefix.length);
  const key = Buffer.from(encoded, 'base64');
  if (key.toString('base64') !== encoded || key.length < keyBytes.min || key.length > keyBytes.max)
    throw new TypeError(`a webhook secret holds ${keyBytes.min}–${keyBytes.max} bytes in base64`);
  return key;
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`; `timestamp` in whole seconds. */
export function webhookSignature(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
): string {
  const mac = hmacSha256(webhookSecretKey(secret), `${id}.${timestamp}.${body}`);
  return `v1,${mac.toString('base64')}`;
}

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * The three headers of one message. `secrets` are the endpoint's live secrets, newest first:
 * while a rotated secret still overlaps, the message carries a signature under each, space
 * separated, so a receiver on either secret accepts it.
 */
export function webhookHeaders(
  secrets: readonly string[],
  message: { id: string; at: Date; body: string },
): WebhookHeaders {
  if (secrets.length === 0) throw new TypeError('no secret to sign with');
  const timestamp = Math.floor(message.at.getTime() / 1000);
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets
      .map((secret) => webhookSignature(secret, message.id, timestamp, message.body))
      .join(' '),
  };
}

/**
 * Whether `headers` sign `body` under `secret` within `toleranceSeconds` of `now` (either way: a
 * replay after the window, or a clock far ahead, fails). For Vigil's own receivers and tests.
 */
export function verifyWebhook(
  secret: string,
  headers: Partial<WebhookHeaders>,
  body: string,
  now: Date,
  toleranceSeconds = 300,
): boolean {
  const id = headers['webhook-id'];
  const timestamp = Number(headers['webhook-timestamp']);
  const signatures = headers['webhook-signature']?.split(' ') ?? [];
  if (!id || !Number.isInteger(timestamp)) return false;
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = webhookSignature(secret, id, timestamp, body);
  // Every candidate is compared, so the time does not tell which one matched.
  return signatures.map((s) => constantTimeEqual(s, expected)).some(Boolean);
}
