import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import {
  newWebhookSecret,
  verifyWebhook,
  webhookHeaders,
  webhookSecretKey,
} from '../src/crypto/index.ts';

describe('Standard Webhooks signatures', () => {
  const body = JSON.stringify({
    type: 'alert.raised',
    data: { title: 'Burst of failed sign-ins' },
  });
  const message = { id: 'msg_0193a1b2', at: new Date(), body };

  it('draws whsec_ secrets of 32 random bytes', () => {
    const a = newWebhookSecret();
    assert.match(a, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(webhookSecretKey(a).length, 32);
    assert.notEqual(newWebhookSecret(), a);
  });

  it('signs what the independent standardwebhooks library verifies', () => {
    const secret = newWebhookSecret();
    const headers = webhookHeaders([secret], message);
    assert.equal(headers['webhook-id'], message.id);
    assert.equal(headers['webhook-timestamp'], String(Math.floor(message.at.getTime() / 1000)));
    assert.match(headers['webhook-signature'], /^v1,[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(new Webhook(secret).verify(body, { ...headers }), JSON.parse(body));
    assert.equal(verifyWebhook(secret, headers, body, new Date()), true);
  });

  it('is rejected when one byte of the body, the id or the timestamp changes', () => {
    const secret = newWebhookSecret();
    const headers = webhookHeaders([secret], message);
    const changed = body.replace('Burst', 'Burse');
    assert.throws(
      () => new Webhook(secret).verify(changed, { ...headers }),
      /No matching signature/,
    );
    assert.throws(
      () => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'msg_0193a1b3' }),
      /No matching signature/,
    );
    const later = String(Number(headers['webhook-timestamp']) + 1);
    assert.throws(
      () => new Webhook(secret).verify(body, { ...headers, 'webhook-timestamp': later }),
      /No matching signature/,
    );
    assert.throws(() => new Webhook(newWebhookSecret()).verify(body, { ...headers }));
    assert.equal(verifyWebhook(secret, headers, changed, new Date()), false);
  });

  it('signs with both secrets while a rotated one overlaps; a receiver on either accepts', () => {
    const [current, previous] = [newWebhookSecret(), newWebhookSecret()];
    const headers = webhookHeaders([current, previous], message);
    assert.equal(headers['webhook-signature'].split(' ').length, 2);
    for (const secret of [current, previous])
      assert.deepEqual(new Webhook(secret).verify(body, { ...headers }), JSON.parse(body));
  });

  it('refuses stale timestamps in its own verifier, and malformed secrets', () => {
    const secret = newWebhookSecret();
    const old = webhookHeaders([secret], { ...message, at: new Date(Date.now() - 600_000) });
    assert.equal(verifyWebhook(secret, old, body, new Date()), false);
    assert.throws(() => webhookSecretKey('whsec_c2hvcnQ='), /24–64 bytes/);
    assert.throws(() => webhookSecretKey('sk_abc'), /whsec_/);
  });
});
