import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../src/app/server.ts';
import type { User } from '../src/identity/index.ts';
import { operatorActor, withOrg, withPlatform } from '../src/platform/index.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { browserLike, startTestServer } from './support/http.ts';

const day = 86_400_000;

/**
 * The grace period of an organization's MFA requirement (`mfa` policy `gracePeriodDays`,
 * counted from the account's creation; docs/authentication.md#mfa): within it a user without a
 * second factor signs in and is asked to add one; after it, enrollment comes before any session.
 */
describe('MFA enrollment grace period', () => {
  let core: TestCore;
  let server: RunningServer;
  let auth: ReturnType<typeof authServices>;
  let orgId: string;
  const password = 'Grace-Period-Secret-7';

  /** A user of the organization whose account is `ageDays` old. */
  async function userAged(email: string, ageDays: number): Promise<User> {
    const user = await auth.createUser(orgId, email, password);
    await withPlatform(core.database, (tx) =>
      tx
        .updateTable('users')
        .set({ created_at: new Date(Date.now() - ageDays * day) })
        .where('id', '=', user.id)
        .execute(),
    );
    return user;
  }

  async function signIn(email: string) {
    const browser = browserLike(server.url);
    await browser.get('/login');
    const res = await browser.post('/login', { email, password, csrf: browser.csrf() });
    return { browser, res };
  }

  const sessionsOf = (user: User) =>
    withPlatform(core.database, (tx) =>
      tx.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute(),
    );

  before(async () => {
    core = await openTestCore();
    server = await startTestServer(core);
    auth = authServices(core);
    orgId = await core.createOrg('graceful');
    await withOrg(core.database, orgId, (tx) =>
      auth.mfa.setPolicy(tx, orgId, { required: true, gracePeriodDays: 7 }, operatorActor),
    );
  });
  after(async () => {
    await server.stop();
    await core.close();
  });

  it('within the grace: signs in without a factor, and the account page asks for one', async () => {
    const user = await userAged('new@graceful.test', 6);
    const { browser, res } = await signIn(user.email);
    assert.equal(res.status, 303, res.text);
    assert.equal(res.headers.location, '/account');
    assert.ok(browser.jar.has('__Host-vigil-session'));
    const account = await browser.get('/account');
    assert.equal(account.status, 200);
    const deadline = new Date(Date.now() + day).toISOString().slice(0, 10);
    assert.match(
      account.text,
      new RegExp(
        `role="status">Your organization requires a second factor: add one below before ${deadline}`,
      ),
    );
  });

  it('after the grace: enrollment first, and no session until a factor is confirmed', async () => {
    const user = await userAged('late@graceful.test', 8);
    const { browser, res } = await signIn(user.email);
    assert.equal(res.status, 303, res.text);
    assert.equal(res.headers.location, '/login/enroll');
    assert.equal(browser.jar.has('__Host-vigil-session'), false);
    assert.deepEqual(await sessionsOf(user), []);
    const account = await browser.get('/account');
    assert.equal(account.headers.location, '/login', 'no way around enrollment');
  });

  it('asks nothing where MFA is not required', async () => {
    const relaxed = await core.createOrg('relaxed');
    const user = await auth.createUser(relaxed, 'calm@relaxed.test', password);
    const { browser } = await signIn(user.email);
    const account = await browser.get('/account');
    assert.equal(account.status, 200);
    assert.doesNotMatch(account.text, /requires a second factor/);
  });
});
