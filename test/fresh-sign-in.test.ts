import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { withOrg, withPlatform } from '../src/platform/index.ts';
import { browserLike } from './support/http.ts';
import { redirectUri, startOidcWorld } from './support/oidc.ts';
import {
  acsUrl,
  addApplication,
  independentSp,
  postedForm,
  spEntityId,
  walkToForm,
} from './support/saml-sp.ts';

type Browser = ReturnType<typeof browserLike>;

/**
 * An application that asks for more than "a session" (docs/sso.md#fresh-and-passive-sign-in):
 * SAML ForceAuthn and OIDC prompt=login or max_age make a signed-in user sign in again, the new
 * session replacing the old; SAML IsPassive never shows the sign-in page and, when one would be
 * needed, is answered with the signed NoPassive status. node-saml and openid-client are the
 * applications.
 */
describe('fresh and passive sign-in, as SAML and OIDC applications ask', () => {
  let world: Awaited<ReturnType<typeof startOidcWorld>>;
  let rp: oidc.Configuration;

  before(async () => {
    world = await startOidcWorld({}, { totp: false });
    await addApplication(world, {
      name: 'Wiki',
      entityId: spEntityId,
      acsUrls: [{ url: acsUrl }],
      nameIdFormat: 'email',
    });
    const client = await world.createClient({
      name: 'Acme Web',
      kind: 'web',
      firstParty: true,
      redirectUris: [redirectUri],
    });
    rp = await oidc.discovery(new URL(world.base), client.id, client.secret);
  });
  after(() => world.close());

  /** The user's live sessions, oldest first. */
  const liveSessionIds = async () =>
    (
      await withOrg(world.core.database, world.orgId, (tx) =>
        tx
          .selectFrom('sessions')
          .select('id')
          .where('user_id', '=', world.user.id)
          .where('ended_at', 'is', null)
          .orderBy('created_at')
          .execute(),
      )
    ).map((s) => s.id);

  /** A browser signed in to Vigil by an ordinary SAML sign-in (its one live session). */
  async function signedInBrowser(): Promise<Browser> {
    const browser = browserLike(world.base);
    const sp = await independentSp(world, { inResponseTo: false });
    const url = new URL(await sp.getAuthorizeUrlAsync('', undefined, {}));
    const res = await walkToForm(world, browser, {
      method: 'GET',
      path: url.pathname + url.search,
    });
    assert.ok((await sp.validatePostResponseAsync(postedForm(res.text).fields)).profile);
    return browser;
  }

  /** Follows Vigil's redirects from `path` until a page; returns it and every location seen. */
  async function follow(browser: Browser, path: string) {
    const seen: string[] = [];
    let res = await browser.get(path);
    while (res.headers.location && !res.headers.location.startsWith(redirectUri)) {
      assert.ok(seen.length < 20, `a redirect loop: ${seen.slice(0, 6).join(' → ')}`);
      seen.push(res.headers.location);
      const next = new URL(res.headers.location, world.base);
      assert.equal(next.origin, world.base, `left Vigil for ${next.href}`);
      res = await browser.get(next.pathname + next.search);
    }
    return { res, seen };
  }

  const responseXml = (fields: Record<string, string>) =>
    Buffer.from(fields.SAMLResponse ?? '', 'base64').toString('utf8');

  it('SAML ForceAuthn: a signed-in user signs in again before Vigil answers, in a new session', async () => {
    const browser = await signedInBrowser();
    const [first] = await liveSessionIds();
    assert.ok(first);
    const sp = await independentSp(world, { forceAuthn: true });
    const url = new URL(await sp.getAuthorizeUrlAsync('relay-f', undefined, {}));
    const asked = new Date();
    const { res, seen } = await follow(browser, url.pathname + url.search);
    assert.doesNotMatch(res.text, /SAMLResponse/, 'the old session is not enough');
    assert.equal(seen.at(-1), '/login?again=1');
    assert.match(res.text, /Sign in again to continue/);
    assert.match(res.text, /name="password"/);
    // Going back to the waiting request with the old session still leads to the sign-in.
    const back = seen.find((l) => l.startsWith('/saml/continue/')) ?? '';
    assert.equal((await browser.get(back)).headers.location, '/login?again=1');

    const signedIn = await browser.post('/login', {
      email: world.email,
      password: world.password,
      csrf: browser.csrf(),
    });
    assert.equal(signedIn.headers.location, back);
    const answer = await browser.get(back);
    const form = postedForm(answer.text);
    assert.equal(form.fields.RelayState, 'relay-f');
    const { profile } = await sp.validatePostResponseAsync(form.fields);
    assert.equal(profile?.nameID, world.email);
    const instant = /AuthnInstant="([^"]+)"/.exec(responseXml(form.fields))?.[1] ?? '';
    assert.ok(new Date(instant) >= asked, `AuthnInstant ${instant} is the new sign-in`);

    // The browser's cookie names the new session; the response is about it.
    const live = await liveSessionIds();
    assert.equal(live.length, 2);
    const [, current] = live;
    assert.ok(current && current !== first);
    const issued = await withPlatform(world.core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'saml.response.issued')
        .orderBy('occurred_at', 'desc')
        .executeTakeFirst(),
    );
    const details =
      typeof issued?.details === 'string' ? JSON.parse(issued.details) : issued?.details;
    assert.equal((details as { sessionId?: string } | undefined)?.sessionId, current);
  });

  it('SAML IsPassive without a session: the signed NoPassive status, and no sign-in page', async () => {
    const browser = browserLike(world.base);
    const sp = await independentSp(world, { passive: true });
    const url = new URL(await sp.getAuthorizeUrlAsync('relay-p', undefined, {}));
    const { res, seen } = await follow(browser, url.pathname + url.search);
    assert.ok(!seen.some((l) => l.startsWith('/login')), `no sign-in page: ${seen.join(' → ')}`);
    const form = postedForm(res.text);
    assert.equal(form.action, acsUrl);
    assert.equal(form.fields.RelayState, 'relay-p');
    const xml = responseXml(form.fields);
    assert.match(xml, /status:Responder"><samlp:StatusCode Value="[^"]*status:NoPassive"/);
    assert.doesNotMatch(xml, /Assertion/);
    // node-saml accepts NoPassive only when the IdP signed it: no user, no error.
    assert.deepEqual(await sp.validatePostResponseAsync(form.fields), {
      profile: null,
      loggedOut: false,
    });
    const tampered = Buffer.from(xml.replace('NoPassive', 'NoPassive ')).toString('base64');
    await assert.rejects(sp.validatePostResponseAsync({ ...form.fields, SAMLResponse: tampered }));
    const audited = await withPlatform(world.core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'saml.response.no_passive')
        .execute(),
    );
    assert.equal(audited.length, 1);
    assert.equal(browser.jar.get('__Host-vigil-session'), undefined, 'nobody signed in');
  });

  it('SAML IsPassive with a session answers from it; with ForceAuthn too, NoPassive', async () => {
    const browser = await signedInBrowser();
    const passive = await independentSp(world, { passive: true });
    const url = new URL(await passive.getAuthorizeUrlAsync('', undefined, {}));
    const { res, seen } = await follow(browser, url.pathname + url.search);
    assert.deepEqual(seen, [], 'answered at once');
    const { profile } = await passive.validatePostResponseAsync(postedForm(res.text).fields);
    assert.equal(profile?.nameID, world.email);

    const both = await independentSp(world, { passive: true, forceAuthn: true });
    const url2 = new URL(await both.getAuthorizeUrlAsync('', undefined, {}));
    const second = await follow(browser, url2.pathname + url2.search);
    assert.ok(!second.seen.some((l) => l.startsWith('/login')));
    assert.match(responseXml(postedForm(second.res.text).fields), /status:NoPassive/);
  });

  /** The RP's authorization URL (code + PKCE S256 with `verifier`) with extra parameters. */
  const authorizationUrl = async (verifier: string, extra: Record<string, string> = {}) =>
    oidc.buildAuthorizationUrl(rp, {
      redirect_uri: redirectUri,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...extra,
    });

  /** An authorization request of the RP with extra parameters; its code exchanged for claims. */
  async function oidcSignIn(browser: Browser, extra: Record<string, string>) {
    const verifier = oidc.randomPKCECodeVerifier();
    const url = await authorizationUrl(verifier, extra);
    const { res, seen } = await follow(browser, url.pathname + url.search);
    let callback = res.headers.location;
    const askedAgain = seen.includes('/login?again=1');
    if (!callback) {
      assert.match(
        res.text,
        /name="password"/,
        `stuck at ${res.status}: ${res.text.slice(0, 200)}`,
      );
      const signedIn = await browser.post('/login', {
        email: world.email,
        password: world.password,
        csrf: browser.csrf(),
      });
      callback = (await follow(browser, String(signedIn.headers.location))).res.headers.location;
    }
    assert.ok(callback?.startsWith(redirectUri), `ends at the client: ${callback}`);
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(String(callback)), {
      pkceCodeVerifier: verifier,
    });
    const authTime = Number(tokens.claims()?.auth_time);
    return { askedAgain, authTime };
  }

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('OIDC prompt=login and an exceeded max_age make a signed-in user sign in again; a met max_age does not', async () => {
    const browser = browserLike(world.base);
    const first = await oidcSignIn(browser, {});
    assert.equal(first.askedAgain, false);
    // auth_time counts seconds: the next sign-in is in a later one.
    await pause(1100);
    const met = await oidcSignIn(browser, { max_age: '3600' });
    assert.equal(met.askedAgain, false, 'a session younger than max_age is enough');
    assert.equal(met.authTime, first.authTime);

    const forced = await oidcSignIn(browser, { prompt: 'login' });
    assert.equal(forced.askedAgain, true);
    assert.ok(forced.authTime > first.authTime, 'auth_time is the new sign-in');

    // The provider counts whole seconds since the sign-in: more than one has passed only after two.
    await pause(2100);
    const aged = await oidcSignIn(browser, { max_age: '1' });
    assert.equal(aged.askedAgain, true);
    assert.ok(aged.authTime > forced.authTime);
  });

  it('OIDC id_token_hint naming another user: that user may sign in; anyone else gets login_required', async () => {
    const hintOf = async () => {
      const verifier = oidc.randomPKCECodeVerifier();
      const url = await authorizationUrl(verifier);
      const callback = await world.authorize(url, browserLike(world.base));
      const tokens = await oidc.authorizationCodeGrant(rp, callback, {
        pkceCodeVerifier: verifier,
      });
      return String(tokens.id_token);
    };
    const danaHint = await hintOf();
    await world.auth.createUser(world.orgId, 'erin@acme.test', world.password);
    const signIn = (browser: Browser, email: string) =>
      browser.post('/login', { email, password: world.password, csrf: browser.csrf() });
    const hinted = async (browser: Browser) => {
      const url = await authorizationUrl(oidc.randomPKCECodeVerifier(), {
        id_token_hint: danaHint,
      });
      return follow(browser, url.pathname + url.search);
    };
    // Erin is signed in; the client names Dana: the sign-in page, where Dana signs in. (The
    // request comes a second later: a sign-in in the request's second counts as after it.)
    const browser = browserLike(world.base);
    await browser.get('/login');
    await signIn(browser, 'erin@acme.test');
    const other = browserLike(world.base);
    await other.get('/login');
    await signIn(other, 'erin@acme.test');
    await pause(1100);
    const asked = await hinted(browser);
    assert.equal(asked.seen.at(-1), '/login?again=1');
    const asDana = await signIn(browser, world.email);
    const toClient = await follow(browser, String(asDana.headers.location));
    assert.ok(new URL(String(toClient.res.headers.location)).searchParams.get('code'));
    // Erin signs in again instead: the client gets login_required, not a code for Erin.
    assert.equal((await hinted(other)).seen.at(-1), '/login?again=1');
    const asErin = await signIn(other, 'erin@acme.test');
    const refused = await follow(other, String(asErin.headers.location));
    const callback = new URL(String(refused.res.headers.location));
    assert.equal(callback.searchParams.get('error'), 'login_required');
    assert.equal(callback.searchParams.get('code'), null);
  });

  it('OIDC prompt=none without a session: login_required to the client, no page', async () => {
    const url = await authorizationUrl(oidc.randomPKCECodeVerifier(), {
      prompt: 'none',
      state: 'quiet',
    });
    const { res, seen } = await follow(browserLike(world.base), url.pathname + url.search);
    assert.ok(!seen.some((l) => l.startsWith('/login')));
    const callback = new URL(String(res.headers.location));
    assert.equal(callback.searchParams.get('error'), 'login_required');
    assert.equal(callback.searchParams.get('state'), 'quiet');
  });

  it('a signed-in browser sent to the sign-in page goes on to the request waiting for it', async () => {
    const browser = await signedInBrowser();
    const waiting = '/saml/continue/00000000-0000-4000-8000-000000000000';
    browser.jar.set('__Host-vigil-return', encodeURIComponent(waiting));
    const res = await browser.get('/login');
    assert.equal(res.headers.location, waiting);
    assert.equal(browser.jar.get('__Host-vigil-return'), undefined, 'the return is used once');
    assert.equal((await browser.get('/login')).headers.location, '/account');
  });
});
