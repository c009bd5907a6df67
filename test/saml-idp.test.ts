import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import type { SamlKeyPair } from '../src/crypto/index.ts';
import { operatorActor, platformOrgId, withOrg, withPlatform } from '../src/platform/index.ts';
import { browserLike } from './support/http.ts';
import { startOidcWorld } from './support/oidc.ts';
import {
  acsUrl,
  addApplication,
  answerLogout,
  independentSp,
  postedForm,
  spEntityId,
  spKey,
  walkToForm,
} from './support/saml-sp.ts';

describe('Vigil as a SAML identity provider: an independent SP signs in', () => {
  let world: Awaited<ReturnType<typeof startOidcWorld>>;
  let key: SamlKeyPair;
  let appId: string;

  before(async () => {
    world = await startOidcWorld({}, { totp: false });
    key = await spKey();
    const app = await addApplication(world, {
      name: 'Wiki',
      entityId: spEntityId,
      acsUrls: [{ url: acsUrl, binding: 'post' }],
      nameIdFormat: 'email',
      attributeMapping: [
        { name: 'email', source: 'email' },
        { name: 'displayName', source: 'displayName' },
        { name: 'org', source: 'orgSlug' },
      ],
      spCertificate: key.certificate,
      idpInitiated: true,
      defaultRelayState: '/home',
      sloUrl: 'https://sp.example.test/saml/slo',
      sloBinding: 'redirect',
    });
    appId = app.id;
  });
  after(() => world.close());

  const events = async (action: string) =>
    withPlatform(world.core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['details', 'target_id', 'org_id'])
        .where('action', '=', action)
        .execute(),
    );

  it('signs in by the Redirect binding through the hosted sign-in, and node-saml accepts the response', async () => {
    const sp = await independentSp(world);
    const url = new URL(await sp.getAuthorizeUrlAsync('relay-1', undefined, {}));
    const browser = browserLike(world.base);
    const res = await walkToForm(world, browser, {
      method: 'GET',
      path: url.pathname + url.search,
    });
    assert.equal(res.status, 200);
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /form-action 'self' https:\/\/sp\.example\.test/);
    assert.match(csp, /script-src 'sha256-/);
    const form = postedForm(res.text);
    assert.equal(form.action, acsUrl);
    assert.equal(form.fields.RelayState, 'relay-1');
    const { profile } = await sp.validatePostResponseAsync(form.fields);
    assert.equal(profile?.nameID, world.email);
    assert.equal(profile?.email, world.email);
    assert.equal(profile?.org, 'acme');
    assert.equal(profile?.issuer, `${world.base}/saml/acme`);
    assert.ok(profile?.sessionIndex);
    const issued = await events('saml.response.issued');
    assert.equal(issued.length, 1);
    assert.equal(issued[0]?.target_id, world.user.id);
  });

  const issuedCount = async () => (await events('saml.response.issued')).length;

  it('signs in by the POST binding with a signed request; the encrypted assertion decrypts with the SP key', async () => {
    await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.saml.applications.update(
        tx,
        world.orgId,
        appId,
        { wantRequestsSigned: true, encryptAssertion: true },
        operatorActor,
      ),
    );
    const sp = await independentSp(world, {
      key,
      signRequests: true,
      binding: 'HTTP-POST',
      decrypt: true,
    });
    const page = await sp.getAuthorizeFormAsync('relay-2', undefined);
    const request = postedForm(page.replace(/<form[^>]*>/, `<form method="post" action="x">`));
    const browser = browserLike(world.base);
    const res = await walkToForm(world, browser, {
      method: 'POST',
      path: '/saml/acme/sso',
      fields: request.fields,
    });
    const form = postedForm(res.text);
    const xml = Buffer.from(form.fields.SAMLResponse ?? '', 'base64').toString('utf8');
    assert.match(xml, /EncryptedAssertion/);
    assert.doesNotMatch(xml, new RegExp(world.email.replace('.', '\\.')), 'no plaintext identity');
    const { profile } = await sp.validatePostResponseAsync(form.fields);
    assert.equal(profile?.nameID, world.email);
    // Without the SP key the assertion stays closed.
    const blind = await independentSp(world, { binding: 'HTTP-POST', inResponseTo: false });
    await assert.rejects(blind.validatePostResponseAsync(form.fields));
  });

  it('refuses an unsigned request when the application wants signed ones, and signs nothing', async () => {
    const before = await issuedCount();
    const unsigned = await independentSp(world, { binding: 'HTTP-Redirect' });
    const url = new URL(await unsigned.getAuthorizeUrlAsync('', undefined, {}));
    const res = await browserLike(world.base).get(url.pathname + url.search);
    assert.equal(res.status, 400);
    assert.doesNotMatch(res.text, /SAMLResponse/);
    // A request signed by another key is refused too.
    const other = await spKey();
    const forged = await independentSp(world, { key: other, signRequests: true });
    const forgedUrl = new URL(await forged.getAuthorizeUrlAsync('', undefined, {}));
    assert.equal(
      (await browserLike(world.base).get(forgedUrl.pathname + forgedUrl.search)).status,
      400,
    );
    assert.equal(await issuedCount(), before);
    const refused = await events('saml.request.refused');
    assert.ok(
      refused.some((e) => JSON.stringify(e.details).includes('not signed by the application')),
    );
  });

  it('never signs for an ACS URL the application did not register, signed in or not', async () => {
    const before = await issuedCount();
    const sp = await independentSp(world, {
      key,
      signRequests: true,
      acs: 'https://evil.example.test/acs',
    });
    const url = new URL(await sp.getAuthorizeUrlAsync('', undefined, {}));
    const browser = browserLike(world.base);
    const res = await browser.get(url.pathname + url.search);
    assert.equal(res.status, 400);
    assert.match(res.text, /ACS URL is not registered/);
    // Signed in, the answer is the same.
    const good = await independentSp(world, { key, signRequests: true });
    const goodUrl = new URL(await good.getAuthorizeUrlAsync('', undefined, {}));
    await walkToForm(world, browser, { method: 'GET', path: goodUrl.pathname + goodUrl.search });
    const again = await browser.get(url.pathname + url.search);
    assert.equal(again.status, 400);
    assert.doesNotMatch(again.text, /SAMLResponse/);
    assert.equal(await issuedCount(), before + 1, 'only the registered ACS URL got a response');
  });

  it('signs in IdP-initiated, with the default relay state', async () => {
    const sp = await independentSp(world, { key, decrypt: true, inResponseTo: false });
    const browser = browserLike(world.base);
    const res = await walkToForm(world, browser, {
      method: 'GET',
      path: `/saml/acme/apps/${appId}/start`,
    });
    const form = postedForm(res.text);
    assert.equal(form.fields.RelayState, '/home');
    const { profile } = await sp.validatePostResponseAsync(form.fields);
    assert.equal(profile?.nameID, world.email);
    assert.equal(profile?.inResponseTo, undefined);
  });

  it('single logout ends the Vigil session and answers with a signed LogoutResponse', async () => {
    const sp = await independentSp(world, { key, signRequests: true, decrypt: true });
    const browser = browserLike(world.base);
    const url = new URL(await sp.getAuthorizeUrlAsync('', undefined, {}));
    const res = await walkToForm(world, browser, {
      method: 'GET',
      path: url.pathname + url.search,
    });
    const { profile } = await sp.validatePostResponseAsync(postedForm(res.text).fields);
    assert.ok(profile);
    const logout = new URL(await sp.getLogoutUrlAsync(profile, 'bye', {}));
    const out = await browser.get(logout.pathname + logout.search);
    assert.equal(out.status, 303, out.text);
    const back = new URL(String(out.headers.location));
    assert.equal(back.origin + back.pathname, 'https://sp.example.test/saml/slo');
    assert.equal(back.searchParams.get('RelayState'), 'bye');
    const answer = await sp.validateRedirectAsync(
      Object.fromEntries(back.searchParams),
      back.search.slice(1),
    );
    assert.equal(answer.loggedOut, true);
    const account = await browser.get('/account');
    assert.equal(account.status, 303, 'the session is gone');
    assert.equal((await events('saml.logout')).length, 1);
  });

  it('an application of one organization refuses a user of another', async () => {
    const globex = await world.core.createOrg('globex');
    await world.auth.createUser(globex, 'eve@globex.test', world.password);
    const before = await issuedCount();
    const sp = await independentSp(world, { key, signRequests: true });
    const url = new URL(await sp.getAuthorizeUrlAsync('', undefined, {}));
    const browser = browserLike(world.base);
    const res = await walkToForm(
      world,
      browser,
      { method: 'GET', path: url.pathname + url.search },
      {
        email: 'eve@globex.test',
        password: world.password,
      },
    );
    assert.equal(res.status, 400);
    assert.match(res.text, /not available to the signed-in organization/);
    assert.equal(await issuedCount(), before);
    // Globex's own SAML URL does not know acme's application.
    const there = new URL(url.href.replace('/saml/acme/', '/saml/globex/'));
    assert.equal((await browser.get(there.pathname + there.search)).status, 400);
    assert.equal((await browserLike(world.base).get('/saml/nope/metadata')).status, 404);
  });

  it('answers a waiting request once: the return page cannot be replayed', async () => {
    const sp = await independentSp(world, { key, signRequests: true, decrypt: true });
    const url = new URL(await sp.getAuthorizeUrlAsync('', undefined, {}));
    const browser = browserLike(world.base);
    // The request waits; the browser goes on to its return page, and from there to the sign-in.
    const first = await browser.get(url.pathname + url.search);
    assert.equal(first.status, 303);
    const back = String(first.headers.location);
    assert.match(back, /^\/saml\/continue\/[0-9a-f-]{36}$/);
    const toSignIn = await browser.get(back);
    assert.equal(toSignIn.headers.location, '/login');
    assert.equal(decodeURIComponent(browser.jar.get('__Host-vigil-return') ?? ''), back);
    const res = await walkToForm(world, browser, { method: 'GET', path: '/login' });
    assert.ok((await sp.validatePostResponseAsync(postedForm(res.text).fields)).profile);
    const again = await browser.get(back);
    assert.equal(again.status, 400);
    assert.doesNotMatch(again.text, /SAMLResponse/);
  });

  it("an application of the platform organization signs in any organization's users", async () => {
    await addApplication(
      world,
      {
        name: 'Status page',
        entityId: 'https://status.example.test/sp',
        acsUrls: [{ url: 'https://status.example.test/acs' }],
        attributeMapping: [{ name: 'org', source: 'orgSlug' }],
      },
      platformOrgId,
    );
    const sp = await independentSp(world, {
      slug: 'platform',
      entityId: 'https://status.example.test/sp',
      acs: 'https://status.example.test/acs',
    });
    const url = new URL(await sp.getAuthorizeUrlAsync('', undefined, {}));
    const res = await walkToForm(world, browserLike(world.base), {
      method: 'GET',
      path: url.pathname + url.search,
    });
    const { profile } = await sp.validatePostResponseAsync(postedForm(res.text).fields);
    assert.equal(profile?.nameID, world.email);
    assert.equal(profile?.org, 'acme');
    assert.equal(profile?.issuer, `${world.base}/saml/platform`);
  });

  it('single logout by SessionIndex needs no cookie, and tells the session’s other applications in turn', async () => {
    await addApplication(world, {
      name: 'Second',
      entityId: 'https://two.example.test/sp',
      acsUrls: [{ url: 'https://two.example.test/acs' }],
      sloUrl: 'https://two.example.test/slo',
    });
    const wiki = await independentSp(world, { key, signRequests: true, decrypt: true });
    const two = await independentSp(world, {
      entityId: 'https://two.example.test/sp',
      acs: 'https://two.example.test/acs',
    });
    const browser = browserLike(world.base);
    const signIn = async (sp: typeof wiki) => {
      const url = new URL(await sp.getAuthorizeUrlAsync('', undefined, {}));
      const res = await walkToForm(world, browser, {
        method: 'GET',
        path: url.pathname + url.search,
      });
      const { profile } = await sp.validatePostResponseAsync(postedForm(res.text).fields);
      assert.ok(profile);
      return profile;
    };
    const profile = await signIn(wiki);
    await signIn(two);
    // The application's back end, or a browser whose cross-site POST left the cookie behind.
    const other = browserLike(world.base);
    const logout = new URL(await wiki.getLogoutUrlAsync(profile, 'wiki-relay', {}));
    const out = await other.get(logout.pathname + logout.search);
    assert.equal(out.status, 303, out.text);
    assert.equal((await browser.get('/account')).status, 303, 'the session ended at once');
    // First the other application, by a signed LogoutRequest that node-saml accepts.
    const toTwo = new URL(String(out.headers.location));
    assert.equal(toTwo.origin + toTwo.pathname, 'https://two.example.test/slo');
    assert.match(toTwo.search, /Signature=/);
    // Its LogoutResponse brings the browser back; then the answer to the application that asked.
    const { nameId, answer } = await answerLogout(two, toTwo.href);
    assert.equal(nameId, world.email);
    const back = await other.get(answer);
    const toWiki = new URL(String(back.headers.location));
    assert.equal(toWiki.origin + toWiki.pathname, 'https://sp.example.test/saml/slo');
    assert.equal(toWiki.searchParams.get('RelayState'), 'wiki-relay');
    const done = await wiki.validateRedirectAsync(
      Object.fromEntries(toWiki.searchParams),
      toWiki.search.slice(1),
    );
    assert.equal(done.loggedOut, true);
    // The same LogoutResponse again moves nothing.
    const replay = await other.get(answer);
    assert.equal(replay.status, 200);
    assert.equal(replay.headers.location, undefined);
    const last = (await events('saml.logout')).at(-1);
    assert.match(JSON.stringify(last?.details), /sessionEnded\\?":true/);
    assert.match(JSON.stringify(last?.details), /toTell/);
  });

  it('an unsigned logout request cannot end a session by naming it', async () => {
    const wiki = await independentSp(world, { key, signRequests: true, decrypt: true });
    const browser = browserLike(world.base);
    const url = new URL(await wiki.getAuthorizeUrlAsync('', undefined, {}));
    const res = await walkToForm(world, browser, {
      method: 'GET',
      path: url.pathname + url.search,
    });
    const { profile } = await wiki.validatePostResponseAsync(postedForm(res.text).fields);
    assert.ok(profile);
    const unsigned = await independentSp(world, {});
    const logout = new URL(await unsigned.getLogoutUrlAsync(profile, '', {}));
    const out = await browserLike(world.base).get(logout.pathname + logout.search);
    assert.equal(out.status, 400);
    assert.equal((await browser.get('/account')).status, 200, 'the session is still there');
  });

  it('refuses hostile and malformed requests: garbage, a DTD, another destination, an unknown issuer', async () => {
    await addApplication(world, {
      name: 'Third',
      entityId: 'https://three.example.test/sp',
      acsUrls: [{ url: 'https://three.example.test/acs' }],
    });
    const before = await issuedCount();
    const request = (body: string) =>
      `?SAMLRequest=${encodeURIComponent(deflateRawSync(Buffer.from(body)).toString('base64'))}`;
    const authn = (attrs: string, issuer = 'https://three.example.test/sp', prolog = '') =>
      `${prolog}<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${Date.now()}" Version="2.0" IssueInstant="${new Date().toISOString()}" ${attrs}><saml:Issuer>${issuer}</saml:Issuer></samlp:AuthnRequest>`;
    const browser = browserLike(world.base);
    // Well-formed, for the application: it would be answered (a sign-in first).
    const fine = await browser.get(`/saml/acme/sso${request(authn(''))}`);
    assert.equal(fine.status, 303);
    const hostile = [
      '?SAMLRequest=%%%not-base64',
      `?SAMLRequest=${Buffer.from('<x/>').toString('base64')}`,
      request(
        authn(
          '',
          'https://three.example.test/sp',
          '<!DOCTYPE x [<!ENTITY e "https://three.example.test/sp">]>',
        ),
      ),
      request(authn(`Destination="${world.base}/saml/globex/sso"`)),
      request(authn('', 'https://unknown.example.test/sp')),
      request(authn('AssertionConsumerServiceURL="https://three.example.test/acs/../evil"')),
      request(authn('AssertionConsumerServiceIndex="7"')),
    ];
    for (const query of hostile) {
      const res = await browser.get(`/saml/acme/sso${query}`);
      assert.equal(res.status, 400, `${query.slice(0, 60)} → ${res.status}`);
      assert.doesNotMatch(res.text, /SAMLResponse/);
    }
    assert.equal(await issuedCount(), before);
  });
});
