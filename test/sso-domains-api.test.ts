import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newId, platformOrgId, withOrg, withPlatform } from '../src/platform/index.ts';
import { startAdminApiWorld } from './support/admin-api.ts';
import { browserLike } from './support/http.ts';

/**
 * SSO domains and the SSO policy through the admin API, and home-realm discovery from the login
 * page (docs/sso.md#home-realm-discovery-and-domains, #sso-required-and-break-glass).
 */
describe('SSO domains and policy: admin API and the login page', () => {
  let w: Awaited<ReturnType<typeof startAdminApiWorld>>;
  let acme: string;
  let globex: string;
  let owner: string;
  let auditor: string;
  let stranger: string;
  let root: string;
  let okta: string;

  const attestation = {
    method: 'attestation',
    statement: 'Acme IT confirmed control of the domain by a call on 2026-08-01.',
  };

  before(async () => {
    w = await startAdminApiWorld({ totp: false });
    acme = w.world.orgId;
    globex = await w.world.core.createOrg('globex');
    owner = await w.tokenFor(await w.userWithRole(acme, 'owner@acme.test', 'org-owner'));
    auditor = await w.tokenFor(await w.userWithRole(acme, 'auditor@acme.test', 'org-auditor'));
    stranger = await w.tokenFor(await w.userWithRole(globex, 'owner@globex.test', 'org-owner'));
    root = await w.tokenFor(
      await w.userWithRole(platformOrgId, 'root@vigil.test', 'platform-admin'),
    );
    okta = newId();
    await withOrg(w.world.core.database, acme, (tx) =>
      tx
        .insertInto('sso_connections')
        .values({
          id: okta,
          org_id: acme,
          name: 'Okta',
          protocol: 'oidc',
          enabled: true,
          issuer: 'https://idp.example.test',
          client_id: 'vigil',
          provisioning: 'jit',
          attribute_mapping: '{}',
          created_at: new Date(),
          updated_at: new Date(),
        })
        .execute(),
    );
  });
  after(() => w.world.close());

  it('claims, lists, points and removes a domain; an auditor reads but may not write', async () => {
    const created = await w.call('POST', `/orgs/${acme}/sso/domains`, owner, {
      domain: 'Acme.TEST',
      connectionId: okta,
    });
    assert.equal(created.status, 201, created.text);
    const domain = created.json();
    assert.equal(domain.domain, 'acme.test');
    assert.equal(domain.connectionId, okta);
    assert.equal(domain.verification, null);
    assert.equal(
      domain.verificationFile.url,
      'https://acme.test/.well-known/vigil-domain-verification.txt',
    );
    assert.match(domain.verificationFile.content, /signature=/);
    const list = await w.call('GET', `/orgs/${acme}/sso/domains`, auditor);
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.json().items.map((d: { id: string }) => d.id),
      [domain.id],
    );
    assert.equal(
      (await w.call('POST', `/orgs/${acme}/sso/domains`, auditor, { domain: 'x.test' })).status,
      403,
    );
    const none = await w.call('PATCH', `/orgs/${acme}/sso/domains/${domain.id}`, owner, {
      connectionId: null,
    });
    assert.equal(none.status, 200, none.text);
    assert.equal(none.json().connectionId, null);
    const back = await w.call('PATCH', `/orgs/${acme}/sso/domains/${domain.id}`, owner, {
      connectionId: okta,
    });
    assert.equal(back.json().connectionId, okta);
    const extra = await w.call('POST', `/orgs/${acme}/sso/domains`, owner, { domain: 'old.test' });
    assert.equal(
      (await w.call('DELETE', `/orgs/${acme}/sso/domains/${extra.json().id}`, owner)).status,
      204,
    );
  });

  it('answers bad input with a specific 4xx and changes nothing', async () => {
    const before = (await w.call('GET', `/orgs/${acme}/sso/domains`, owner)).json().items.length;
    const cases: [unknown, number, string][] = [
      [{ domain: 'not a domain' }, 400, 'sso.domain_invalid'],
      [{ domain: '127.0.0.1' }, 400, 'sso.domain_invalid'],
      [{ domain: 'acme.test' }, 409, 'sso.domain_exists'],
      [{ domain: 'new.test', connectionId: newId() }, 400, 'sso.domain_connection_invalid'],
      [{ domain: 'new.test', extra: true }, 400, 'api.invalid_body'],
    ];
    for (const [body, status, code] of cases) {
      const res = await w.call('POST', `/orgs/${acme}/sso/domains`, owner, body);
      assert.equal(res.status, status, `${JSON.stringify(body)}: ${res.text}`);
      assert.equal(res.json().code, code, res.text);
    }
    const [domain] = (await w.call('GET', `/orgs/${acme}/sso/domains`, owner)).json().items;
    const badVerify = await w.call('POST', `/orgs/${acme}/sso/domains/${domain.id}/verify`, owner, {
      method: 'attestation',
      statement: 'short',
    });
    assert.equal(badVerify.status, 400, badVerify.text);
    // acme.test resolves nowhere here: the file cannot be fetched, a 400 that says so.
    const unreachable = await w.call(
      'POST',
      `/orgs/${acme}/sso/domains/${domain.id}/verify`,
      owner,
      { method: 'file' },
    );
    assert.equal(unreachable.status, 400, unreachable.text);
    assert.equal(unreachable.json().code, 'sso.domain_verification_failed');
    assert.equal(
      (await w.call('GET', `/orgs/${acme}/sso/domains`, owner)).json().items.length,
      before,
    );
  });

  it('takes an attestation from a platform administrator only, then no other organization may claim the domain', async () => {
    const [domain] = (await w.call('GET', `/orgs/${acme}/sso/domains`, owner)).json().items;
    const path = `/orgs/${acme}/sso/domains/${domain.id}/verify`;
    const byOwner = await w.call('POST', path, owner, attestation);
    assert.equal(byOwner.status, 403, byOwner.text);
    assert.equal(byOwner.json().code, 'sso.domain_attestation_forbidden');
    const byRoot = await w.call('POST', path, root, attestation);
    assert.equal(byRoot.status, 200, byRoot.text);
    assert.equal(byRoot.json().verification, 'attestation');
    assert.ok(byRoot.json().verifiedAt);
    const taken = await w.call('POST', `/orgs/${globex}/sso/domains`, stranger, {
      domain: 'acme.test',
    });
    assert.equal(taken.status, 409, taken.text);
    assert.equal(taken.json().code, 'sso.domain_taken');
    const events = await withPlatform(w.world.core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['action', 'actor_id'])
        .where('target_id', '=', domain.id)
        .orderBy('occurred_at')
        .execute(),
    );
    assert.deepEqual(
      events.map((e) => e.action),
      ['sso.domain.added', 'sso.domain.updated', 'sso.domain.updated', 'sso.domain.verified'],
    );
  });

  it('hides another organization’s domains: 404 for its ids, nothing in the list', async () => {
    const [domain] = (await w.call('GET', `/orgs/${acme}/sso/domains`, owner)).json().items;
    assert.equal(
      (await w.call('GET', `/orgs/${globex}/sso/domains`, stranger)).json().items.length,
      0,
    );
    assert.equal((await w.call('GET', `/orgs/${acme}/sso/domains`, stranger)).status, 403);
    for (const [method, suffix, body] of [
      ['PATCH', '', { connectionId: null }],
      ['DELETE', '', undefined],
      ['POST', '/verify', { method: 'file' }],
    ] as const) {
      const res = await w.call(
        method,
        `/orgs/${globex}/sso/domains/${domain.id}${suffix}`,
        stranger,
        body,
      );
      assert.equal(res.status, 404, `${method} ${suffix}: ${res.text}`);
    }
  });

  it('keeps the SSO policy as a policy kind: read with org.read, changed with sso.manage and If-Match', async () => {
    const path = `/orgs/${acme}/policies/sso`;
    const read = await w.call('GET', path, auditor);
    assert.equal(read.status, 200, read.text);
    assert.deepEqual(read.json(), { version: 0, policy: { required: false, mfa: 'upstream' } });
    const etag = read.headers.etag as string;
    assert.equal(
      (await w.call('PUT', path, auditor, { required: true, mfa: 'vigil' }, { 'if-match': etag }))
        .status,
      403,
    );
    const bad = await w.call(
      'PUT',
      path,
      owner,
      { required: 'yes', mfa: 'vigil' },
      { 'if-match': etag },
    );
    assert.equal(bad.status, 400);
    const set = await w.call(
      'PUT',
      path,
      owner,
      { required: true, mfa: 'vigil' },
      { 'if-match': etag },
    );
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.json(), { version: 1, policy: { required: true, mfa: 'vigil' } });
    assert.equal(
      (await w.call('PUT', path, owner, { required: false, mfa: 'upstream' }, { 'if-match': etag }))
        .status,
      412,
    );
    const changed = await withPlatform(w.world.core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'policy.sso.changed')
        .where('org_id', '=', acme)
        .execute(),
    );
    assert.deepEqual(JSON.parse(changed[0]?.details ?? '{}').after, {
      required: true,
      mfa: 'vigil',
    });
    assert.equal((await w.call('GET', `/orgs/${acme}/policies/sso`, stranger)).status, 403);
    const reset = await w.call(
      'PUT',
      path,
      owner,
      { required: false, mfa: 'upstream' },
      { 'if-match': set.headers.etag as string },
    );
    assert.equal(reset.status, 200);
  });

  it('sends a work email from the login page to its organization’s identity provider', async () => {
    const b = browserLike(w.world.base);
    const login = await b.get('/login');
    assert.match(
      login.text,
      /<form method="post" action="\/login" novalidate>/,
      'the password form',
    );
    assert.match(login.text, /action="\/login\/sso"/);
    assert.match(login.text, /Sign in with single sign-on/);
    const found = await b.post('/login/sso', { email: 'Jane@ACME.test', csrf: b.csrf() });
    assert.equal(found.status, 303);
    assert.equal(found.headers.location, `/login/sso/${okta}`);
    const hop = await b.get(`/login/sso/${okta}`);
    assert.equal(hop.status, 200);
    assert.equal(hop.headers.refresh, `0; url=/sso/${okta}/start`);
    assert.match(hop.text, new RegExp(`href="/sso/${okta}/start"`));
    assert.equal((await b.get('/login/sso/not-an-id')).status, 303);

    const unknown = await b.post('/login/sso', { email: 'jane@nowhere.test', csrf: b.csrf() });
    assert.equal(unknown.status, 404);
    assert.match(unknown.text, /Single sign-on is not set up for nowhere\.test/);
    assert.match(unknown.text, /value="jane@nowhere.test"/);
    const noCsrf = await b.post('/login/sso', { email: 'jane@acme.test' });
    assert.equal(noCsrf.status, 403);
    // An unverified claim is not enough: globex's claim of its own domain finds nothing.
    await w.call('POST', `/orgs/${globex}/sso/domains`, stranger, { domain: 'globex.test' });
    const unverified = await b.post('/login/sso', { email: 'g@globex.test', csrf: b.csrf() });
    assert.equal(unverified.status, 404);
  });
});
