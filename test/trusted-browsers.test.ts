import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../src/app/server.ts';
import type { StepResult } from '../src/auth/flows/index.ts';
import { maxDevicesPerUser } from '../src/auth/lockout/index.ts';
import type { User } from '../src/identity/index.ts';
import { fixedClock, platformOrgId, withOrg, withPlatform } from '../src/platform/index.ts';
import { type OidcWorld, startAdminApiWorld } from './support/admin-api.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { browserLike, startTestServer } from './support/http.ts';

/**
 * Trusted browsers (device cookies) are revocable by their owner and by administrators, and do
 * not pile up: a cap per user, and a sweep of the rows that count for nothing
 * (docs/authentication.md#lockout-and-throttling).
 */
const password = 'Browsers-Owner-Secret-2026';
const day = 86_400_000;

const deviceRows = (core: TestCore, userId: string) =>
  withPlatform(core.database, (tx) =>
    tx
      .selectFrom('trusted_devices')
      .select(['id', 'revoked_at'])
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .execute(),
  );

const revokedEvents = (core: TestCore, userId: string) =>
  withPlatform(core.database, async (tx) =>
    (
      await tx
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'auth.device.revoked')
        .where('target_id', '=', userId)
        .orderBy('occurred_at')
        .execute()
    ).map((e) => JSON.parse(e.details) as { reason: string; deviceIds: string[] }),
  );

describe('trusted browsers on the account page', () => {
  let core: TestCore;
  let server: RunningServer;
  let ida: User;

  before(async () => {
    core = await openTestCore();
    server = await startTestServer(core);
    const orgId = await core.createOrg('browsers-co');
    ida = await authServices(core).createUser(orgId, 'ida@browsers.test', password);
  });
  after(async () => {
    await server.stop();
    await core.close();
  });

  const signedInBrowser = async () => {
    const b = browserLike(server.url);
    await b.get('/login');
    const res = await b.post('/login', { email: ida.email, password, csrf: b.csrf() });
    assert.equal(res.status, 303);
    const token = decodeURIComponent(b.jar.get('__Host-vigil-device') ?? '');
    const [id = '', secret = ''] = token.split('.');
    assert.ok(id && secret, 'the browser got a device token');
    return { b, id, secret };
  };

  it('lists them, forgets one and then all, each audited; only with the CSRF value', async () => {
    const mine = await signedInBrowser();
    const other = await signedInBrowser();
    const page = await mine.b.get('/account');
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(`data-device="${mine.id}"[^]*?\\(this browser\\)`));
    assert.match(page.text, new RegExp(`data-device="${other.id}"`));
    assert.ok(!page.text.includes(mine.secret), 'never the token');

    const forged = await mine.b.post('/account/devices/forget', {
      device: other.id,
      csrf: 'forged',
    });
    assert.equal(forged.status, 403);
    assert.equal((await deviceRows(core, ida.id)).filter((r) => r.revoked_at).length, 0);

    const forget = await mine.b.post('/account/devices/forget', {
      device: other.id,
      csrf: mine.b.csrf(),
    });
    assert.equal(forget.status, 200);
    assert.match(forget.text, /The browser was forgotten/);
    assert.doesNotMatch(forget.text, new RegExp(`data-device="${other.id}"`));
    assert.match(forget.text, new RegExp(`data-device="${mine.id}"`));
    assert.deepEqual(await revokedEvents(core, ida.id), [
      { reason: 'user', deviceIds: [other.id] },
    ]);

    // Not a browser of hers (already forgotten, made up, not an id): the page's own error.
    for (const device of [other.id, '0190a000-0000-7000-8000-000000000000', 'not-an-id']) {
      const refused = await mine.b.post('/account/devices/forget', {
        device,
        csrf: mine.b.csrf(),
      });
      assert.equal(refused.status, 400, device);
      assert.match(refused.text, /No such browser/);
    }

    const all = await mine.b.post('/account/devices/forget-all', { csrf: mine.b.csrf() });
    assert.equal(all.status, 200);
    assert.match(all.text, /1 browser\(s\) forgotten/);
    assert.match(all.text, /No browser is trusted yet/);
    assert.deepEqual((await revokedEvents(core, ida.id)).at(-1), {
      reason: 'user',
      deviceIds: [mine.id],
    });
    assert.ok((await deviceRows(core, ida.id)).every((r) => r.revoked_at));
  });
});

describe('trusted browsers in the admin API', () => {
  let world: OidcWorld;
  let api: Awaited<ReturnType<typeof startAdminApiWorld>>;
  let acme: string;

  before(async () => {
    api = await startAdminApiWorld();
    world = api.world;
    acme = world.orgId;
  });
  after(() => world.close());

  it('lists a user’s browsers (users.read) and forgets them all (users.deactivate), audited', async () => {
    const admin = await api.tokenFor(await api.userWithRole(acme, 'adm@acme.test', 'org-admin'));
    const auditor = await api.tokenFor(
      await api.userWithRole(acme, 'aud@acme.test', 'org-auditor'),
    );
    const member = await api.tokenFor(await api.userWithRole(acme, 'mem@acme.test', 'member'));
    const jo = await world.auth.createUser(acme, 'jo@acme.test', password);
    for (const userAgent of ['Firefox at home', 'Safari at work']) {
      const result = await world.auth.signIn.passwordStep(
        { email: jo.email, password },
        { ip: '198.51.100.20', userAgent },
      );
      assert.equal(result.kind, 'signed_in');
    }
    const path = `/orgs/${acme}/users/${jo.id}/devices`;

    assert.equal((await api.call('GET', path, member)).status, 403);
    const listed = await api.call('GET', path, auditor);
    assert.equal(listed.status, 200, listed.text);
    const items = listed.json().items as Record<string, unknown>[];
    assert.deepEqual(items.map((d) => d.userAgent).sort(), ['Firefox at home', 'Safari at work']);
    assert.deepEqual(Object.keys(items[0] ?? {}).sort(), [
      'createdAt',
      'id',
      'lastUsedAt',
      'userAgent',
    ]);

    const refused = await api.call('POST', `${path}/revoke`, auditor);
    assert.equal(refused.status, 403, 'reading is not forgetting');
    assert.equal((await api.call('GET', path, admin)).json().items.length, 2);

    const revoked = await api.call('POST', `${path}/revoke`, admin);
    assert.equal(revoked.status, 200, revoked.text);
    assert.deepEqual(revoked.json(), { revoked: 2 });
    assert.deepEqual((await api.call('GET', path, admin)).json().items, []);
    const [event] = await revokedEvents(world.core, jo.id);
    assert.equal(event?.reason, 'admin');
    assert.deepEqual(event?.deviceIds.sort(), items.map((d) => d.id).sort());

    // Another organization's user is not found in this one.
    const stranger = await world.auth.createUser(platformOrgId, 'st@platform.test', password);
    const wrongOrg = await api.call('GET', `/orgs/${acme}/users/${stranger.id}/devices`, admin);
    assert.equal(wrongOrg.status, 404);
    assert.match(String(wrongOrg.headers['content-type']), /application\/problem\+json/);
  });
});

describe('trusted browsers do not pile up', () => {
  const clock = fixedClock(new Date('2026-09-01T08:00:00Z'));
  let core: TestCore;
  let auth: ReturnType<typeof authServices>;
  let orgId: string;

  before(async () => {
    core = await openTestCore({ clock });
    auth = authServices(core);
    orgId = await core.createOrg('pile-co');
  });
  after(() => core.close());

  const signIn = async (user: User, deviceTokens: string[] = []) => {
    const result = await auth.signIn.passwordStep(
      { email: user.email, password },
      { ip: '198.51.100.30', userAgent: 'cookie-less client', deviceTokens },
    );
    assert.equal(result.kind, 'signed_in', JSON.stringify(result));
    return (result as Extract<StepResult, { kind: 'signed_in' }>).deviceToken;
  };

  it('sweeps revoked and expired devices and keeps the live ones', async () => {
    const kim = await auth.createUser(orgId, 'kim@pile.test', password);
    const forgotten = await signIn(kim);
    const stale = await signIn(kim);
    const kept = await signIn(kim);
    assert.ok(forgotten && stale && kept);
    const idOf = (token: string) => token.split('.')[0] ?? '';
    await withOrg(core.database, orgId, (tx) =>
      auth.lockout.devices.revokeOne(tx, kim, idOf(forgotten), 'user', {
        type: 'user',
        id: kim.id,
      }),
    );
    // `kept` signs in again 200 days later; another 200 days on, `stale` is past its year.
    clock.advance(200 * day);
    assert.equal(await signIn(kim, [kept]), null, 'still trusted: no new token');
    clock.advance(200 * day);

    assert.equal(await auth.lockout.devices.sweep(), 2);
    assert.deepEqual(
      (await deviceRows(core, kim.id)).map((r) => r.id),
      [idOf(kept)],
    );
    assert.equal(await auth.lockout.devices.sweep(), 0, 'nothing left to sweep');
    assert.equal(await signIn(kim, [kept]), null, 'the live device still counts');
  });

  it(`keeps at most ${maxDevicesPerUser} devices per user, forgetting the least recently used`, async () => {
    const lou = await auth.createUser(orgId, 'lou@pile.test', password);
    const tokens: string[] = [];
    for (let i = 0; i < maxDevicesPerUser + 2; i++) {
      clock.advance(1000);
      tokens.push((await signIn(lou)) ?? '');
    }
    const live = await withOrg(core.database, orgId, (tx) => auth.lockout.devices.list(tx, lou.id));
    assert.equal(live.length, maxDevicesPerUser);
    const [first = '', second = ''] = tokens.map((t) => t.split('.')[0] ?? '');
    assert.ok(!live.some((d) => d.id === first || d.id === second), 'the two oldest went');
    assert.deepEqual(
      (await revokedEvents(core, lou.id)).map((e) => [e.reason, e.deviceIds]),
      [
        ['limit', [first]],
        ['limit', [second]],
      ],
    );
    // A forgotten browser counts as none: it gets a new token.
    assert.ok(await signIn(lou, [tokens[0] ?? '']));
    assert.equal(await signIn(lou, [tokens.at(-1) ?? '']), null);
    await auth.lockout.devices.sweep();
    assert.equal((await deviceRows(core, lou.id)).length, maxDevicesPerUser);
  });
});
