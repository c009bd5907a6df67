import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../src/identity/index.ts';
import { withPlatform } from '../src/platform/index.ts';
import { startAdminApiWorld } from './support/admin-api.ts';
import { request } from './support/http.ts';
import { certificatesIn, spKey } from './support/saml-sp.ts';

const spMetadata = (cert: string) => `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://crm.example.com/sp">
  <md:SPSSODescriptor AuthnRequestsSigned="true" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://crm.example.com/slo"/>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://crm.example.com/acs" index="1" isDefault="true"/>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://crm.example.com/acs2" index="2"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>`;

describe('SAML IdP admin API: applications, keys and their rotation', () => {
  let w: Awaited<ReturnType<typeof startAdminApiWorld>>;
  let owner: string;
  let auditor: string;
  let stranger: string;
  let acme: string;
  let globex: string;

  before(async () => {
    w = await startAdminApiWorld({ totp: false });
    acme = w.world.orgId;
    globex = await w.world.core.createOrg('globex');
    const tokens = async (u: User) => w.tokenFor(u);
    owner = await tokens(await w.userWithRole(acme, 'owner@acme.test', 'org-owner'));
    auditor = await tokens(await w.userWithRole(acme, 'auditor@acme.test', 'org-auditor'));
    stranger = await tokens(await w.userWithRole(globex, 'owner@globex.test', 'org-owner'));
  });
  after(() => w.world.close());

  const valid = {
    name: 'Wiki',
    entityId: 'https://wiki.example.com/sp',
    acsUrls: [{ url: 'https://wiki.example.com/acs', binding: 'post' }],
  };

  it('creates, reads, changes and deletes an application, audited with before and after', async () => {
    const created = await w.call('POST', `/orgs/${acme}/saml/applications`, owner, valid);
    assert.equal(created.status, 201, created.text);
    const app = created.json();
    assert.deepEqual(app.acsUrls, [
      { url: 'https://wiki.example.com/acs', binding: 'post', index: 0, isDefault: true },
    ]);
    assert.equal(app.nameIdFormat, 'email');
    assert.equal(app.signAssertion && app.signResponse, true);
    const read = await w.call('GET', `/orgs/${acme}/saml/applications/${app.id}`, auditor);
    assert.equal(read.status, 200);
    const changed = await w.call('PATCH', `/orgs/${acme}/saml/applications/${app.id}`, owner, {
      idpInitiated: true,
      enabled: false,
    });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(changed.json().initiateUrl, `${w.world.base}/saml/acme/apps/${app.id}/start`);
    const audit = await withPlatform(w.world.core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'saml.application.updated')
        .where('target_id', '=', app.id)
        .executeTakeFirstOrThrow(),
    );
    const details = (
      typeof audit.details === 'string' ? JSON.parse(audit.details) : audit.details
    ) as {
      before: { enabled: boolean };
      after: { enabled: boolean };
    };
    assert.equal(details.before.enabled, true);
    assert.equal(details.after.enabled, false);
    assert.equal(
      (await w.call('DELETE', `/orgs/${acme}/saml/applications/${app.id}`, owner)).status,
      204,
    );
    assert.equal(
      (await w.call('GET', `/orgs/${acme}/saml/applications/${app.id}`, owner)).status,
      404,
    );
  });

  it('refuses bad input with a specific 4xx and changes nothing', async () => {
    const bad: [unknown, string][] = [
      [{ ...valid, acsUrls: [] }, 'saml.application_invalid'],
      [{ ...valid, acsUrls: [{ url: 'http://wiki.example.com/acs' }] }, 'saml.application_invalid'],
      [{ ...valid, acsUrls: [{ url: 'javascript:alert(1)' }] }, 'saml.application_invalid'],
      [
        {
          ...valid,
          acsUrls: [
            { url: 'https://a.example.com/acs', isDefault: true },
            { url: 'https://b.example.com/acs', isDefault: true },
          ],
        },
        'saml.application_invalid',
      ],
      [{ ...valid, spCertificate: 'not a certificate' }, 'saml.application_invalid'],
      [{ ...valid, encryptAssertion: true }, 'saml.application_invalid'],
      [{ ...valid, wantRequestsSigned: true }, 'saml.application_invalid'],
      [{ ...valid, signResponse: false, signAssertion: false }, 'saml.application_invalid'],
      [{ ...valid, nameIdFormat: 'x509' }, 'saml.application_invalid'],
      [{ ...valid, extra: 1 }, 'saml.application_invalid'],
      [
        { ...valid, acsUrls: [{ url: 'https://wiki.example.com/acs', binding: 'redirect' }] },
        'saml.application_invalid',
      ],
      [
        {
          name: 'X',
          metadataXml: spMetadata('').replaceAll('bindings:HTTP-POST', 'bindings:HTTP-Redirect'),
        },
        'saml.metadata_invalid',
      ],
      [{ name: 'X', metadataXml: '<nope' }, 'saml.metadata_invalid'],
      [{ name: 'X', metadataXml: '<!DOCTYPE x [<!ENTITY a "b">]><x/>' }, 'saml.metadata_invalid'],
    ];
    const before = (await w.call('GET', `/orgs/${acme}/saml/applications`, owner)).json().items
      .length;
    for (const [body, code] of bad) {
      const res = await w.call('POST', `/orgs/${acme}/saml/applications`, owner, body);
      assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.text}`);
      assert.equal(res.json().code, code);
    }
    // A response never goes by Redirect (SAML profiles §4.1.2): the API says why.
    const redirectAcs = await w.call('POST', `/orgs/${acme}/saml/applications`, owner, {
      ...valid,
      acsUrls: [{ url: 'https://wiki.example.com/acs', binding: 'redirect' }],
    });
    assert.match(redirectAcs.text, /forbids responses by Redirect/);
    // Plain http is fine on this machine (tests, local development).
    const local = await w.call('POST', `/orgs/${acme}/saml/applications`, owner, {
      ...valid,
      entityId: 'local-sp',
      acsUrls: [{ url: 'http://127.0.0.1:9000/acs' }],
    });
    assert.equal(local.status, 201, local.text);
    const twice = await w.call('POST', `/orgs/${acme}/saml/applications`, owner, {
      ...valid,
      entityId: 'local-sp',
    });
    assert.equal(twice.status, 409);
    assert.equal(twice.json().code, 'saml.entity_id_taken');
    const afterCount = (await w.call('GET', `/orgs/${acme}/saml/applications`, owner)).json().items
      .length;
    assert.equal(afterCount, before + 1);
    const forbidden = await w.call('POST', `/orgs/${acme}/saml/applications`, auditor, valid);
    assert.equal(forbidden.status, 403);
  });

  it('imports SP metadata: entity ID, ACS URLs, SLO URL and certificate', async () => {
    const key = await spKey();
    const der = key.certificate.replace(/-----[^-]+-----|\s/g, '');
    const res = await w.call('POST', `/orgs/${acme}/saml/applications`, owner, {
      name: 'CRM',
      metadataXml: spMetadata(der),
    });
    assert.equal(res.status, 201, res.text);
    const app = res.json();
    assert.equal(app.entityId, 'https://crm.example.com/sp');
    assert.deepEqual(
      app.acsUrls.map((a: { url: string; index: number; isDefault: boolean }) => [
        a.url,
        a.index,
        a.isDefault,
      ]),
      [
        ['https://crm.example.com/acs', 1, true],
        ['https://crm.example.com/acs2', 2, false],
      ],
    );
    assert.equal(app.sloUrl, 'https://crm.example.com/slo');
    assert.equal(app.wantRequestsSigned, true);
    assert.equal(app.spCertificate.replace(/-----[^-]+-----|\s/g, ''), der);
    // Without index attributes the ACS URLs are numbered in order; without WantAssertionsSigned
    // the default (signed) stays.
    const plain = spMetadata(der)
      .replace('https://crm.example.com/sp', 'https://crm2.example.com/sp')
      .replace(/ index="\d" isDefault="true"| index="\d"/g, '')
      .replace(' WantAssertionsSigned="true"', '');
    const second = await w.call('POST', `/orgs/${acme}/saml/applications`, owner, {
      name: 'CRM 2',
      metadataXml: plain,
    });
    assert.equal(second.status, 201, second.text);
    assert.deepEqual(
      second
        .json()
        .acsUrls.map((a: { index: number; isDefault: boolean }) => [a.index, a.isDefault]),
      [
        [0, true],
        [1, false],
      ],
    );
    assert.equal(second.json().signAssertion, true);
  });

  it("another organization cannot see or change acme's applications and keys", async () => {
    const app = (await w.call('GET', `/orgs/${acme}/saml/applications`, owner)).json().items[0];
    assert.equal((await w.call('GET', `/orgs/${acme}/saml/applications`, stranger)).status, 403);
    assert.equal(
      (await w.call('GET', `/orgs/${globex}/saml/applications/${app.id}`, stranger)).status,
      404,
    );
    assert.equal(
      (
        await w.call('PATCH', `/orgs/${globex}/saml/applications/${app.id}`, stranger, {
          enabled: false,
        })
      ).status,
      404,
    );
    const keys = (await w.call('GET', `/orgs/${acme}/saml/keys`, owner)).json().items;
    const signing = keys.find((k: { use: string }) => k.use === 'signing');
    assert.equal(
      (await w.call('POST', `/orgs/${globex}/saml/keys/${signing.id}/retire`, stranger)).status,
      404,
    );
    assert.equal(
      (await w.call('GET', `/orgs/${globex}/saml/applications`, stranger)).json().items.length,
      0,
    );
  });

  it('rotates with overlap: next and retiring keys are published, retired ones are not', async () => {
    const idp = (await w.call('GET', `/orgs/${acme}/saml/idp`, auditor)).json();
    assert.equal(idp.entityId, `${w.world.base}/saml/acme`);
    assert.equal(idp.signingCertificates.length, 1);
    const listed = (await w.call('GET', `/orgs/${acme}/saml/keys`, owner)).json().items;
    const old = listed.find(
      (k: { use: string; state: string }) => k.use === 'signing' && k.state === 'active',
    );
    assert.ok(old, 'first use created an active signing key');
    assert.match(old.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

    const next = await w.call('POST', `/orgs/${acme}/saml/keys`, owner, { use: 'signing' });
    assert.equal(next.status, 201, next.text);
    assert.equal(next.json().state, 'next');
    const again = await w.call('POST', `/orgs/${acme}/saml/keys`, owner, { use: 'signing' });
    assert.equal(again.status, 409);
    assert.equal(
      (await w.call('POST', `/orgs/${acme}/saml/keys`, owner, { use: 'both' })).status,
      400,
    );
    const early = await w.call('POST', `/orgs/${acme}/saml/keys/${old.id}/retire`, owner);
    assert.equal(early.status, 409, 'an active key cannot be retired');

    const der = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');
    const published = async () =>
      certificatesIn((await request(`${w.world.base}/saml/acme/metadata`)).text, 'signing');
    assert.deepEqual(
      new Set(await published()),
      new Set([der(old.certificate), der(next.json().certificate)]),
    );

    const activated = await w.call(
      'POST',
      `/orgs/${acme}/saml/keys/${next.json().id}/activate`,
      owner,
    );
    assert.equal(activated.status, 200, activated.text);
    const states = (await w.call('GET', `/orgs/${acme}/saml/keys`, owner)).json().items;
    assert.equal(states.find((k: { id: string }) => k.id === old.id).state, 'retiring');
    assert.deepEqual(
      new Set(await published()),
      new Set([der(old.certificate), der(next.json().certificate)]),
    );

    assert.equal(
      (await w.call('POST', `/orgs/${acme}/saml/keys/${old.id}/retire`, owner)).status,
      200,
    );
    assert.deepEqual(await published(), [der(next.json().certificate)]);
    const audit = await withPlatform(w.world.core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('action')
        .where('action', 'like', 'saml.key.%')
        .where('org_id', '=', acme)
        .execute(),
    );
    const count = (a: string) => audit.filter((e) => e.action === a).length;
    assert.equal(count('saml.key.created'), 3);
    assert.equal(count('saml.key.activated'), 3);
    assert.equal(count('saml.key.retired'), 1);
    // The private part is a keyring ciphertext, never the PEM.
    const stored = await withPlatform(w.world.core.database, (tx) =>
      tx.selectFrom('saml_keys').select('private_key').execute(),
    );
    assert.ok(stored.every((k) => !k.private_key.includes('PRIVATE KEY')));
  });
});
