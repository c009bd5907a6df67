import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withPlatform } from '../src/platform/index.ts';
import { browserLike } from './support/http.ts';
import { startOidcWorld } from './support/oidc.ts';
import {
  addApplication,
  answerLogout,
  independentSp,
  postedForm,
  walkToForm,
} from './support/saml-sp.ts';

/**
 * Signing out at Vigil is a single logout too (docs/sso.md#single-logout): the browser carries a
 * signed LogoutRequest to each SAML application of the session in turn, by the binding of its SLO
 * URL, and comes back with each LogoutResponse; node-saml plays the applications.
 */
describe('SAML single logout begun by signing out at Vigil', () => {
  let world: Awaited<ReturnType<typeof startOidcWorld>>;
  const apps = {
    redirect: { entityId: 'https://red.example.test/sp', acs: 'https://red.example.test/acs' },
    post: { entityId: 'https://post.example.test/sp', acs: 'https://post.example.test/acs' },
    none: { entityId: 'https://none.example.test/sp', acs: 'https://none.example.test/acs' },
  };

  before(async () => {
    world = await startOidcWorld({}, { totp: false });
    await addApplication(world, {
      name: 'Redirect SLO',
      entityId: apps.redirect.entityId,
      acsUrls: [{ url: apps.redirect.acs }],
      sloUrl: 'https://red.example.test/slo',
      sloBinding: 'redirect',
    });
    await addApplication(world, {
      name: 'POST SLO',
      entityId: apps.post.entityId,
      acsUrls: [{ url: apps.post.acs }],
      sloUrl: 'https://post.example.test/slo',
      sloBinding: 'post',
    });
    await addApplication(world, {
      name: 'No SLO',
      entityId: apps.none.entityId,
      acsUrls: [{ url: apps.none.acs }],
    });
  });
  after(() => world.close());

  const spOf = (app: { entityId: string; acs: string }) =>
    independentSp(world, { entityId: app.entityId, acs: app.acs });

  it('tells every application with an SLO URL, by Redirect and by POST, then shows the signed-out page', async () => {
    const browser = browserLike(world.base);
    for (const app of Object.values(apps)) {
      const sp = await spOf(app);
      const url = new URL(await sp.getAuthorizeUrlAsync('', undefined, {}));
      const res = await walkToForm(world, browser, {
        method: 'GET',
        path: url.pathname + url.search,
      });
      assert.ok((await sp.validatePostResponseAsync(postedForm(res.text).fields)).profile);
    }
    await browser.get('/account');
    const out = await browser.post('/logout', { csrf: browser.csrf() });
    assert.equal(out.status, 303);
    assert.match(String(out.headers.location), /^\/saml\/logout\/[0-9a-f-]{36}$/);
    assert.equal(browser.jar.get('__Host-vigil-session'), undefined, 'the session cookie is gone');
    assert.equal((await browser.get('/account')).status, 303, 'the session ended at once');

    // The Redirect-bound application first (it signed in first).
    const first = await browser.get(String(out.headers.location));
    const toRed = new URL(String(first.headers.location));
    assert.equal(toRed.origin, 'https://red.example.test');
    const red = await answerLogout(await spOf(apps.redirect), toRed.href);
    assert.equal(red.nameId, world.email);

    // Then the POST-bound one: a page that posts the signed request to its SLO URL.
    const second = await browser.get(red.answer);
    assert.equal(second.status, 200);
    assert.match(
      String(second.headers['content-security-policy']),
      /form-action 'self' https:\/\/post\.example\.test/,
    );
    const form = postedForm(second.text);
    assert.equal(form.action, 'https://post.example.test/slo');
    const post = await spOf(apps.post);
    const postTold = await post.validatePostRequestAsync(form.fields);
    assert.equal(postTold.loggedOut, true);
    assert.equal(postTold.profile?.nameID, world.email);
    const postAnswer = new URL(
      await post.getLogoutResponseUrlAsync(
        postTold.profile as NonNullable<typeof postTold.profile>,
        String(form.fields.RelayState),
        {},
        true,
      ),
    );

    // The application without an SLO URL is passed over: the end.
    const end = await browser.get(postAnswer.pathname + postAnswer.search);
    assert.equal(end.status, 200);
    assert.match(end.text, /You are signed out/);

    const event = await withPlatform(world.core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'saml.logout')
        .executeTakeFirstOrThrow(),
    );
    const details = (
      typeof event.details === 'string' ? JSON.parse(event.details) : event.details
    ) as { toTell: string[]; initiatedBy: string | null };
    assert.equal(details.initiatedBy, null);
    assert.equal(details.toTell.length, 2);
    const left = await withPlatform(world.core.database, (tx) =>
      tx.selectFrom('saml_logouts').select('id').execute(),
    );
    assert.deepEqual(left, [], 'a finished logout is forgotten');
  });

  it('a sign-out with no SAML application is the plain signed-out page; a stray logout id is too', async () => {
    const browser = browserLike(world.base);
    await browser.get('/login');
    await browser.post('/login', {
      email: world.email,
      password: world.password,
      csrf: browser.csrf(),
    });
    const out = await browser.post('/logout', { csrf: browser.csrf() });
    assert.equal(out.status, 200);
    const stray = await browser.get('/saml/logout/00000000-0000-4000-8000-000000000000');
    assert.equal(stray.status, 200);
    assert.match(stray.text, /You are signed out/);
    assert.equal((await browser.get('/saml/logout/not-an-id')).status, 200);
  });
});
