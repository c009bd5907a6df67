import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import {
  createWebhookEndpoints,
  type WebhookEndpoints,
  webhookSecretColumn,
} from '../src/alerts/index.ts';
import { webhookSecretKey } from '../src/crypto/index.ts';
import {
  createOutbound,
  fixedClock,
  isAppError,
  operatorActor,
  type Tx,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import {
  auditOf,
  deliveryRow,
  queueDelivery,
  type Receiver,
  startReceiver,
} from './support/webhooks.ts';

const refused = (code: string) => (err: unknown) => isAppError(err) && err.code === code;

describe('webhook endpoints', () => {
  const clock = fixedClock(new Date());
  let core: TestCore;
  let receiver: Receiver;
  let webhooks: WebhookEndpoints;
  let acme: string;
  let globex: string;

  const inAcme = <T>(fn: (tx: Tx) => Promise<T>) => withOrg(core.database, acme, fn);
  const storedRow = (id: string) =>
    withPlatform(core.database, (tx) =>
      tx.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
    );

  before(async () => {
    core = await openTestCore({ clock });
    receiver = await startReceiver();
    webhooks = createWebhookEndpoints({
      keyring: core.keyring,
      audit: core.audit.record,
      clock,
      // The receivers of the tests listen on loopback, which only this allows.
      outbound: createOutbound({ allow: ['127.0.0.1/32'] }),
      testTimeoutMs: 2000,
    });
    acme = await core.createOrg('acme');
    globex = await core.createOrg('globex');
  });
  after(async () => {
    await receiver.close();
    await core.close();
  });

  it('creates an endpoint, answers its secret once, and stores it only encrypted, bound to the row', async () => {
    const { endpoint, secret } = await inAcme((tx) =>
      webhooks.create(
        tx,
        acme,
        { name: 'Pager', url: receiver.url(), minSeverity: 'high' },
        operatorActor,
      ),
    );
    assert.equal(endpoint.name, 'Pager');
    assert.equal(endpoint.url, receiver.url());
    assert.equal(endpoint.minSeverity, 'high');
    assert.equal(endpoint.enabled, true);
    assert.equal(webhookSecretKey(secret).length, 32);
    assert.equal('secret' in endpoint, false);

    const row = await storedRow(endpoint.id);
    const key = webhookSecretKey(secret).toString('base64');
    assert.equal(row.secret_enc.includes(key), false, 'no plaintext secret in the column');
    assert.equal(row.secret_enc.includes(secret), false);
    const opened = await core.keyring.decrypt(row.secret_enc, {
      ...webhookSecretColumn,
      rowId: endpoint.id,
    });
    assert.equal(opened.toString(), secret);
    // Copied onto another row, the ciphertext does not open (the row id is its additional data).
    await assert.rejects(
      core.keyring.decrypt(row.secret_enc, { ...webhookSecretColumn, rowId: globex }),
    );

    const [created] = await auditOf(core.database, 'webhook.endpoint.created', endpoint.id);
    assert.ok(created);
    assert.deepEqual(JSON.parse(created.details).after, {
      name: 'Pager',
      url: receiver.url(),
      minSeverity: 'high',
      enabled: true,
    });
    assert.doesNotMatch(created.details, new RegExp(key.slice(0, 20).replace(/[+/]/g, '.')));
  });

  it('refuses a private or loopback URL at create, and https only unless the host is allowed', async () => {
    for (const url of ['http://10.0.0.5/hook', 'https://192.168.1.20/hook', 'https://[::1]/hook']) {
      await assert.rejects(
        inAcme((tx) => webhooks.create(tx, acme, { name: 'x', url }, operatorActor)),
        refused('outbound.target_refused'),
        url,
      );
    }
    await assert.rejects(
      inAcme((tx) =>
        webhooks.create(tx, acme, { name: 'x', url: 'http://93.184.215.14/hook' }, operatorActor),
      ),
      refused('outbound.https_required'),
    );
    await assert.rejects(
      inAcme((tx) => webhooks.create(tx, acme, { name: '', url: receiver.url() }, operatorActor)),
      refused('webhook.invalid'),
    );
    await assert.rejects(
      inAcme((tx) =>
        webhooks.create(
          tx,
          acme,
          { name: 'x', url: receiver.url(), minSeverity: 'urgent' },
          operatorActor,
        ),
      ),
      refused('webhook.invalid'),
    );
    assert.equal((await inAcme((tx) => webhooks.list(tx, acme))).length, 1);
  });

  it('updates name, URL (checked again), severity and state, audited with before and after', async () => {
    const [endpoint] = await inAcme((tx) => webhooks.list(tx, acme));
    assert.ok(endpoint);
    await assert.rejects(
      inAcme((tx) =>
        webhooks.update(tx, acme, endpoint.id, { url: 'https://169.254.169.254/' }, operatorActor),
      ),
      refused('outbound.target_refused'),
    );
    await assert.rejects(
      inAcme((tx) => webhooks.update(tx, acme, endpoint.id, {}, operatorActor)),
      refused('webhook.invalid'),
    );
    clock.advance(1000);
    const updated = await inAcme((tx) =>
      webhooks.update(
        tx,
        acme,
        endpoint.id,
        { name: 'Pager 2', minSeverity: 'critical', enabled: false, url: receiver.url('/v2') },
        operatorActor,
      ),
    );
    assert.equal(updated.name, 'Pager 2');
    assert.equal(updated.url, receiver.url('/v2'));
    assert.equal(updated.enabled, false);
    assert.ok(updated.updatedAt > endpoint.updatedAt);
    const [event] = await auditOf(core.database, 'webhook.endpoint.updated', endpoint.id);
    assert.ok(event);
    const details = JSON.parse(event.details);
    assert.equal(details.before.name, 'Pager');
    assert.equal(details.after.minSeverity, 'critical');
    assert.equal(details.after.enabled, false);
    await inAcme((tx) => webhooks.update(tx, acme, endpoint.id, { enabled: true }, operatorActor));
  });

  it('is not seen from another organization', async () => {
    const [endpoint] = await inAcme((tx) => webhooks.list(tx, acme));
    assert.ok(endpoint);
    await assert.rejects(
      withOrg(core.database, globex, (tx) => webhooks.get(tx, globex, endpoint.id)),
      refused('webhook.not_found'),
    );
    await assert.rejects(
      withOrg(core.database, globex, (tx) =>
        webhooks.update(tx, globex, endpoint.id, { name: 'mine' }, operatorActor),
      ),
      refused('webhook.not_found'),
    );
  });

  it('sends a signed test message now and says how the receiver answered', async () => {
    const [endpoint] = await inAcme((tx) => webhooks.list(tx, acme));
    assert.ok(endpoint);
    const secret = await inAcme((tx) =>
      webhooks.rotateSecret(tx, acme, endpoint.id, operatorActor),
    );
    clock.set(new Date());
    const ok = await inAcme((tx) => webhooks.test(tx, acme, endpoint.id));
    assert.deepEqual(ok, { delivered: true, status: 200, error: null });
    const got = receiver.received.at(-1);
    assert.ok(got);
    assert.equal(got.path, '/v2');
    const message = new Webhook(secret).verify(got.body, got.headers as Record<string, string>);
    assert.equal((message as { type: string }).type, 'webhook.test');

    receiver.answer(500);
    const failing = await inAcme((tx) => webhooks.test(tx, acme, endpoint.id));
    assert.deepEqual(failing, { delivered: false, status: 500, error: 'HTTP 500: answer 500' });
    receiver.answer(200);
  });

  it('rotates the secret: the new one signs, the old one no longer does, and it is audited', async () => {
    const [endpoint] = await inAcme((tx) => webhooks.list(tx, acme));
    assert.ok(endpoint);
    const before = (await storedRow(endpoint.id)).secret_enc;
    const old = (
      await core.keyring.decrypt(before, { ...webhookSecretColumn, rowId: endpoint.id })
    ).toString();
    const fresh = await inAcme((tx) => webhooks.rotateSecret(tx, acme, endpoint.id, operatorActor));
    assert.notEqual(fresh, old);
    clock.set(new Date());
    await inAcme((tx) => webhooks.test(tx, acme, endpoint.id));
    const got = receiver.received.at(-1);
    assert.ok(got);
    const headers = got.headers as Record<string, string>;
    assert.ok(new Webhook(fresh).verify(got.body, headers));
    assert.throws(() => new Webhook(old).verify(got.body, headers), /No matching signature/);
    assert.ok(
      (await auditOf(core.database, 'webhook.endpoint.secret_rotated', endpoint.id)).length >= 1,
    );
  });

  it('deletes an endpoint: its pending deliveries go dead, each audited, in the same transaction', async () => {
    const { endpoint } = await inAcme((tx) =>
      webhooks.create(tx, acme, { name: 'Gone soon', url: receiver.url('/gone') }, operatorActor),
    );
    const pending = await queueDelivery(core.database, acme, clock.now(), {
      endpointId: endpoint.id,
      url: endpoint.url,
    });
    await inAcme((tx) => webhooks.delete(tx, acme, endpoint.id, operatorActor));
    const row = await deliveryRow(core.database, pending);
    assert.equal(row.status, 'dead');
    assert.equal(row.last_error, 'endpoint deleted');
    assert.equal(row.endpoint_id, null);
    assert.equal((await auditOf(core.database, 'alert.delivery.dead', pending)).length, 1);
    const [deleted] = await auditOf(core.database, 'webhook.endpoint.deleted', endpoint.id);
    assert.equal(JSON.parse(deleted?.details ?? '{}').deadDeliveries, 1);
    await assert.rejects(
      inAcme((tx) => webhooks.get(tx, acme, endpoint.id)),
      refused('webhook.not_found'),
    );
  });
});
