import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../src/app/server.ts';
import { withPlatform } from '../src/platform/index.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { browserLike, startTestServer } from './support/http.ts';

describe('sign-in and account pages over HTTP', () => {
  let core: TestCore;
  let server: RunningServer;
  const password = 'Page-Level-Secret-99';

  before(async () => {
    core = await openTestCore();
    server = await startTestServer(core);
    const auth = authServices(core);
    const orgId = await core.createOrg('pages-co');
    await auth.createUser(orgId, 'pat@pages.test', password);
  });
  after(async () => {
    await server.stop();
    await core.close();
  });

  it('refuses a form without the CSRF value and changes nothing', async () => {
    const b = browserLike(server.url);
    await b.get('/login');
    const res = await b.post('/login', { email: 'pat@pages.test', password, csrf: 'forged' });
    assert.equal(res.status, 403);
    assert.equal(b.jar.has('__Host-vigil-session'), false);
    const events = await withPlatform(core.database, (tx) =>
      tx.selectFrom('audit_events').select('id').where('action', 'like', 'auth.login.%').execute(),
    );
    assert.equal(events.length, 0, 'not even attempted');
  });

  it('signs in with secure cookies and a strict CSP, and answers failures with one message', async () => {
    const b = browserLike(server.url);
    const loginPage = await b.get('/login');
    assert.match(String(loginPage.headers['content-security-policy']), /default-src 'none'/);
    assert.ok(!loginPage.text.includes('<script'));
    const cookies = [loginPage.headers['set-cookie'] ?? []].flat();
    assert.ok(
      cookies.some((c) =>
        /^__Host-vigil-csrf=.*; Path=\/; HttpOnly; Secure; SameSite=Strict/.test(c),
      ),
      cookies.join('\n'),
    );
    const wrong = await b.post('/login', {
      email: 'pat@pages.test',
      password: 'nope',
      csrf: b.csrf(),
    });
    const unknown = await b.post('/login', { email: 'ghost@pages.test', password, csrf: b.csrf() });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    const message = (t: string) => /role="alert"[^>]*><ul><li>([^<]+)/.exec(t)?.[1];
    assert.equal(message(wrong.text), message(unknown.text));
    const ok = await b.post('/login', { email: 'pat@pages.test', password, csrf: b.csrf() });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.location, '/account');
    const sessionCookie = [ok.headers['set-cookie'] ?? []]
      .flat()
      .find((c) => c.startsWith('__Host-vigil-session='));
    assert.match(sessionCookie ?? '', /; Path=\/; HttpOnly; Secure; SameSite=Lax/);
    const account = await b.get('/account');
    assert.equal(account.status, 200);
    assert.match(account.text, /pat@pages\.test/);
  });

  it('changes the password on the account page: other sessions end, this one gets a new id', async () => {
    const a = browserLike(server.url);
    const other = browserLike(server.url);
    for (const b of [a, other]) {
      await b.get('/login');
      await b.post('/login', { email: 'pat@pages.test', password, csrf: b.csrf() });
    }
    const before = a.jar.get('__Host-vigil-session');
    const refused = await a.post('/account/password', {
      current: 'wrong',
      password: 'Next-Page-Secret-100',
      confirmation: 'Next-Page-Secret-100',
      csrf: a.csrf(),
    });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /current password is not right/);
    await new Promise((r) => setTimeout(r, 50));
    const refusals = await withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['outcome', 'actor_ip', 'actor_ua'])
        .where('action', '=', 'user.password.change_failed')
        .execute(),
    );
    assert.deepEqual(refusals, [{ outcome: 'failure', actor_ip: '127.0.0.1', actor_ua: null }]);
    const changed = await a.post('/account/password', {
      current: password,
      password: 'Next-Page-Secret-100',
      confirmation: 'Next-Page-Secret-100',
      csrf: a.csrf(),
    });
    assert.equal(changed.status, 200, /role="alert"[\s\S]*?<\/div>/.exec(changed.text)?.[0]);
    assert.match(changed.text, /other sessions were ended/);
    assert.notEqual(
      a.jar.get('__Host-vigil-session'),
      before,
      'new session id after a password change',
    );
    assert.equal((await a.get('/account')).status, 200);
    const kicked = await other.get('/account');
    assert.equal(kicked.status, 303);
    assert.equal(kicked.headers.location, '/login');
  });
});
