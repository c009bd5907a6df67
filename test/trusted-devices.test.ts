import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createServices } from '../src/app/services.ts';
import type { StepResult } from '../src/auth/flows/index.ts';
import type { User } from '../src/identity/index.ts';
import { fixedClock, operatorActor, withOrg, withPlatform } from '../src/platform/index.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { browserLike, captureMail, startTestServer } from './support/http.ts';

const minute = 60_000;
const password = 'Owner-Knows-This-2026';
const owner = { ip: '198.51.100.7', userAgent: 'owner-browser' };
const attacker = { ip: '203.0.113.66', userAgent: 'attacker' };

/**
 * Device cookies (docs/authentication.md#lockout-and-throttling): the failures of browsers an
 * account has never used lock only those; a browser it signed in from counts on its own.
 */
describe('trusted devices against lockout as a denial of service', () => {
  const clock = fixedClock(new Date('2026-09-01T08:00:00Z'));
  const mail = captureMail();
  let core: TestCore;
  let auth: ReturnType<typeof authServices>;
  let services: ReturnType<typeof createServices>;
  let orgId: string;

  before(async () => {
    core = await openTestCore({ clock });
    auth = authServices(core);
    services = createServices(core, { mailer: mail });
    orgId = await core.createOrg('devices-co');
  });
  after(() => core.close());

  const signIn = (user: User, pass: string, deviceTokens: string[] = [], from = owner) =>
    auth.signIn.passwordStep({ email: user.email, password: pass }, { ...from, deviceTokens });
  const deviceOf = (result: StepResult) => {
    assert.equal(result.kind, 'signed_in', JSON.stringify(result));
    const token = (result as Extract<StepResult, { kind: 'signed_in' }>).deviceToken;
    assert.ok(token, 'a browser without a device token gets one');
    return token;
  };
  /** Ten wrong passwords from ten addresses, a minute apart (past the growing delay). */
  const lockOut = async (user: User, deviceTokens: string[] = []) => {
    for (let i = 0; i < 10; i++) {
      clock.advance(minute);
      const from = { ...attacker, ip: `203.0.113.${100 + i}` };
      assert.deepEqual(await signIn(user, `wrong-${i}`, deviceTokens, from), { kind: 'failed' });
    }
    clock.advance(minute);
  };
  const audited = (action: string, userId: string) =>
    withPlatform(core.database, async (tx) =>
      (
        await tx
          .selectFrom('audit_events')
          .select('details')
          .where('action', '=', action)
          .where('target_id', '=', userId)
          .execute()
      ).map((e) => JSON.parse(e.details)),
    );

  it("locks the attacker out, and lets the owner's known browser in", async () => {
    const olga = await auth.createUser(orgId, 'olga@devices.test', password);
    const device = deviceOf(await signIn(olga, password));
    assert.equal((await audited('auth.device.trusted', olga.id)).length, 1);

    await lockOut(olga);
    assert.equal((await audited('auth.account.locked', olga.id))[0]?.deviceId, null);
    assert.deepEqual(await signIn(olga, password, [], attacker), { kind: 'failed' });
    assert.deepEqual(await signIn(olga, password), { kind: 'failed' }, 'any unknown browser too');

    const back = await signIn(olga, password, [device]);
    assert.equal(back.kind, 'signed_in', 'the browser she signed in from before');
    assert.equal((back as { deviceToken: string | null }).deviceToken, null, 'keeps its token');
  });

  it('counts a wrong password with a valid device token on that device: a stolen cookie is not enough', async () => {
    const paul = await auth.createUser(orgId, 'paul@devices.test', password);
    const device = deviceOf(await signIn(paul, password));
    await lockOut(paul, [device]);
    const locks = await audited('auth.account.locked', paul.id);
    assert.equal(locks.length, 1);
    assert.ok(locks[0]?.deviceId, 'the device locked, not the account');
    assert.deepEqual(await signIn(paul, password, [device]), { kind: 'failed' });
    // Every other browser still counts on the account's own counter, untouched.
    deviceOf(await signIn(paul, password));
    // An administrator's unlock lifts the device's lock too.
    assert.equal(
      await withOrg(core.database, orgId, (tx) => auth.lockout.unlock(tx, paul, operatorActor)),
      true,
    );
    assert.equal((await signIn(paul, password, [device])).kind, 'signed_in');
  });

  it("ignores one user's device token for another user", async () => {
    const rosa = await auth.createUser(orgId, 'rosa@devices.test', password);
    const sam = await auth.createUser(orgId, 'sam@devices.test', password);
    const rosasDevice = deviceOf(await signIn(rosa, password));
    await lockOut(sam);
    assert.deepEqual(await signIn(sam, password, [rosasDevice]), { kind: 'failed' });
    // A forged secret for a real device counts as no token at all.
    await lockOut(rosa);
    const [id] = rosasDevice.split('.');
    assert.deepEqual(await signIn(rosa, password, [`${id}.forged-secret`, 'garbage']), {
      kind: 'failed',
    });
    assert.equal((await signIn(rosa, password, ['garbage', rosasDevice])).kind, 'signed_in');
  });

  it('revokes the devices when the password is reset (audited); a revoked token counts as none', async () => {
    const tina = await auth.createUser(orgId, 'tina@devices.test', password);
    const device = deviceOf(await signIn(tina, password));
    await services.passwordReset.request(tina.email, owner);
    await services.passwordReset.settled();
    const link = /token=(\S+)/.exec(mail.sent.at(-1)?.text ?? '')?.[1] ?? '';
    const newPassword = 'Brand-New-Owner-Secret-9';
    await services.passwordReset.complete(link, newPassword, newPassword, owner);
    assert.deepEqual(
      (await audited('auth.device.revoked', tina.id)).map((d) => d.reason),
      ['password_reset'],
    );
    await lockOut(tina);
    assert.deepEqual(await signIn(tina, newPassword, [device]), { kind: 'failed' });
  });

  it('revokes the devices when the user is deactivated', async () => {
    const uma = await auth.createUser(orgId, 'uma@devices.test', password);
    const device = deviceOf(await signIn(uma, password));
    await withOrg(core.database, orgId, (tx) =>
      services.lifecycle.deactivate(tx, uma.id, 'suspended', operatorActor, { source: 'admin' }),
    );
    await withOrg(core.database, orgId, (tx) =>
      services.lifecycle.reactivate(tx, uma.id, operatorActor),
    );
    assert.deepEqual(
      (await audited('auth.device.revoked', uma.id)).map((d) => d.reason),
      ['user_suspended'],
    );
    await lockOut(uma);
    assert.deepEqual(await signIn(uma, password, [device]), { kind: 'failed' });
  });
});

describe('the device cookie', () => {
  let core: TestCore;
  after(() => core.close());

  it('is __Host-, Secure, HttpOnly, SameSite=Lax, and only the hash of its secret is stored', async () => {
    core = await openTestCore();
    const server = await startTestServer(core);
    try {
      const orgId = await core.createOrg('cookie-co');
      await authServices(core).createUser(orgId, 'vera@cookie.test', password);
      const b = browserLike(server.url);
      await b.get('/login');
      const res = await b.post('/login', { email: 'vera@cookie.test', password, csrf: b.csrf() });
      assert.equal(res.status, 303);
      const cookie = [res.headers['set-cookie'] ?? []]
        .flat()
        .find((c) => c.startsWith('__Host-vigil-device='));
      assert.ok(cookie, 'a device cookie is set at sign-in');
      for (const attribute of [/; Secure/i, /; HttpOnly/i, /; SameSite=Lax/i, /; Path=\//i]) {
        assert.match(cookie, attribute);
      }
      assert.doesNotMatch(cookie, /; Domain=/i);
      const token = decodeURIComponent(b.jar.get('__Host-vigil-device') ?? '');
      const [id, secret = ''] = token.split('.');
      const rows = await withPlatform(core.database, (tx) =>
        tx
          .selectFrom('trusted_devices')
          .selectAll()
          .where('id', '=', id ?? '')
          .execute(),
      );
      assert.equal(rows.length, 1);
      assert.ok(!JSON.stringify(rows).includes(secret), 'the secret itself is not stored');
      assert.notDeepEqual(Buffer.from(rows[0]?.secret_hash ?? []), Buffer.from(secret));

      // The browser signs in again with it: no new device, the same cookie.
      await b.post('/logout', { csrf: b.csrf() });
      await b.get('/login');
      const again = await b.post('/login', { email: 'vera@cookie.test', password, csrf: b.csrf() });
      assert.equal(again.status, 303);
      assert.equal(
        [again.headers['set-cookie'] ?? []]
          .flat()
          .some((c) => c.startsWith('__Host-vigil-device=')),
        false,
      );
    } finally {
      await server.stop();
    }
  });
});
