import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import {
  createAlertDeliveries,
  createDeliveryWorker,
  createWebhookEndpoints,
  type DeliveryWorker,
  maxAttempts,
  retryDelaysMs,
  type WebhookEndpoint,
  type WebhookEndpoints,
} from '../src/alerts/index.ts';
import {
  createLogger,
  createOutbound,
  fixedClock,
  isAppError,
  type MailMessage,
  operatorActor,
  withOrg,
} from '../src/platform/index.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import {
  auditOf,
  deliveryRow,
  queueDelivery,
  type Receiver,
  startReceiver,
} from './support/webhooks.ts';

describe('alert delivery worker', () => {
  // Near the real time: the standardwebhooks verifier checks the timestamp against its own clock.
  const clock = fixedClock(new Date());
  const mails: MailMessage[] = [];
  let mailDown = false;
  const mailer = {
    async send(message: MailMessage) {
      if (mailDown) throw new Error('SMTP 451 try again later');
      mails.push(message);
    },
  };
  let core: TestCore;
  let receiver: Receiver;
  let webhooks: WebhookEndpoints;
  let worker: DeliveryWorker;
  let acme: string;
  let endpoint: WebhookEndpoint;
  let secret: string;

  const outbound = createOutbound({ allow: ['127.0.0.1'] });
  const workerWith = (options: Partial<Parameters<typeof createDeliveryWorker>[0]> = {}) =>
    createDeliveryWorker({
      database: core.database,
      clock,
      audit: core.audit.record,
      mailer,
      outbound,
      endpoints: webhooks,
      logger: createLogger('silent'),
      timeoutMs: 2000,
      ...options,
    });
  const queueWebhook = (to = endpoint) =>
    queueDelivery(core.database, acme, clock.now(), { endpointId: to.id, url: to.url });
  const deliveries = () => createAlertDeliveries({ audit: core.audit.record, clock });

  before(async () => {
    core = await openTestCore({ clock });
    receiver = await startReceiver();
    webhooks = createWebhookEndpoints({
      keyring: core.keyring,
      audit: core.audit.record,
      clock,
      outbound,
    });
    worker = workerWith();
    acme = await core.createOrg('acme');
    ({ endpoint, secret } = await withOrg(core.database, acme, (tx) =>
      webhooks.create(tx, acme, { name: 'Pager', url: receiver.url() }, operatorActor),
    ));
  });
  after(async () => {
    await receiver.close();
    await core.close();
  });

  it('posts a due delivery signed per Standard Webhooks, with the delivery id as webhook-id', async () => {
    const id = await queueWebhook();
    const round = await worker.runRound();
    assert.deepEqual(round, { delivered: 1, failed: 0, dead: 0 });
    const got = receiver.received.at(-1);
    assert.ok(got);
    assert.equal(got.headers['webhook-id'], id);
    assert.equal(got.headers['content-type'], 'application/json');
    const body = new Webhook(secret).verify(got.body, got.headers as Record<string, string>);
    assert.equal((body as { type: string }).type, 'alert.raised');
    const row = await deliveryRow(core.database, id);
    assert.equal(row.status, 'delivered');
    assert.equal(row.attempts, 1);
    assert.equal(row.last_status, 200);
    assert.ok(row.delivered_at);
    assert.deepEqual(await worker.runRound(), { delivered: 0, failed: 0, dead: 0 }, 'sent once');
  });

  it('a receiver down for a while gets the message after it comes back, with the same webhook-id', async () => {
    await receiver.down();
    const id = await queueWebhook();
    assert.deepEqual(await worker.runRound(), { delivered: 0, failed: 1, dead: 0 });
    let row = await deliveryRow(core.database, id);
    assert.equal(row.status, 'pending');
    assert.equal(row.attempts, 1);
    assert.match(row.last_error ?? '', /outbound\.failed.*ECONNREFUSED/);
    assert.equal(row.next_attempt_at.getTime(), clock.now().getTime() + retryDelaysMs[0]);

    // Not due yet: nothing is tried.
    assert.deepEqual(await worker.runRound(), { delivered: 0, failed: 0, dead: 0 });
    clock.advance(retryDelaysMs[0]);
    assert.deepEqual(await worker.runRound(), { delivered: 0, failed: 1, dead: 0 });
    row = await deliveryRow(core.database, id);
    assert.equal(row.attempts, 2);
    assert.equal(row.next_attempt_at.getTime(), clock.now().getTime() + retryDelaysMs[1]);

    await receiver.up();
    clock.advance(retryDelaysMs[1]);
    const before = receiver.received.length;
    assert.deepEqual(await worker.runRound(), { delivered: 1, failed: 0, dead: 0 });
    row = await deliveryRow(core.database, id);
    assert.equal(row.status, 'delivered');
    assert.equal(row.attempts, 3);
    const got = receiver.received.slice(before);
    assert.equal(got.length, 1);
    const [message] = got;
    assert.ok(message);
    assert.equal(message.headers['webhook-id'], id);
    // Signed at the (advanced) send time: checked with the library's own signer.
    const at = new Date(Number(message.headers['webhook-timestamp']) * 1000);
    assert.equal(at.getTime(), Math.floor(clock.now().getTime() / 1000) * 1000);
    assert.equal(
      message.headers['webhook-signature'],
      new Webhook(secret).sign(id, at, message.body),
    );
  });

  it('goes dead after the last attempt (audited), and a retry from the dead letters delivers it', async () => {
    clock.set(new Date());
    receiver.answer(503);
    const id = await queueWebhook();
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const round = await worker.runRound();
      const last = attempt === maxAttempts;
      assert.deepEqual(
        round,
        { delivered: 0, failed: last ? 0 : 1, dead: last ? 1 : 0 },
        `attempt ${attempt}`,
      );
      clock.advance(retryDelaysMs[attempt - 1] ?? 0);
    }
    let row = await deliveryRow(core.database, id);
    assert.equal(row.status, 'dead');
    assert.equal(row.attempts, maxAttempts);
    assert.equal(row.last_status, 503);
    assert.equal(row.last_error, 'HTTP 503: answer 503');
    const [dead] = await auditOf(core.database, 'alert.delivery.dead', id);
    assert.ok(dead);
    assert.equal(JSON.parse(dead.details).lastStatus, 503);
    assert.deepEqual(await worker.runRound(), { delivered: 0, failed: 0, dead: 0 });

    const deadList = await withOrg(core.database, acme, (tx) =>
      deliveries().list(tx, acme, { status: 'dead', limit: 50 }),
    );
    assert.deepEqual(
      deadList.items.map((d) => d.id),
      [id],
    );
    assert.equal(deadList.items[0]?.nextAttemptAt, null);

    receiver.answer(200);
    clock.set(new Date());
    const retried = await withOrg(core.database, acme, (tx) =>
      deliveries().retry(tx, acme, id, operatorActor),
    );
    assert.equal(retried.status, 'pending');
    assert.equal(retried.attempts, 0);
    assert.equal((await auditOf(core.database, 'alert.delivery.retried', id)).length, 1);
    await assert.rejects(
      withOrg(core.database, acme, (tx) => deliveries().retry(tx, acme, id, operatorActor)),
      (err: unknown) => isAppError(err) && err.code === 'alert.delivery_not_dead',
    );
    assert.deepEqual(await worker.runRound(), { delivered: 1, failed: 0, dead: 0 });
    row = await deliveryRow(core.database, id);
    assert.equal(row.status, 'delivered');
    assert.equal(row.attempts, 1);
  });

  it('refuses at send a URL that the guard refuses now', async () => {
    const strict = workerWith({ outbound: createOutbound({ allow: [] }) });
    const before = receiver.received.length;
    const id = await queueWebhook();
    assert.deepEqual(await strict.runRound(), { delivered: 0, failed: 1, dead: 0 });
    const row = await deliveryRow(core.database, id);
    assert.match(
      row.last_error ?? '',
      /outbound\.target_refused: .*127\.0\.0\.1 is a loopback address/,
    );
    assert.equal(receiver.received.length, before, 'nothing was sent');
    clock.advance(retryDelaysMs[0]);
    await worker.runRound();
  });

  it('a receiver that never answers does not hold up the others', async () => {
    const slow = await startReceiver();
    slow.answer(200, true);
    const { endpoint: slowEndpoint } = await withOrg(core.database, acme, (tx) =>
      webhooks.create(tx, acme, { name: 'Slow', url: slow.url() }, operatorActor),
    );
    const quick = workerWith({ timeoutMs: 300, concurrency: 2 });
    const stuck = await queueWebhook(slowEndpoint);
    const fine = await queueWebhook();
    assert.deepEqual(await quick.runRound(), { delivered: 1, failed: 1, dead: 0 });
    assert.equal((await deliveryRow(core.database, fine)).status, 'delivered');
    const row = await deliveryRow(core.database, stuck);
    assert.equal(row.status, 'pending');
    assert.match(row.last_error ?? '', /outbound\.timed_out/);
    await slow.close();
    await withOrg(core.database, acme, (tx) =>
      webhooks.delete(tx, acme, slowEndpoint.id, operatorActor),
    );
  });

  it('a disabled endpoint gets nothing: its pending deliveries go dead', async () => {
    const id = await queueWebhook();
    await withOrg(core.database, acme, (tx) =>
      webhooks.update(tx, acme, endpoint.id, { enabled: false }, operatorActor),
    );
    assert.deepEqual(await worker.runRound(), { delivered: 0, failed: 0, dead: 1 });
    assert.equal((await deliveryRow(core.database, id)).last_error, 'endpoint disabled');
    await withOrg(core.database, acme, (tx) =>
      webhooks.update(tx, acme, endpoint.id, { enabled: true }, operatorActor),
    );
  });

  it('sends mail deliveries through the mailer, retrying when it fails', async () => {
    mailDown = true;
    const id = await queueDelivery(core.database, acme, clock.now(), { email: 'ada@acme.test' });
    assert.deepEqual(await worker.runRound(), { delivered: 0, failed: 1, dead: 0 });
    assert.match((await deliveryRow(core.database, id)).last_error ?? '', /SMTP 451/);
    mailDown = false;
    clock.advance(retryDelaysMs[0]);
    assert.deepEqual(await worker.runRound(), { delivered: 1, failed: 0, dead: 0 });
    assert.deepEqual(mails.at(-1), {
      to: 'ada@acme.test',
      subject: '[Vigil] high alert',
      text: 'A test alert',
    });
  });

  it('never sends one delivery twice when two runners claim at once', async () => {
    const ids = await Promise.all([queueWebhook(), queueWebhook(), queueWebhook()]);
    const before = receiver.received.length;
    const rounds = await Promise.all([workerWith().runRound(), workerWith().runRound()]);
    assert.equal(
      rounds.reduce((n, r) => n + r.delivered, 0),
      3,
    );
    const sent = receiver.received.slice(before).map((r) => r.headers['webhook-id']);
    assert.deepEqual([...sent].sort(), [...ids].sort());
  });

  it('lists deliveries newest first, a page at a time, filtered by status', async () => {
    const all = [];
    let cursor: string | undefined;
    do {
      const page = await withOrg(core.database, acme, (tx) =>
        deliveries().list(tx, acme, { limit: 2, cursor }),
      );
      all.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    assert.ok(all.length > 4);
    assert.equal(new Set(all.map((d) => d.id)).size, all.length);
    const times = all.map((d) => d.createdAt.getTime());
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
    const delivered = await withOrg(core.database, acme, (tx) =>
      deliveries().list(tx, acme, { status: 'delivered', limit: 200 }),
    );
    assert.ok(delivered.items.every((d) => d.status === 'delivered'));
    await assert.rejects(
      withOrg(core.database, acme, (tx) =>
        deliveries().list(tx, acme, { limit: 2, cursor: 'bogus' }),
      ),
      (err: unknown) => isAppError(err) && err.code === 'alert.delivery_bad_cursor',
    );
  });
});
