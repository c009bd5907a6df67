import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import { inflateRawSync } from 'node:zlib';
import { createSelfSignedCertificate } from '../src/crypto/index.ts';
import { withOrg } from '../src/platform/index.ts';
import { startAdminApiWorld } from './support/admin-api.ts';
import { browserLike, form, request } from './support/http.ts';
import {
  decodeResponse,
  encodeResponse,
  type LoginOptions,
  startUpstreamIdp,
  testKeyPair,
  type UpstreamIdp,
} from './support/upstream-saml.ts';

type World = Awaited<ReturnType<typeof startAdminApiWorld>>;
type Browser = ReturnType<typeof browserLike>;

/**
 * Signing in to Vigil through an organization's own SAML IdP, end to end: samlify plays the IdP
 * (an implementation independent of Vigil's node-saml SP), Vigil's /sso/{id}/start sends the
 * AuthnRequest, its /sso/{id}/acs takes the response and ends with a Vigil session. Every forged,
 * misaddressed, expired or replayed response is refused with a page, audited as
 * sso.login.failed with the connection and the reason, and leaves no session.
 */
describe('SSO through an upstream SAML IdP', () => {
  let world: World;
  let idp: UpstreamIdp;
  let admin: string;
  let connectionId: string;
  let spMetadata: string;

  const api = (method: string, path: string, body?: unknown, token = admin) =>
    world.call(method, `/orgs/${world.world.orgId}${path}`, token, body);

  const events = (action: string) =>
    withOrg(world.world.core.database, world.world.orgId, (tx) =>
      tx
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', action)
        .orderBy('occurred_at')
        .execute(),
    ).then((rows) =>
      rows.map((row) => ({
        ...row,
        details: (typeof row.details === 'string'
          ? JSON.parse(row.details)
          : row.details) as Record<string, unknown>,
      })),
    );

  /** Vigil's start: the browser goes to the IdP with an AuthnRequest; its ID. */
  async function start(vigil: Browser = browserLike(world.world.base), id = connectionId) {
    const res = await vigil.get(`/sso/${id}/start`);
    assert.equal(res.status, 302, res.text.slice(0, 300));
    const location = new URL(String(res.headers.location));
    assert.equal(`${location.origin}${location.pathname}`, idp.ssoUrl);
    const xml = inflateRawSync(
      Buffer.from(location.searchParams.get('SAMLRequest') ?? '', 'base64'),
    ).toString();
    const requestId = /ID="([^"]+)"/.exec(xml)?.[1];
    assert.ok(requestId);
    return { vigil, requestId, forceAuthn: /ForceAuthn="true"/.test(xml) };
  }

  /** The IdP's answer posted to Vigil's ACS. */
  const post = (vigil: Browser, samlResponse: string, id = connectionId) =>
    vigil.post(`/sso/${id}/acs`, { SAMLResponse: samlResponse });

  async function signIn(login: Omit<LoginOptions, 'requestId'>, by = idp) {
    const { vigil, requestId } = await start();
    const samlResponse = await by.respond(spMetadata, { ...login, requestId });
    return { vigil, samlResponse, answer: await post(vigil, samlResponse) };
  }

  before(async () => {
    idp = await startUpstreamIdp();
    world = await startAdminApiWorld({ totp: false }, { VIGIL_OUTBOUND_ALLOW: '127.0.0.1' });
    admin = await world.tokenFor(
      await world.userWithRole(world.world.orgId, 'ops@acme.test', 'org-admin'),
    );
    const created = await api('POST', '/sso/connections', {
      name: 'Acme IdP',
      protocol: 'saml',
      provisioning: 'jit',
      attributeMapping: { displayName: 'displayName', mfaValues: ['urn:acme:mfa'] },
      saml: { metadataXml: idp.metadataXml },
    });
    assert.equal(created.status, 201, created.text);
    connectionId = created.json().id;
    const metadata = await request(`${world.world.base}/sso/${connectionId}/metadata`);
    assert.equal(metadata.status, 200);
    spMetadata = metadata.text;
  });
  after(async () => {
    await world?.world.close();
  });

  it('creates the connection from the IdP metadata and publishes the SP metadata', async () => {
    const connection = (await api('GET', `/sso/connections/${connectionId}`)).json();
    assert.equal(connection.saml.idpEntityId, idp.entityId);
    assert.equal(connection.saml.idpSsoUrl, idp.ssoUrl);
    assert.equal(connection.certificates.length, 1);
    assert.match(connection.certificates[0].fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const sp = `${world.world.base}/sso/${connectionId}`;
    assert.deepEqual(connection.serviceProvider, {
      entityId: sp,
      acsUrl: `${sp}/acs`,
      metadataUrl: `${sp}/metadata`,
    });
    assert.match(spMetadata, new RegExp(`entityID="${sp}"`));
    assert.match(spMetadata, new RegExp(`Location="${sp}/acs"`));
    assert.match(spMetadata, /AuthnRequestsSigned="true" WantAssertionsSigned="true"/);
    assert.match(spMetadata, /<md:KeyDescriptor use="signing">/);
    assert.match(spMetadata, /<md:KeyDescriptor use="encryption">/);
    const [createdEvent] = await events('sso.connection.created');
    assert.equal(createdEvent?.target_id, connectionId);
    assert.equal(createdEvent?.details.protocol, 'saml');
  });

  it('signs a new person in: JIT provisioning, a Vigil session, audited with the connection', async () => {
    const { vigil, answer } = await signIn({
      email: 'newcomer@acme.test',
      attributes: { displayName: 'New Comer' },
      authnContext: 'urn:acme:mfa',
    });
    assert.equal(answer.status, 303, answer.text.slice(0, 300));
    assert.ok(vigil.jar.get('__Host-vigil-session'), 'a session cookie is set');
    const account = await vigil.get(String(answer.headers.location));
    assert.equal(account.status, 200);
    assert.match(account.text, /newcomer@acme\.test/);
    const succeeded = (await events('sso.login.succeeded')).at(-1);
    assert.equal(succeeded?.details.connectionId, connectionId);
    assert.equal(succeeded?.details.protocol, 'saml');
    assert.equal(succeeded?.details.subject, 'newcomer@acme.test');
    assert.equal(succeeded?.details.upstreamMfa, true);
    assert.ok((await events('sso.user.provisioned')).length >= 1);
  });

  it('sends a cross-site ACS POST once more through its own page, then signs in', async () => {
    const { vigil, requestId } = await start();
    const samlResponse = await idp.respond(spMetadata, { requestId, email: 'hop@acme.test' });
    const f = form({ SAMLResponse: samlResponse });
    const first = await request(`${world.world.base}/sso/${connectionId}/acs`, {
      method: 'POST',
      headers: { ...f.headers, 'sec-fetch-site': 'cross-site' },
      body: f.body,
    });
    assert.equal(first.status, 200);
    assert.equal(first.headers['set-cookie'], undefined, 'nothing decided yet');
    assert.match(first.text, new RegExp(`action="/sso/${connectionId}/acs"`));
    assert.match(first.text, /name="vigil_hop" value="1"/);
    const answer = await vigil.post(`/sso/${connectionId}/acs`, {
      SAMLResponse: samlResponse,
      vigil_hop: '1',
    });
    assert.equal(answer.status, 303, answer.text.slice(0, 300));
    assert.ok(vigil.jar.get('__Host-vigil-session'));
  });

  it('decrypts an assertion encrypted to the organization', async () => {
    const encrypting = await startUpstreamIdp({ keys: idp.keys, encrypt: true });
    const { vigil, samlResponse, answer } = await signIn(
      { email: 'secret-agent@acme.test' },
      encrypting,
    );
    assert.doesNotMatch(decodeResponse(samlResponse), /secret-agent/);
    assert.equal(answer.status, 303, answer.text.slice(0, 300));
    assert.ok(vigil.jar.get('__Host-vigil-session'));
  });

  /** The signed assertion, and a copy claiming to be someone else. */
  const forged = (xml: string) => {
    const signed = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)?.[0] ?? '';
    const copy = signed
      .replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/, '')
      .replace(/ID="[^"]+"/, 'ID="_forged"')
      .replace('>mallory@acme.test<', '>dana@acme.test<');
    return { signed, copy };
  };
  const edit = (samlResponse: string, change: (xml: string) => string) => {
    const xml = decodeResponse(samlResponse);
    const changed = change(xml);
    assert.notEqual(changed, xml);
    return encodeResponse(changed);
  };
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

  const attacks: {
    name: string;
    reason: string;
    by?: () => Promise<UpstreamIdp>;
    values?: Record<string, string>;
    requestId?: string;
    change?: (xml: string) => string;
  }[] = [
    {
      name: 'a tampered assertion',
      reason: 'sso.signature_invalid',
      change: (xml) => xml.replace('>mallory@acme.test<', '>nallory@acme.test<'),
    },
    {
      name: 'an unsigned assertion',
      reason: 'sso.signature_invalid',
      change: (xml) => xml.replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/g, ''),
    },
    {
      name: 'an assertion signed by another key',
      reason: 'sso.signature_invalid',
      by: async () => startUpstreamIdp({ entityId: idp.entityId, keys: await testKeyPair('X') }),
    },
    {
      name: 'a response for another audience',
      reason: 'sso.audience_mismatch',
      values: { Audience: 'https://another-sp.test' },
    },
    {
      name: 'a response to another destination',
      reason: 'sso.destination_mismatch',
      values: { Destination: 'https://another-sp.test/acs' },
    },
    {
      name: 'a response for another recipient',
      reason: 'sso.destination_mismatch',
      values: { SubjectRecipient: 'https://another-sp.test/acs' },
    },
    {
      name: 'an expired response',
      reason: 'sso.expired',
      values: {
        IssueInstant: ago(3_600_000),
        ConditionsNotBefore: ago(3_600_000),
        ConditionsNotOnOrAfter: ago(1_800_000),
        SubjectConfirmationDataNotOnOrAfter: ago(1_800_000),
      },
    },
    { name: 'an unsolicited response', reason: 'sso.request_unknown', requestId: '' },
    { name: 'a response to an unknown request', reason: 'sso.request_unknown', requestId: '_nope' },
    {
      name: 'a forged assertion beside the signed one (XSW)',
      reason: 'sso.response_invalid',
      change: (xml) => {
        const { signed, copy } = forged(xml);
        return xml.replace(signed, copy + signed);
      },
    },
    {
      name: 'a forged assertion inside the signed one (XSW)',
      reason: 'sso.response_invalid',
      change: (xml) => {
        const { signed, copy } = forged(xml);
        return xml.replace(signed, signed.replace('</saml:Subject>', `</saml:Subject>${copy}`));
      },
    },
    {
      name: 'a comment injected into the NameID',
      reason: 'sso.response_invalid',
      change: (xml) => xml.replace('>mallory@acme.test<', '>dana@acme.test<!---->.mallory.test<'),
    },
  ];

  for (const attack of attacks) {
    it(`refuses ${attack.name}: a page, sso.login.failed, no session`, async () => {
      const by = attack.by ? await attack.by() : idp;
      const { vigil, requestId } = await start();
      let samlResponse = await by.respond(spMetadata, {
        requestId: attack.requestId ?? requestId,
        email: 'mallory@acme.test',
        values: attack.values,
      });
      if (attack.change) samlResponse = edit(samlResponse, attack.change);
      const before = (await events('sso.login.failed')).length;
      const answer = await post(vigil, samlResponse);
      assert.ok(answer.status >= 400 && answer.status < 500, `${answer.status}`);
      assert.match(answer.text, /Sign-in through your identity provider failed/);
      assert.equal(vigil.jar.get('__Host-vigil-session'), undefined);
      const failed = await events('sso.login.failed');
      assert.equal(failed.length, before + 1);
      assert.equal(failed.at(-1)?.details.reason, attack.reason);
      assert.equal(failed.at(-1)?.details.connectionId, connectionId);
    });
  }

  it('over a live session asks the IdP for ForceAuthn, and refuses an authentication older than the request', async () => {
    const { vigil, answer } = await signIn({ email: 'again@acme.test' });
    assert.equal(answer.status, 303);
    // Signed in, the browser signs in again (an application asked for a fresh sign-in).
    const stale = await start(vigil);
    assert.equal(stale.forceAuthn, true, 'the AuthnRequest says ForceAuthn="true"');
    const old = await idp.respond(spMetadata, {
      requestId: stale.requestId,
      email: 'again@acme.test',
      authnInstant: new Date(Date.now() - 10 * 60_000),
    });
    const refused = await post(vigil, old);
    assert.equal(refused.status, 400);
    assert.equal(
      (await events('sso.login.failed')).at(-1)?.details.reason,
      'sso.authentication_not_fresh',
    );
    const fresh = await start(vigil);
    assert.equal(fresh.forceAuthn, true);
    const now = await idp.respond(spMetadata, {
      requestId: fresh.requestId,
      email: 'again@acme.test',
    });
    assert.equal((await post(vigil, now)).status, 303);
    // A browser without a session is not asked to sign in again at the IdP.
    assert.equal((await start()).forceAuthn, false);
  });

  it('refuses the same response a second time (replay)', async () => {
    const { samlResponse, answer } = await signIn({ email: 'twice@acme.test' });
    assert.equal(answer.status, 303);
    const again = browserLike(world.world.base);
    const replay = await post(again, samlResponse);
    assert.equal(replay.status, 400);
    assert.equal(again.jar.get('__Host-vigil-session'), undefined);
    assert.equal((await events('sso.login.failed')).at(-1)?.details.reason, 'sso.request_unknown');
  });

  it('refuses an answer brought by another browser than the one that started the sign-in (login CSRF)', async () => {
    // The attacker starts a sign-in and signs in at the IdP as themselves...
    const attacker = await start();
    const samlResponse = await idp.respond(spMetadata, {
      requestId: attacker.requestId,
      email: 'mallory@acme.test',
    });
    // ...then makes the victim's browser post that answer to Vigil.
    const victim = browserLike(world.world.base);
    const planted = await post(victim, samlResponse);
    assert.equal(planted.status, 400, planted.text.slice(0, 300));
    assert.equal(victim.jar.get('__Host-vigil-session'), undefined, 'the victim is not signed in');
    assert.equal((await events('sso.login.failed')).at(-1)?.details.reason, 'sso.request_unknown');
    // The request was not used up: the browser that started it still signs in with it.
    const own = await post(attacker.vigil, samlResponse);
    assert.equal(own.status, 303, own.text.slice(0, 300));
    assert.ok(attacker.vigil.jar.get('__Host-vigil-session'));
  });

  it('refuses an assertion ID seen before, even answering a new request', async () => {
    const values = { AssertionID: '_reused-assertion-id' };
    const first = await start();
    const once = await post(
      first.vigil,
      await idp.respond(spMetadata, {
        requestId: first.requestId,
        email: 'reuse@acme.test',
        values,
      }),
    );
    assert.equal(once.status, 303, once.text.slice(0, 300));
    const second = await start();
    const again = await post(
      second.vigil,
      await idp.respond(spMetadata, {
        requestId: second.requestId,
        email: 'reuse@acme.test',
        values,
      }),
    );
    assert.equal(again.status, 400);
    assert.equal(second.vigil.jar.get('__Host-vigil-session'), undefined);
    assert.equal((await events('sso.login.failed')).at(-1)?.details.reason, 'sso.replayed');
  });

  it('answers hostile ACS posts with a page, never a server error', async () => {
    const vigil = browserLike(world.world.base);
    const hostile = [
      '',
      'not base64 at all',
      encodeResponse('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>'),
      encodeResponse(
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
      ),
      encodeResponse('<a><b></a>'),
      Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString('base64'),
      'A'.repeat(200_000),
    ];
    for (const samlResponse of hostile) {
      const res = await post(vigil, samlResponse);
      assert.ok(
        res.status >= 400 && res.status < 500,
        `${res.status} for ${samlResponse.slice(0, 40)}`,
      );
      assert.match(String(res.headers['content-type']), /text\/html/);
    }
    const noField = await vigil.post(`/sso/${connectionId}/acs`, { RelayState: 'x' });
    assert.equal(noField.status, 400);
    const badId = await vigil.post('/sso/not-a-uuid/acs', { SAMLResponse: 'x' });
    assert.equal(badId.status, 404);
    assert.equal(vigil.jar.get('__Host-vigil-session'), undefined);
  });

  it('keeps the connection to its organization', async () => {
    const globex = await world.world.core.createOrg('globex');
    const outsider = await world.tokenFor(
      await world.userWithRole(globex, 'ops@globex.test', 'org-admin'),
    );
    const path = `/orgs/${globex}/sso/connections/${connectionId}`;
    assert.equal((await world.call('GET', path, outsider)).status, 404);
    assert.equal((await world.call('PATCH', path, outsider, { enabled: false })).status, 404);
    assert.equal((await world.call('DELETE', path, outsider)).status, 404);
    const certificate = { certificate: idp.keys.certificate };
    assert.equal(
      (await world.call('POST', `${path}/certificates`, outsider, certificate)).status,
      404,
    );
    assert.equal((await world.call('POST', `${path}/metadata-refresh`, outsider)).status, 404);
    const list = await world.call('GET', `/orgs/${globex}/sso/connections`, outsider);
    assert.deepEqual(list.json().items, []);
    const acmeList = await api('GET', '/sso/connections', undefined, outsider);
    assert.equal(acmeList.status, 403);
  });

  it('refuses bad settings with a specific problem and changes nothing', async () => {
    const before = (await api('GET', '/sso/connections')).json().items.length;
    const expired = await testKeyPair('Old', -1);
    const cases: [unknown, number, string][] = [
      [
        {
          name: 'No cert',
          protocol: 'saml',
          saml: { idpEntityId: 'x', idpSsoUrl: 'https://idp.test/sso' },
        },
        400,
        'sso.connection_invalid',
      ],
      [
        {
          name: 'Plain',
          protocol: 'saml',
          saml: {
            idpEntityId: 'x',
            idpSsoUrl: 'http://idp.test/sso',
            certificates: [idp.keys.certificate],
          },
        },
        400,
        'sso.connection_invalid',
      ],
      [
        {
          name: 'Expired',
          protocol: 'saml',
          saml: {
            idpEntityId: 'x',
            idpSsoUrl: 'https://idp.test/sso',
            certificates: [expired.certificate],
          },
        },
        400,
        'sso.connection_invalid',
      ],
      [
        { name: 'Junk', protocol: 'saml', saml: { metadataXml: '<nope' } },
        400,
        'sso.metadata_invalid',
      ],
      [
        {
          name: 'Doctype',
          protocol: 'saml',
          saml: { metadataXml: `<!DOCTYPE x>${idp.metadataXml}` },
        },
        400,
        'sso.metadata_invalid',
      ],
      [
        {
          name: 'Cloud',
          protocol: 'saml',
          saml: { metadataUrl: 'https://169.254.169.254/metadata' },
        },
        400,
        'outbound.target_refused',
      ],
      [
        { name: 'Acme IdP', protocol: 'saml', saml: { metadataXml: idp.metadataXml } },
        409,
        'sso.connection_exists',
      ],
      [
        {
          name: 'Both',
          protocol: 'saml',
          saml: { metadataXml: idp.metadataXml },
          oidc: { issuer: 'https://x.test', clientId: 'c' },
        },
        400,
        'sso.connection_invalid',
      ],
    ];
    for (const [body, status, code] of cases) {
      const res = await api('POST', '/sso/connections', body);
      assert.equal(res.status, status, `${JSON.stringify(body).slice(0, 80)}: ${res.text}`);
      assert.equal(res.json().code, code);
    }
    const patch = await api('PATCH', `/sso/connections/${connectionId}`, { protocol: 'oidc' });
    assert.equal(patch.status, 400);
    assert.equal((await api('GET', '/sso/connections')).json().items.length, before);
  });

  it('tracks a rollover certificate, never drops the last, audits before and after', async () => {
    const [original] = (await api('GET', `/sso/connections/${connectionId}`)).json().certificates;
    const next = await startUpstreamIdp({ entityId: idp.entityId });
    const added = await api('POST', `/sso/connections/${connectionId}/certificates`, {
      certificate: next.keys.certificate,
    });
    assert.equal(added.status, 201, added.text);
    assert.equal(added.json().certificates.length, 2);
    const twice = await api('POST', `/sso/connections/${connectionId}/certificates`, {
      certificate: next.keys.certificate,
    });
    assert.equal(twice.json().code, 'sso.certificate_invalid');
    // The IdP signs with its new key: the rollover needs no other change.
    assert.equal((await signIn({ email: 'rolled@acme.test' }, next)).answer.status, 303);

    const removed = await api(
      'DELETE',
      `/sso/connections/${connectionId}/certificates/${original.id}`,
    );
    assert.equal(removed.status, 200, removed.text);
    const [remaining] = removed.json().certificates;
    assert.notEqual(remaining.id, original.id);
    const last = await api(
      'DELETE',
      `/sso/connections/${connectionId}/certificates/${remaining.id}`,
    );
    assert.equal(last.status, 409);
    assert.equal(last.json().code, 'sso.certificate_last');
    const updated = (await events('sso.connection.updated')).at(-1);
    assert.ok(updated);
    assert.equal((updated.details.before as { certificates: unknown[] }).certificates.length, 2);
    assert.equal((updated.details.after as { certificates: unknown[] }).certificates.length, 1);
    // The old key no longer signs anyone in.
    const stale = await signIn({ email: 'rolled@acme.test' });
    assert.equal(stale.answer.status, 400);
    assert.equal(
      (await events('sso.login.failed')).at(-1)?.details.reason,
      'sso.signature_invalid',
    );
  });

  it('refuses sign-in through a disabled connection, and audits it', async () => {
    const off = await api('PATCH', `/sso/connections/${connectionId}`, { enabled: false });
    assert.equal(off.status, 200, off.text);
    const vigil = browserLike(world.world.base);
    const res = await vigil.get(`/sso/${connectionId}/start`);
    assert.equal(res.status, 403);
    assert.equal(
      (await events('sso.login.failed')).at(-1)?.details.reason,
      'sso.connection_disabled',
    );
    const unknown = await vigil.get('/sso/00000000-0000-7000-8000-00000000abcd/start');
    assert.equal(unknown.status, 404);
    const notAnId = await vigil.get('/sso/not-an-id/start');
    assert.equal(notAnId.status, 404);
    await api('PATCH', `/sso/connections/${connectionId}`, { enabled: true });
  });

  it('imports metadata from an HTTPS URL and refreshes it when the IdP rolls its key', async () => {
    const cert = await createSelfSignedCertificate(['127.0.0.1']);
    let served = idp.metadataXml;
    const server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(served);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    // The test's IdP has a self-signed certificate: trusted here as a private CA would be.
    const defaults = tls.getCACertificates('default');
    tls.setDefaultCACertificates([...defaults, cert.certPem]);
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/metadata`;
      const created = await api('POST', '/sso/connections', {
        name: 'By URL',
        protocol: 'saml',
        provisioning: 'match',
        saml: { metadataUrl: url },
      });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.json().saml.metadataUrl, url);
      assert.equal(created.json().saml.idpEntityId, idp.entityId);
      const rolled = await startUpstreamIdp({ entityId: idp.entityId });
      served = rolled.metadataXml;
      const refreshed = await api('POST', `/sso/connections/${created.json().id}/metadata-refresh`);
      assert.equal(refreshed.status, 200, refreshed.text);
      assert.notEqual(
        refreshed.json().certificates[0].fingerprint,
        created.json().certificates[0].fingerprint,
      );
      const noUrl = await api('POST', `/sso/connections/${connectionId}/metadata-refresh`);
      assert.equal(noUrl.json().code, 'sso.no_metadata_url');
      const deleted = await api('DELETE', `/sso/connections/${created.json().id}`);
      assert.equal(deleted.status, 204);
      assert.equal((await events('sso.connection.deleted')).at(-1)?.target_id, created.json().id);
    } finally {
      tls.setDefaultCACertificates(defaults);
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  });
});
