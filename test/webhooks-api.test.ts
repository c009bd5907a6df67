import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { User } from '../src/identity/index.ts';
import { withPlatform } from '../src/platform/index.ts';
import { startAdminApiWorld } from './support/admin-api.ts';
import { auditOf, queueDelivery, type Receiver, startReceiver } from './support/webhooks.ts';

type World = Awaited<ReturnType<typeof startAdminApiWorld>>;

describe('admin API: webhook endpoints and alert deliveries', () => {
  let api: World;
  let receiver: Receiver;
  let orgId: string;
  let admin: string;
  let auditor: string;
  let endpointId: string;
  let secret: string;

  const json = (res: { text: string }) => JSON.parse(res.text);
  const call = (method: string, path: string, token: string, body?: unknown) =>
    api.call(method, `/orgs/${orgId}${path}`, token, body);

  before(async () => {
    receiver = await startReceiver();
    api = await startAdminApiWorld(undefined, {
      VIGIL_OUTBOUND_ALLOW: '127.0.0.1',
      // The server's own worker stays out of the way: the tests look at rows it would change.
      VIGIL_ALERTS_DELIVERY_INTERVAL_MS: '600000',
    });
    orgId = api.world.orgId;
    const tokenOf = async (user: Promise<User>) => api.tokenFor(await user);
    admin = await tokenOf(api.userWithRole(orgId, 'hooks-admin@acme.test', 'org-admin'));
    auditor = await tokenOf(api.userWithRole(orgId, 'hooks-audit@acme.test', 'org-auditor'));
  });
  after(async () => {
    await api?.world.close();
    await receiver.close();
  });

  it('creates an endpoint (201 with its secret once), lists it without the secret', async () => {
    const created = await call('POST', '/webhooks', admin, {
      name: 'Pager',
      url: receiver.url(),
      minSeverity: 'high',
    });
    assert.equal(created.status, 201, created.text);
    const body = json(created);
    assert.match(body.secret, /^whsec_/);
    assert.deepEqual(Object.keys(body.endpoint).sort(), [
      'createdAt',
      'enabled',
      'id',
      'minSeverity',
      'name',
      'updatedAt',
      'url',
    ]);
    endpointId = body.endpoint.id;
    secret = body.secret;
    const listed = await call('GET', '/webhooks', auditor);
    assert.equal(listed.status, 200);
    assert.deepEqual(
      json(listed).endpoints.map((e: { id: string }) => e.id),
      [endpointId],
    );
    assert.doesNotMatch(listed.text, /whsec_|secret/);
  });

  it('refuses a private URL with a problem naming the range; writes need alerts.manage', async () => {
    const privateUrl = await call('POST', '/webhooks', admin, {
      name: 'Metadata',
      url: 'https://169.254.169.254/latest',
    });
    assert.equal(privateUrl.status, 400);
    assert.equal(json(privateUrl).code, 'outbound.target_refused');
    assert.match(json(privateUrl).detail ?? json(privateUrl).title, /link-local/);
    const plain = await call('POST', '/webhooks', admin, {
      name: 'x',
      url: 'http://93.184.215.14/',
    });
    assert.equal(json(plain).code, 'outbound.https_required');
    const asAuditor = await call('POST', '/webhooks', auditor, { name: 'x', url: receiver.url() });
    assert.equal(asAuditor.status, 403);
    const patchAsAuditor = await call('PATCH', `/webhooks/${endpointId}`, auditor, { name: 'y' });
    assert.equal(patchAsAuditor.status, 403);
  });

  it('updates, tests, rotates and deletes (204)', async () => {
    const patched = await call('PATCH', `/webhooks/${endpointId}`, admin, {
      name: 'Pager 2',
      minSeverity: 'medium',
    });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(json(patched).name, 'Pager 2');
    assert.equal(json(patched).minSeverity, 'medium');
    const empty = await call('PATCH', `/webhooks/${endpointId}`, admin, {});
    assert.equal(empty.status, 400);

    const tested = await call('POST', `/webhooks/${endpointId}/test`, admin, {});
    assert.deepEqual(json(tested), { delivered: true, status: 200, error: null });
    const got = receiver.received.at(-1);
    assert.ok(got);
    assert.ok(new Webhook(secret).verify(got.body, got.headers as Record<string, string>));

    const rotated = await call('POST', `/webhooks/${endpointId}/rotate-secret`, admin, {});
    assert.equal(rotated.status, 200);
    assert.notEqual(json(rotated).secret, secret);
    secret = json(rotated).secret;

    const deleted = await call('DELETE', `/webhooks/${endpointId}`, admin);
    assert.equal(deleted.status, 204);
    assert.equal(deleted.text, '');
    assert.equal(
      (await auditOf(api.world.core.database, 'webhook.endpoint.deleted', endpointId)).length,
      1,
    );
    const again = await call('DELETE', `/webhooks/${endpointId}`, admin);
    assert.equal(again.status, 404);
    assert.equal(json(again).code, 'webhook.not_found');
  });

  it('lists deliveries by status a page at a time, and retries a dead one (202)', async () => {
    const created = json(
      await call('POST', '/webhooks', admin, { name: 'Second', url: receiver.url('/2') }),
    );
    const database = api.world.core.database;
    const at = new Date();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(
        await queueDelivery(database, orgId, new Date(at.getTime() + i), {
          endpointId: created.endpoint.id,
          url: created.endpoint.url,
        }),
      );
    const [deadId] = ids;
    assert.ok(deadId);
    await withPlatform(database, (tx) =>
      tx
        .updateTable('alert_deliveries')
        .set({ status: 'dead', attempts: 8, last_error: 'HTTP 503', last_status: 503 })
        .where('id', '=', deadId)
        .execute(),
    );

    // The alert engine of the server may have queued (and the delete above killed) its own.
    const dead = await call('GET', '/alert-deliveries?status=dead', auditor);
    assert.equal(dead.status, 200, dead.text);
    const deadList: { id: string; status: string; lastStatus: number | null }[] =
      json(dead).deliveries;
    assert.ok(deadList.every((d) => d.status === 'dead'));
    const mine = deadList.find((d) => d.id === deadId);
    assert.equal(mine?.lastStatus, 503);
    assert.equal(
      deadList.some((d) => ids.slice(1).includes(d.id)),
      false,
    );

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await call(
        'GET',
        `/alert-deliveries?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        auditor,
      );
      const body = json(page);
      assert.ok(body.deliveries.length <= 2);
      seen.push(...body.deliveries.map((d: { id: string }) => d.id));
      cursor = body.nextCursor;
    } while (cursor);
    assert.equal(new Set(seen).size, seen.length, 'each once');
    assert.ok(ids.every((id) => seen.includes(id)));
    const bad = await call('GET', '/alert-deliveries?cursor=bogus', auditor);
    assert.equal(json(bad).code, 'alert.delivery_bad_cursor');

    assert.equal(
      (await call('POST', `/alert-deliveries/${deadId}/retry`, auditor, {})).status,
      403,
    );
    const retried = await call('POST', `/alert-deliveries/${deadId}/retry`, admin, {});
    assert.equal(retried.status, 202, retried.text);
    assert.equal(json(retried).status, 'pending');
    assert.equal(json(retried).attempts, 0);
    const twice = await call('POST', `/alert-deliveries/${deadId}/retry`, admin, {});
    assert.equal(twice.status, 409);
    assert.equal(json(twice).code, 'alert.delivery_not_dead');
    const [retriedEvent] = await auditOf(database, 'alert.delivery.retried', deadId);
    assert.ok(retriedEvent);
    assert.equal(retriedEvent.actor_type, 'user');
  });
});
