import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { operatorActor, withPlatform } from '../src/platform/index.ts';
import { cliStore } from './support/cli.ts';
import { queueDelivery, type Receiver, startReceiver } from './support/webhooks.ts';

/** `vigil webhooks …` and `vigil alerts deliveries|retry` against a real store. */
describe('vigil CLI: webhooks and alert deliveries', () => {
  const store = cliStore({ migrated: true });
  const { withServices, audited } = store;
  const vigil = (args: string[]) => store.vigil(args, { VIGIL_OUTBOUND_ALLOW: '127.0.0.1/32' });
  let receiver: Receiver;
  let orgId: string;
  let endpointId: string;
  let secret: string;

  before(async () => {
    await store.open();
    receiver = await startReceiver();
    orgId = await withServices((services, core) =>
      withPlatform(core.database, async (tx) => {
        const org = await services.tenancy.createOrganization(
          tx,
          { slug: 'acme', name: 'Acme' },
          operatorActor,
        );
        return org.id;
      }),
    );
  });
  after(async () => {
    await receiver.close();
    await store.close();
  });

  it('adds an endpoint, printing its secret once; lists it without', async () => {
    const added = await vigil([
      'webhooks',
      'add',
      '--org',
      'acme',
      '--name',
      'Pager',
      '--url',
      receiver.url(),
      '--min-severity',
      'high',
      '--json',
    ]);
    assert.equal(added.code, 0, added.stderr);
    const body = JSON.parse(added.stdout);
    endpointId = body.endpoint.id;
    secret = body.secret;
    assert.match(secret, /^whsec_/);
    assert.equal(body.endpoint.minSeverity, 'high');

    const listed = await vigil(['webhooks', 'list', '--org', 'acme']);
    assert.equal(listed.code, 0);
    assert.match(
      listed.stdout,
      new RegExp(`${endpointId}\\s+Pager\\s+${receiver.url()}\\s+high\\s+yes`),
    );
    assert.doesNotMatch(listed.stdout, /whsec_/);
    const [event] = await audited('webhook.endpoint.created');
    assert.equal(event?.actorType, 'operator');
  });

  it('refuses a private URL (exit 1) and bad usage (exit 2), changing nothing', async () => {
    const refused = await vigil([
      'webhooks',
      'add',
      '--org',
      'acme',
      '--name',
      'x',
      '--url',
      'https://10.1.2.3/hook',
    ]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /10\.1\.2\.3 is a private address/);
    const usage: [string[], RegExp][] = [
      [['webhooks', 'add', '--org', 'acme', '--url', receiver.url()], /needs --name NAME/],
      [['webhooks', 'add', '--name', 'x', '--url', receiver.url()], /needs --org SLUG/],
      [
        [
          'webhooks',
          'add',
          '--org',
          'acme',
          '--name',
          'x',
          '--url',
          receiver.url(),
          '--min-severity',
          'urgent',
        ],
        /--min-severity must be one of/,
      ],
      [['webhooks', 'update', endpointId, '--org', 'acme'], /needs --name, --url/],
      [['webhooks', 'update', endpointId, '--org', 'acme', '--enable', '--disable'], /not both/],
      [['webhooks', 'delete', 'nope', '--org', 'acme'], /nope is not a valid endpoint id/],
      [['alerts', 'deliveries', '--org', 'acme', '--status', 'lost'], /--status must be one of/],
    ];
    for (const [args, message] of usage) {
      const run = await vigil(args);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, message, args.join(' '));
    }
    const listed = JSON.parse(
      (await vigil(['webhooks', 'list', '--org', 'acme', '--json'])).stdout,
    );
    assert.equal(listed.endpoints.length, 1);
  });

  it('updates, tests (signed, verified by standardwebhooks), rotates', async () => {
    const updated = await vigil([
      'webhooks',
      'update',
      endpointId,
      '--org',
      'acme',
      '--name',
      'Pager 2',
      '--disable',
    ]);
    assert.equal(updated.code, 0, updated.stderr);
    assert.match(updated.stdout, /"Pager 2".*disabled/);

    const tested = await vigil(['webhooks', 'test', endpointId, '--org', 'acme']);
    assert.equal(tested.code, 0, tested.stderr);
    assert.match(tested.stdout, /delivered: the endpoint answered 200/);
    const got = receiver.received.at(-1);
    assert.ok(got);
    assert.ok(new Webhook(secret).verify(got.body, got.headers as Record<string, string>));

    receiver.answer(404);
    const failing = await vigil(['webhooks', 'test', endpointId, '--org', 'acme']);
    assert.equal(failing.code, 1);
    assert.match(failing.stdout, /not delivered: HTTP 404/);
    receiver.answer(200);

    const rotated = await vigil(['webhooks', 'rotate', endpointId, '--org', 'acme', '--json']);
    assert.equal(rotated.code, 0);
    assert.notEqual(JSON.parse(rotated.stdout).secret, secret);
  });

  it('lists the dead letters and retries one; deletes the endpoint', async () => {
    const database = await withServices(async (_services, core) => core.database);
    const id = await queueDelivery(database, orgId, new Date(), {
      endpointId,
      url: receiver.url(),
    });
    const deleted = await vigil(['webhooks', 'delete', endpointId, '--org', 'acme']);
    assert.equal(deleted.code, 0, deleted.stderr);

    const dead = await vigil(['alerts', 'deliveries', '--org', 'acme', '--status', 'dead']);
    assert.equal(dead.code, 0);
    assert.match(dead.stdout, new RegExp(`${id}.*webhook.*dead\\s+0\\s+-\\s+endpoint deleted`));
    const none = await vigil(['alerts', 'deliveries', '--org', 'acme', '--status', 'pending']);
    assert.match(none.stdout, /no pending alert deliveries in acme/);

    const retried = await vigil(['alerts', 'retry', id, '--org', 'acme', '--json']);
    assert.equal(retried.code, 0, retried.stderr);
    assert.equal(JSON.parse(retried.stdout).delivery.status, 'pending');
    const again = await vigil(['alerts', 'retry', id, '--org', 'acme']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /only a dead one can be sent again/);
    assert.equal((await audited('alert.delivery.retried')).length, 1);
  });
});
