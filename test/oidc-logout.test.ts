import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import { operatorActor, withOrg, withPlatform } from '../src/platform/index.ts';
import { asOwner } from './support/database.ts';
import { browserLike } from './support/http.ts';
import { invalidGrant, redirectUri, startLogoutReceiver, startOidcWorld } from './support/oidc.ts';

const signedOutUri = 'https://rp.example.test/signed-out';

describe('OpenID Connect: attacks refused (RFC 9700), logout and deactivation', () => {
  let world: Awaited<ReturnType<typeof startOidcWorld>>;
  let receiver: Awaited<ReturnType<typeof startLogoutReceiver>>;
  let config: oidc.Configuration;
  let other: oidc.Configuration;

  before(async () => {
    world = await startOidcWorld({}, { totp: false });
    receiver = await startLogoutReceiver();
    const rp = await world.createClient({
      name: 'Acme Web',
      kind: 'web',
      firstParty: true,
      redirectUris: [redirectUri],
      postLogoutRedirectUris: [signedOutUri],
      backchannelLogoutUri: receiver.uri,
    });
    const second = await world.createClient({
      name: 'Acme Reports',
      kind: 'web',
      firstParty: true,
      redirectUris: [redirectUri],
    });
    config = await oidc.discovery(new URL(world.base), rp.id, rp.secret);
    other = await oidc.discovery(new URL(world.base), second.id, second.secret);
  });
  after(async () => {
    await receiver.close();
    await world.close();
  });

  /** A fresh authorization through the hosted sign-in: the callback URL and its PKCE verifier. */
  async function signIn(scope = 'openid', browser = browserLike(world.base)) {
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...(scope.includes('offline_access') ? { prompt: 'consent' } : {}),
    });
    return { callback: await world.authorize(url, browser), verifier, url, browser };
  }
  const exchange = (c: oidc.Configuration, callback: URL, verifier: string) =>
    oidc.authorizationCodeGrant(c, callback, {
      pkceCodeVerifier: verifier,
      idTokenExpected: true,
    });
  const active = async (token: string) => (await oidc.tokenIntrospection(config, token)).active;
  const actions = async (action: string) =>
    (
      await withPlatform(world.core.database, async (tx) =>
        tx
          .selectFrom('audit_events')
          .select(['details', 'target_id'])
          .where('action', '=', action)
          .execute(),
      )
    ).map((e) => ({
      ...e,
      details: (typeof e.details === 'string' ? JSON.parse(e.details) : e.details) as Record<
        string,
        unknown
      >,
    }));

  it('refuses a wrong PKCE verifier, and the code stays unused', async () => {
    const { callback, verifier } = await signIn();
    await assert.rejects(exchange(config, callback, oidc.randomPKCECodeVerifier()), invalidGrant);
    assert.ok((await exchange(config, callback, verifier)).access_token);
  });

  it('refuses a replayed code and revokes what the code issued', async () => {
    const { callback, verifier } = await signIn();
    const first = await exchange(config, callback, verifier);
    assert.equal(await active(first.access_token), true);
    await assert.rejects(exchange(config, callback, verifier), invalidGrant);
    assert.equal(await active(first.access_token), false);
  });

  it("refuses client A's code and refresh token to client B", async () => {
    const { callback, verifier } = await signIn('openid offline_access');
    await assert.rejects(exchange(other, callback, verifier), invalidGrant);
    const tokens = await exchange(config, callback, verifier);
    assert.ok(tokens.refresh_token);
    await assert.rejects(oidc.refreshTokenGrant(other, tokens.refresh_token), invalidGrant);
    assert.ok((await oidc.refreshTokenGrant(config, tokens.refresh_token)).access_token);
  });

  it('keeps no usable token in the database: bearer values are stored as SHA-256', async () => {
    const { callback, verifier } = await signIn('openid offline_access');
    const tokens = await exchange(config, callback, verifier);
    for (const value of [tokens.access_token, tokens.refresh_token ?? '']) {
      const { rows } = await withPlatform(world.core.database, (tx) =>
        sql<{ n: number }>`SELECT count(*)::int AS n FROM oidc_models
          WHERE id = ${value} OR payload::text LIKE ${`%${value}%`}`.execute(tx),
      );
      assert.equal(rows[0]?.n, 0);
    }
    assert.equal(await active(tokens.access_token), true);
  });

  it('lists connected applications on the account page, and removing access revokes the grant', async () => {
    const { callback, verifier, browser } = await signIn('openid offline_access');
    const tokens = await exchange(config, callback, verifier);
    assert.ok(tokens.refresh_token);
    const page = await browser.get('/account');
    assert.match(page.text, /<h2>Connected applications<\/h2>/);
    // Earlier tests granted this client too: each grant is a row, with what it allows.
    const rows = [
      ...page.text.matchAll(/<tr data-grant="([^"]+)"><td>Acme Web<\/td><td>([^<]*)<\/td>/g),
    ];
    assert.ok(rows.some((r) => r[2]?.includes('offline_access')));

    const wrong = await browser.post('/account/applications/revoke', {
      grant: 'not-a-grant',
      csrf: browser.csrf(),
    });
    assert.equal(wrong.status, 400);
    for (const [, grant] of rows) {
      const removed = await browser.post('/account/applications/revoke', {
        grant: grant ?? '',
        csrf: browser.csrf(),
      });
      assert.equal(removed.status, 200);
      assert.match(removed.text, /no longer has access/);
      assert.doesNotMatch(removed.text, new RegExp(`data-grant="${grant}"`));
    }
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), invalidGrant);
    assert.equal(await active(tokens.access_token), false);
    const revoked = await actions('oauth.consent.revoked');
    assert.equal(revoked.length, rows.length);
    assert.ok(revoked.every((e) => e.target_id === world.user.id));
  });

  it('sends a back-channel logout when the Vigil session ends, and asks to sign in again', async () => {
    const { callback, verifier, url, browser } = await signIn();
    const tokens = await exchange(config, callback, verifier);
    const sid = tokens.claims()?.sid;
    assert.ok(sid, 'the ID token names the session');
    const before = receiver.tokens.length;

    const out = await browser.post('/logout', { csrf: browser.csrf() });
    assert.equal(out.status, 200);
    const [logoutToken] = (await receiver.received(before + 1)).slice(before);
    const jwks = (await (await fetch(`${world.base}/oauth2/jwks`)).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(logoutToken ?? '', createLocalJWKSet(jwks), {
      issuer: world.base,
      audience: config.clientMetadata().client_id,
    });
    assert.equal(payload.sub, world.user.id);
    assert.equal(payload.sid, sid);
    assert.ok(payload.jti);
    assert.deepEqual(payload.events, { 'http://schemas.openid.net/event/backchannel-logout': {} });
    assert.equal(payload.nonce, undefined);
    // Audited once the client answered, just after the token reached it.
    const deadline = Date.now() + 5000;
    while ((await actions('oauth.backchannel_logout.sent')).length === 0) {
      assert.ok(Date.now() < deadline, 'the delivery is audited');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Without offline_access the grant ends with the session.
    assert.equal(await active(tokens.access_token), false);

    // The provider's own cookie no longer signs the browser in: back to the sign-in page.
    const again = await browser.get(url.pathname + url.search);
    assert.match(again.headers.location ?? '', /\/interaction\//);
    const interaction = await browser.get(again.headers.location ?? '');
    assert.equal(interaction.headers.location, '/login');
  });

  it("sends a back-channel logout when an administrator ends the user's sessions", async () => {
    const { callback, verifier } = await signIn();
    await exchange(config, callback, verifier);
    const before = receiver.tokens.length;
    await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.sessions.endAllForUser(tx, world.user.id, 'admin', operatorActor),
    );
    await receiver.received(before + 1);
  });

  it('revokes OAuth access on a password change (the default session policy)', async () => {
    const { callback, verifier } = await signIn('openid offline_access');
    const tokens = await exchange(config, callback, verifier);
    assert.ok(tokens.refresh_token);
    await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.sessions.endAllForUser(tx, world.user.id, 'password_change', operatorActor),
    );
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), invalidGrant);
    assert.equal(await active(tokens.access_token), false);
  });

  /** RP-initiated logout up to the confirmation page: its form's action and xsrf value. */
  async function startLogout(idToken: string, browser: ReturnType<typeof browserLike>) {
    const url = oidc.buildEndSessionUrl(config, {
      id_token_hint: idToken,
      post_logout_redirect_uri: signedOutUri,
      state: 'rp-state',
    });
    const page = await browser.get(url.pathname + url.search);
    assert.equal(page.status, 200);
    const action = /action="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    assert.ok(action && xsrf, 'the confirmation page has its form');
    // The confirmation's POST is answered with a redirect to the RP: its origin may be a target.
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /form-action 'self' https:\/\/rp\.example\.test(;|$)/);
    return { action: new URL(action, world.base).pathname, xsrf };
  }

  it('RP-initiated logout ends the Vigil session before its redirect leaves, and audits the back-channel logout', async () => {
    const { callback, verifier, browser } = await signIn();
    const tokens = await exchange(config, callback, verifier);
    const before = receiver.tokens.length;
    const { action, xsrf } = await startLogout(tokens.id_token ?? '', browser);

    // Ending a session is made slow (400 ms), so that a session ended beside the answer rather
    // than before it would still be alive when the next request comes.
    await asOwner(
      world.core.database,
      `CREATE FUNCTION test_slow_session_end() RETURNS trigger LANGUAGE plpgsql AS
         $$ BEGIN PERFORM pg_sleep(0.4); RETURN NEW; END $$`,
    );
    await asOwner(
      world.core.database,
      `CREATE TRIGGER test_slow_session_end BEFORE UPDATE OF ended_at ON sessions
         FOR EACH ROW EXECUTE FUNCTION test_slow_session_end()`,
    );
    try {
      const out = await browser.post(action, { xsrf, logout: 'yes' });
      assert.equal(out.status, 303);
      assert.equal(out.headers.location, `${signedOutUri}?state=rp-state`);
      // The very next request: no Vigil session any more.
      const account = await browser.get('/account');
      assert.equal(account.status, 303);
      assert.equal(account.headers.location, '/login');
    } finally {
      await asOwner(world.core.database, 'DROP TRIGGER test_slow_session_end ON sessions');
      await asOwner(world.core.database, 'DROP FUNCTION test_slow_session_end()');
    }

    await receiver.received(before + 1);
    const deadline = Date.now() + 5000;
    const fromLogout = async () =>
      (await actions('oauth.backchannel_logout.sent')).filter(
        (e) => e.details.trigger === 'rp_initiated_logout',
      );
    while ((await fromLogout()).length === 0) {
      assert.ok(Date.now() < deadline, 'the back-channel logout of the RP logout is audited');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const [sent] = await fromLogout();
    assert.equal(sent?.target_id, world.user.id);
    assert.equal(sent?.details.clientId, config.clientMetadata().client_id);
    assert.equal((await actions('oauth.logout')).length > 0, true);
  });

  it('"Stay signed in" at the logout confirmation leaves the RP only: the Vigil session stays', async () => {
    const { callback, verifier, browser } = await signIn();
    const tokens = await exchange(config, callback, verifier);
    const { action, xsrf } = await startLogout(tokens.id_token ?? '', browser);
    const out = await browser.post(action, { xsrf });
    assert.equal(out.status, 303);
    assert.equal((await browser.get('/account')).status, 200);
  });

  it('deactivation ends sessions, refresh tokens and introspection at once, and tells the client', async () => {
    const { callback, verifier } = await signIn('openid offline_access');
    const tokens = await exchange(config, callback, verifier);
    assert.ok(tokens.refresh_token);
    const before = receiver.tokens.length;

    await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.lifecycle.deactivate(tx, world.user.id, 'suspended', operatorActor, {
        source: 'admin',
      }),
    );
    // No waiting: the revocation is done when the deactivation returns.
    assert.equal(await active(tokens.access_token), false);
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), invalidGrant);
    await receiver.received(before + 1);

    const [suspended] = await actions('user.suspended');
    assert.equal(suspended?.target_id, world.user.id);
    const revoked = await actions('oauth.access.revoked');
    assert.ok(revoked.some((e) => e.target_id === world.user.id));
    const ended = await withPlatform(world.core.database, (tx) =>
      tx.selectFrom('sessions').select('id').where('ended_at', 'is', null).execute(),
    );
    assert.equal(ended.length, 0, 'no session of the user is left');

    // A suspended user cannot sign in to the client again, even through a live provider cookie.
    const browser = browserLike(world.base);
    const res = await browser.post('/login', {
      email: world.email,
      password: world.password,
      csrf: (await browser.get('/login')) && browser.csrf(),
    });
    assert.notEqual(res.status, 303);
  });
});
