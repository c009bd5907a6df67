import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { createSamlKeyPair } from '../src/crypto/index.ts';
import { type Tx, withOrg } from '../src/platform/index.ts';
import {
  type ConsoleAdmin,
  type ConsoleWorld,
  cspViolations,
  openConsoleAs,
  startConsoleWorld,
} from './support/console.ts';
import { type AxeView, axeViolations } from './support/console-axe.ts';

/** An SP's metadata as an application exports it: its entity ID, two ACS URLs, single logout. */
const spMetadata = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://crm.example.com/saml">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://crm.example.com/saml/slo"/>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://crm.example.com/saml/acs" index="0" isDefault="true"/>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://crm.example.com/saml/acs-redirect" index="1"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>`;

/** The text an element labelled `label` shows (a value with a copy button). */
const shown = async (page: Page, label: string) =>
  ((await page.getByLabel(label, { exact: true }).textContent()) ?? '').trim();

/**
 * Single sign-on in the console (docs/console.md#single-sign-on): SAML applications and Vigil's
 * IdP details, connections to upstream identity providers with their certificates, domains
 * verified by attestation or file, SAML key rotation, the SSO policy; an auditor sees it all with
 * no action, and another organization's SSO is not theirs to see.
 */
describe('console: single sign-on', () => {
  let world: ConsoleWorld;
  let auditor: ConsoleAdmin;
  const org = () => `/orgs/${world.orgId}`;
  /** A read of acme's rows, as the tests check what the console changed. */
  const rows = <T>(query: (tx: Tx) => Promise<T>) =>
    withOrg(world.core.database, world.orgId, query);

  before(async () => {
    world = await startConsoleWorld();
    auditor = await world.addAdmin(world.orgId, 'aurora@acme.test', 'org-auditor');
  });
  after(async () => {
    await world?.close();
  });

  it('an administrator adds a SAML application (refused, then from fields), edits, disables and deletes it, and adds one from SP metadata', async () => {
    const page = await openConsoleAs(world, world.orgAdmin, `${org()}/sso`);
    const violations = cspViolations(page);
    await page
      .getByRole('navigation', { name: 'Console sections' })
      .getByText('Single sign-on')
      .waitFor();
    const apps = page.getByRole('region', { name: 'SAML applications' });
    await apps.getByText('No SAML application yet.').waitFor();

    // Vigil's IdP details, each with a copy button; the signing certificate's fingerprint.
    const idp = page.getByRole('region', { name: 'Identity provider details' });
    await idp.getByRole('button', { name: 'Copy IdP metadata URL' }).waitFor();
    assert.match(await shown(page, 'IdP metadata URL'), /^https:\/\/.+\/saml\/.+/);
    assert.match(await shown(page, 'IdP SSO URL'), /\/sso$/);
    const [signing] = await rows((tx) =>
      tx
        .selectFrom('saml_keys')
        .select('fingerprint')
        .where('use', '=', 'signing')
        .where('state', '=', 'active')
        .execute(),
    );
    assert.ok(signing, 'the IdP details made the first signing key');
    assert.equal(await shown(page, 'active signing certificate fingerprint'), signing.fingerprint);

    // Refused: an ACS URL over plain http to a network host, the reason next to the field.
    await apps.getByRole('button', { name: 'Add an application' }).click();
    const form = page.getByRole('form', { name: 'Add a SAML application' });
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Wiki');
    await form
      .getByRole('textbox', { name: 'Entity ID', exact: true })
      .fill('https://wiki.example.com/saml');
    await form
      .getByRole('textbox', { name: 'ACS URL 1', exact: true })
      .fill('http://wiki.example.com/saml/acs');
    await form.getByRole('button', { name: 'Add application' }).click();
    await form.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
    await form
      .getByRole('group', { name: 'Assertion consumer service (ACS) URLs' })
      .getByRole('alert')
      .filter({ hasText: /https/ })
      .waitFor();
    assert.equal(
      await rows((tx) => tx.selectFrom('saml_applications').select('id').execute()).then(
        (r) => r.length,
      ),
      0,
    );

    await form
      .getByRole('textbox', { name: 'ACS URL 1', exact: true })
      .fill('https://wiki.example.com/saml/acs');
    await form.getByLabel('Allow IdP-initiated sign-in', { exact: false }).check();
    await form.getByLabel('Default RelayState').fill('/home');
    await form.getByRole('button', { name: 'Add application' }).click();

    // Its page: the IdP-initiated link with a copy button, every setting.
    await page.getByRole('heading', { name: 'Wiki' }).waitFor();
    const link = await shown(page, 'IdP-initiated sign-in link');
    assert.match(link, /^https:\/\//);
    await page.getByRole('button', { name: 'Copy IdP-initiated sign-in link' }).waitFor();
    const settings = page.getByRole('table', { name: 'Application settings' });
    await settings.getByText('https://wiki.example.com/saml/acs').waitFor();
    const [stored] = await rows((tx) =>
      tx
        .selectFrom('saml_applications')
        .select(['id', 'name', 'entity_id', 'idp_initiated', 'default_relay_state', 'enabled'])
        .execute(),
    );
    assert.deepEqual(
      { ...stored, id: undefined },
      {
        id: undefined,
        name: 'Wiki',
        entity_id: 'https://wiki.example.com/saml',
        idp_initiated: true,
        default_relay_state: '/home',
        enabled: true,
      },
    );
    assert.ok(link.includes(stored?.id ?? '-'), 'the link names the application');

    // Edit: a new name and NameID format, an attribute dropped.
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const edit = page.getByRole('form', { name: 'Edit Wiki' });
    await edit.getByRole('textbox', { name: 'Name', exact: true }).fill('Team wiki');
    await edit.getByLabel('NameID format').selectOption('persistent');
    await edit.getByRole('button', { name: 'Remove attribute 2' }).click();
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Team wiki saved.' }).waitFor();
    await settings.getByText('Persistent', { exact: false }).waitFor();
    const edited = await rows((tx) =>
      tx
        .selectFrom('saml_applications')
        .select(['name', 'name_id_format', 'attribute_mapping'])
        .executeTakeFirstOrThrow(),
    );
    assert.deepEqual(edited, {
      name: 'Team wiki',
      name_id_format: 'persistent',
      attribute_mapping: [{ name: 'email', source: 'email' }],
    });

    await page.getByRole('button', { name: 'Disable', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Team wiki disabled.' }).waitFor();
    await page.getByRole('button', { name: 'Enable', exact: true }).waitFor();

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page
      .getByRole('dialog', { name: 'Delete this application?' })
      .getByRole('button', { name: 'Delete application' })
      .click();
    await apps.getByText('No SAML application yet.').waitFor();
    assert.equal(
      (await rows((tx) => tx.selectFrom('saml_applications').select('id').execute())).length,
      0,
    );

    // From the SP's metadata: its entity ID and ACS URLs are read from it.
    await apps.getByRole('button', { name: 'Add an application' }).click();
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('CRM');
    await form.getByLabel("The application's SP metadata (XML)").check();
    await form.getByLabel('SP metadata XML').fill(spMetadata);
    await form.getByRole('button', { name: 'Add application' }).click();
    await page.getByRole('heading', { name: 'CRM' }).waitFor();
    await settings.getByText('https://crm.example.com/saml/acs', { exact: true }).waitFor();
    await settings.getByText('https://crm.example.com/saml/slo').waitFor();
    // Its Redirect ACS URL is left out: a response goes by POST only.
    assert.equal(await settings.getByText('https://crm.example.com/saml/acs-redirect').count(), 0);
    const crm = await rows((tx) =>
      tx
        .selectFrom('saml_applications')
        .select(['entity_id', 'acs_urls'])
        .executeTakeFirstOrThrow(),
    );
    assert.equal(crm.entity_id, 'https://crm.example.com/saml');
    assert.equal((crm.acs_urls as unknown[]).length, 1);
    assert.deepEqual(violations, []);
    await page.context().close();
  });

  it('an administrator connects a SAML identity provider (refused, then by fields), edits it, adds and removes a certificate', async () => {
    const [first, second] = await Promise.all([
      createSamlKeyPair('Okta test IdP'),
      createSamlKeyPair('Okta test IdP 2027'),
    ]);
    const page = await openConsoleAs(world, world.orgAdmin, `${org()}/sso/connections`);
    const violations = cspViolations(page);
    const section = page.getByRole('region', { name: 'Connections' });
    await section.getByText('No connection yet.').waitFor();
    await section.getByRole('button', { name: 'Add a connection' }).click();
    const form = page.getByRole('form', { name: 'Add a connection' });
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Okta');
    await form.getByLabel('Fields entered here, with its signing certificate').check();
    await form.getByLabel('Identity provider entity ID').fill('https://okta.example.com/idp');
    const ssoUrl = form.getByLabel('Identity provider sign-in (SSO) URL');
    // Refused: a plain-http sign-in URL on a network host, the reason next to it.
    await ssoUrl.fill('http://okta.example.com/sso');
    await form.getByLabel('Signing certificate (PEM)').fill(first.certificate);
    await form.getByLabel('Create a user at their first sign-in', { exact: false }).check();
    await form.getByLabel('Email attribute').fill('mail');
    await form.getByRole('button', { name: 'Add connection' }).click();
    await form.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
    assert.equal(await ssoUrl.getAttribute('aria-invalid'), 'true');
    assert.equal(
      (await rows((tx) => tx.selectFrom('sso_connections').select('id').execute())).length,
      0,
    );

    await ssoUrl.fill('https://okta.example.com/sso');
    await form.getByRole('button', { name: 'Add connection' }).click();
    await page.getByRole('heading', { name: 'Okta' }).waitFor();
    const { id } = await rows((tx) =>
      tx.selectFrom('sso_connections').select('id').executeTakeFirstOrThrow(),
    );

    // What to give the identity provider, each with a copy button.
    const sp = page.getByRole('region', { name: 'Give the identity provider' });
    await sp.getByRole('button', { name: 'Copy ACS URL' }).waitFor();
    assert.match(await shown(page, 'SP entity ID'), new RegExp(`/sso/${id}$`));
    assert.match(await shown(page, 'ACS URL'), new RegExp(`/sso/${id}/acs$`));
    assert.match(await shown(page, 'SP metadata URL'), new RegExp(`/sso/${id}/metadata$`));
    const certs = page.getByRole('table', { name: 'Identity provider certificates' });
    await certs.getByText(first.fingerprint).waitFor();

    // Edit: existing users only, a name attribute and an MFA value.
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const edit = page.getByRole('form', { name: 'Edit Okta' });
    await edit.getByLabel('Only users who exist already', { exact: false }).check();
    await edit.getByLabel('Name attribute').fill('displayName');
    await edit
      .getByLabel('Values that mean a second factor was used')
      .fill('urn:oasis:names:tc:SAML:2.0:ac:classes:MultiFactor');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Okta saved.' }).waitFor();
    const saved = await rows((tx) =>
      tx
        .selectFrom('sso_connections')
        .select(['provisioning', 'attribute_mapping', 'idp_sso_url'])
        .executeTakeFirstOrThrow(),
    );
    assert.equal(saved.provisioning, 'match');
    assert.equal(saved.idp_sso_url, 'https://okta.example.com/sso');
    assert.deepEqual(saved.attribute_mapping, {
      email: 'mail',
      displayName: 'displayName',
      mfaValues: ['urn:oasis:names:tc:SAML:2.0:ac:classes:MultiFactor'],
    });

    // The provider's next certificate added, its old one removed after a confirmation.
    await page.getByRole('button', { name: 'Add a certificate' }).click();
    const add = page.getByRole('form', { name: 'Add a certificate' });
    await add.getByLabel('Certificate (PEM)').fill('not a certificate');
    await add.getByRole('button', { name: 'Add certificate' }).click();
    await add.getByRole('alert').filter({ hasText: 'Not added' }).waitFor();
    await add.getByLabel('Certificate (PEM)').fill(second.certificate);
    await add.getByRole('button', { name: 'Add certificate' }).click();
    await certs.getByText(second.fingerprint).waitFor();
    await page.getByRole('button', { name: `Remove the certificate ${first.fingerprint}` }).click();
    await page
      .getByRole('dialog', { name: 'Remove this certificate?' })
      .getByRole('button', { name: 'Remove certificate' })
      .click();
    await certs.getByText(first.fingerprint).waitFor({ state: 'detached' });
    const kept = await rows((tx) =>
      tx.selectFrom('sso_connection_certificates').select('fingerprint').execute(),
    );
    assert.deepEqual(kept, [{ fingerprint: second.fingerprint }]);

    await page.getByRole('button', { name: 'Disable', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Okta disabled.' }).waitFor();
    await page.getByRole('button', { name: 'Enable', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Okta enabled.' }).waitFor();
    assert.deepEqual(violations, []);
    await page.context().close();
  });

  it("an organization's administrator claims domains, links one from its row, removes one, downloads the file to publish and is refused an unpublished file; a platform administrator verifies by attestation", async () => {
    const page = await openConsoleAs(world, world.orgAdmin, `${org()}/sso/domains`);
    const violations = cspViolations(page);
    const section = page.getByRole('region', { name: 'Domains' });
    const rowOf = (domain: string) =>
      section
        .getByRole('table', { name: 'Domains' })
        .locator('tbody tr')
        .filter({ hasText: domain });
    await section.getByText('No domain claimed', { exact: false }).waitFor();
    await section.getByRole('button', { name: 'Claim a domain' }).click();
    const claim = page.getByRole('form', { name: 'Claim a domain' });
    const domainField = claim.getByRole('textbox', { name: 'Domain', exact: true });
    await domainField.fill('not a domain');
    await claim.getByRole('button', { name: 'Claim domain' }).click();
    await claim.getByRole('alert').filter({ hasText: 'Not claimed' }).waitFor();
    assert.equal(await domainField.getAttribute('aria-invalid'), 'true');
    await domainField.fill('acme-corp.test');
    await claim.getByLabel('Connection').selectOption({ label: 'Okta' });
    await claim.getByRole('button', { name: 'Claim domain' }).click();
    await section.getByRole('status').filter({ hasText: 'acme-corp.test claimed' }).waitFor();
    await rowOf('acme-corp.test').getByText('not verified').waitFor();
    const connection = await rows((tx) =>
      tx.selectFrom('sso_connections').select('id').executeTakeFirstOrThrow(),
    );

    // By file: the content and where to publish it, downloadable as that file. No attestation
    // is offered: that is a platform administrator's word.
    await section.getByRole('button', { name: 'Verify acme-corp.test' }).click();
    const verify = page.getByRole('form', { name: 'Verify acme-corp.test' });
    const url = await shown(page, 'Verification file URL');
    assert.match(url, /^https:\/\/acme-corp\.test\//);
    const content = await shown(page, 'Verification file content');
    assert.ok(content.length > 20, content);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      verify.getByRole('button', { name: 'Download the file' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), url.split('/').pop());
    assert.equal((await readFile(await download.path(), 'utf8')).trim(), content);
    assert.equal(await verify.getByRole('radio').count(), 0);
    await verify.getByText('a platform administrator may verify it', { exact: false }).waitFor();
    // The domain serves nothing here (it does not even resolve): refused with the reason.
    await verify.getByRole('button', { name: 'Check the file' }).click();
    await verify.getByRole('alert').filter({ hasText: 'Not verified' }).waitFor();
    await verify.getByRole('button', { name: 'Cancel' }).click();
    await rowOf('acme-corp.test').getByText('not verified').waitFor();

    // Another claimed without a connection, then linked to it from its row; a third removed.
    await section.getByRole('button', { name: 'Claim a domain' }).click();
    await domainField.fill('acme-labs.test');
    await claim.getByLabel('Connection').selectOption({ label: 'None for now' });
    await claim.getByRole('button', { name: 'Claim domain' }).click();
    await rowOf('acme-labs.test').getByText('not verified').waitFor();
    await section.getByLabel('Connection of acme-labs.test').selectOption({ label: 'Okta' });
    await section
      .getByRole('status')
      .filter({ hasText: 'acme-labs.test leads to Okta.' })
      .waitFor();
    const labs = await rows((tx) =>
      tx
        .selectFrom('sso_domains')
        .select(['connection_id', 'verified_at'])
        .where('domain', '=', 'acme-labs.test')
        .executeTakeFirstOrThrow(),
    );
    assert.deepEqual(labs, { connection_id: connection.id, verified_at: null });
    await section.getByRole('button', { name: 'Claim a domain' }).click();
    await domainField.fill('old-acme.test');
    await claim.getByRole('button', { name: 'Claim domain' }).click();
    await section.getByRole('button', { name: 'Remove old-acme.test' }).click();
    await page
      .getByRole('dialog', { name: 'Remove this domain?' })
      .getByRole('button', { name: 'Remove domain' })
      .click();
    await section.getByRole('status').filter({ hasText: 'old-acme.test removed.' }).waitFor();
    const left = await rows((tx) =>
      tx.selectFrom('sso_domains').select('domain').orderBy('domain').execute(),
    );
    assert.deepEqual(
      left.map((d) => d.domain),
      ['acme-corp.test', 'acme-labs.test'],
    );
    assert.deepEqual(violations, []);
    await page.context().close();

    // A platform administrator attests it, after the warning that nothing is checked; the
    // statement goes to the audit log.
    const root = await openConsoleAs(world, world.platformAdmin, `${org()}/sso/domains`);
    const rootSection = root.getByRole('region', { name: 'Domains' });
    await rootSection.getByRole('button', { name: 'Verify acme-corp.test' }).click();
    const attest = root.getByRole('form', { name: 'Verify acme-corp.test' });
    await attest.getByLabel('My attestation', { exact: false }).check();
    await attest.getByText('Nothing is checked').waitFor();
    await attest
      .getByLabel('Statement')
      .fill('Checked the registrar record with Acme IT by phone.');
    await attest.getByRole('button', { name: 'Attest and verify' }).click();
    await rootSection.getByRole('status').filter({ hasText: 'acme-corp.test verified.' }).waitFor();
    await rootSection
      .getByRole('table', { name: 'Domains' })
      .locator('tbody tr')
      .filter({ hasText: 'acme-corp.test' })
      .getByText('verified by attestation')
      .waitFor();
    const domain = await rows((tx) =>
      tx
        .selectFrom('sso_domains')
        .select(['verification', 'verified_at', 'verified_by', 'connection_id'])
        .where('domain', '=', 'acme-corp.test')
        .executeTakeFirstOrThrow(),
    );
    assert.equal(domain.verification, 'attestation');
    assert.ok(domain.verified_at);
    assert.equal(domain.verified_by, world.platformAdmin.user.id);
    assert.equal(domain.connection_id, connection.id);
    const event = await rows((tx) =>
      tx
        .selectFrom('audit_events')
        .select(['details', 'actor_id'])
        .where('action', '=', 'sso.domain.verified')
        .executeTakeFirstOrThrow(),
    );
    assert.equal(event.actor_id, world.platformAdmin.user.id);
    assert.match(JSON.stringify(event.details), /registrar record with Acme IT/);
    await root.context().close();
  });

  it('an administrator rotates the SAML signing key: next, active, then the old one retired, each after a confirmation', async () => {
    const page = await openConsoleAs(world, world.orgAdmin, `${org()}/sso/certificates`);
    const violations = cspViolations(page);
    const keys = page.getByRole('region', { name: 'SAML keys' });
    const keyTable = keys.getByRole('table', { name: 'SAML keys' });
    await keyTable.waitFor();
    const signing = () =>
      rows((tx) =>
        tx
          .selectFrom('saml_keys')
          .select(['id', 'state', 'fingerprint'])
          .where('use', '=', 'signing')
          .orderBy('created_at')
          .execute(),
      );
    const [old] = await signing();
    assert.equal(old?.state, 'active');

    await keys.getByRole('button', { name: 'Create next signing key' }).click();
    const create = page.getByRole('dialog', { name: 'Create the next signing key?' });
    await create.getByText('published in the metadata at once', { exact: false }).waitFor();
    await create.getByRole('button', { name: 'Create next key' }).click();
    await keys.getByRole('status').filter({ hasText: 'A next signing key is published' }).waitFor();
    // One next key at a time: the button waits until it is activated.
    await keys.locator('button:disabled', { hasText: 'Create next signing key' }).waitFor();
    const next = (await signing()).find((k) => k.state === 'next');
    assert.ok(next);

    await keys.getByRole('button', { name: /^Activate the next signing key/ }).click();
    const activate = page.getByRole('dialog', { name: 'Activate this key?' });
    await activate.getByText('becomes retiring', { exact: false }).waitFor();
    await activate.getByRole('button', { name: 'Activate key' }).click();
    await keys.getByRole('status').filter({ hasText: 'is active' }).waitFor();
    assert.deepEqual(
      (await signing()).map((k) => [k.id, k.state]),
      [
        [old.id, 'retiring'],
        [next.id, 'active'],
      ],
    );

    await keys.getByRole('button', { name: /^Retire the retiring signing key/ }).click();
    const retire = page.getByRole('dialog', { name: 'Retire this key?' });
    await retire.getByText('The overlap ends', { exact: false }).waitFor();
    await retire.getByRole('button', { name: 'Retire key' }).click();
    await keys.getByRole('status').filter({ hasText: 'is retired' }).waitFor();
    assert.deepEqual(
      (await signing()).map((k) => k.state),
      ['retired', 'active'],
    );

    // The inventory lists the keys and the connection's certificate, with the days left.
    const inventory = page.getByRole('table', { name: 'Certificate inventory' });
    await inventory.getByText(next.fingerprint).waitFor();
    await inventory.getByText('Identity provider of', { exact: false }).waitFor();
    await inventory
      .getByText(/\d+ days left/)
      .first()
      .waitFor();
    assert.deepEqual(violations, []);
    await page.context().close();
  });

  it("an auditor sees applications, connections, domains, keys and the SSO policy without an action; another organization's SSO is not theirs to see", async () => {
    const page = await openConsoleAs(world, auditor, `${org()}/sso`);
    await page
      .getByRole('table', { name: 'SAML applications' })
      .getByRole('link', { name: 'CRM' })
      .waitFor();
    await page
      .getByRole('region', { name: 'Identity provider details' })
      .getByRole('table')
      .waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add an application' }).count(), 0);
    await page.getByRole('link', { name: 'CRM' }).click();
    await page.getByRole('heading', { name: 'CRM' }).waitFor();
    for (const name of ['Edit', 'Disable', 'Delete'])
      assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, name);

    await page.goto(`${world.base}/admin${org()}/sso/connections`);
    await page.getByRole('link', { name: 'Okta' }).click();
    await page.getByRole('table', { name: 'Identity provider certificates' }).waitFor();
    for (const name of ['Edit', 'Disable', 'Delete', 'Add a certificate'])
      assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, name);
    assert.equal(await page.getByRole('button', { name: /^Remove/ }).count(), 0);

    await page.goto(`${world.base}/admin${org()}/sso/domains`);
    const domains = page.getByRole('table', { name: 'Domains' });
    await domains.getByText('verified by attestation').waitFor();
    await domains.getByText('not verified').waitFor();
    await domains.getByText('Okta').first().waitFor();
    assert.equal(await page.getByRole('button', { name: 'Claim a domain' }).count(), 0);
    assert.equal(await domains.getByRole('button').count(), 0);
    assert.equal(await domains.getByRole('combobox').count(), 0);

    await page.goto(`${world.base}/admin${org()}/sso/certificates`);
    await page.getByRole('table', { name: 'SAML keys' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /^Create next/ }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /^(Activate|Retire)/ }).count(), 0);

    await page.goto(`${world.base}/admin${org()}/policies?tab=sso`);
    await page.getByRole('table', { name: 'Single sign-on policy' }).waitFor();
    assert.equal(await page.getByRole('form', { name: 'Single sign-on policy' }).count(), 0);

    const globex = await world.core.createOrg('globex');
    for (const tab of ['applications', 'connections', 'domains', 'certificates']) {
      await page.goto(`${world.base}/admin/orgs/${globex}/sso/${tab}`);
      await page.getByRole('alert').filter({ hasText: 'Not yours to see' }).first().waitFor();
      assert.equal(await page.getByRole('table').count(), 0, tab);
    }
    await page.context().close();
  });

  it('an administrator sets the SSO policy (Vigil’s second factor) and deletes the connection after a confirmation', async () => {
    const page = await openConsoleAs(world, world.orgAdmin, `${org()}/policies?tab=sso`);
    const form = page.getByRole('form', { name: 'Single sign-on policy' });
    await form.getByRole('combobox', { name: 'Second factor with SSO' }).click();
    await page.getByRole('option', { name: "Vigil's, asked after every SSO sign-in" }).click();
    await form.getByRole('button', { name: 'Review changes' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'now version 1' }).waitFor();
    const policy = await rows((tx) =>
      tx
        .selectFrom('security_policies')
        .select('settings')
        .where('kind', '=', 'sso')
        .orderBy('version', 'desc')
        .executeTakeFirstOrThrow(),
    );
    assert.deepEqual(policy.settings, { required: false, mfa: 'vigil' });

    await page.goto(`${world.base}/admin${org()}/sso/connections`);
    await page.getByRole('link', { name: 'Okta' }).click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page
      .getByRole('dialog', { name: 'Delete this connection?' })
      .getByRole('button', { name: 'Delete connection' })
      .click();
    await page.getByText('No connection yet.').waitFor();
    assert.equal(
      (await rows((tx) => tx.selectFrom('sso_connections').select('id').execute())).length,
      0,
    );
    // Its domains stay, leading nowhere until they are linked again.
    const domains = await rows((tx) =>
      tx.selectFrom('sso_domains').select('connection_id').execute(),
    );
    assert.deepEqual(domains, [{ connection_id: null }, { connection_id: null }]);
    await page.context().close();
  });

  it('has no serious or critical WCAG 2.1 A/AA violation on the SSO pages and dialogs, light and dark', async () => {
    const page = await openConsoleAs(world, world.orgAdmin, `${org()}/sso`, { bypassCSP: true });
    const base = `${org()}/sso`;
    const opened = (button: string, form: string) => async (p: Page) => {
      await p.getByRole('tabpanel').getByRole('region').first().waitFor();
      await p.getByRole('button', { name: button }).click();
      await p.getByRole('form', { name: form }).waitFor();
    };
    const views: AxeView[] = [
      [
        'applications',
        `${base}/applications`,
        (p) => p.getByRole('table', { name: 'SAML applications' }).waitFor(),
      ],
      [
        'add an application',
        `${base}/applications`,
        opened('Add an application', 'Add a SAML application'),
      ],
      [
        'an application',
        `${base}/applications`,
        async (p) => {
          await p.getByRole('link', { name: 'CRM' }).click();
          await p.getByRole('table', { name: 'Application settings' }).waitFor();
        },
      ],
      ['connections', `${base}/connections`, (p) => p.getByText('No connection yet.').waitFor()],
      ['add a connection', `${base}/connections`, opened('Add a connection', 'Add a connection')],
      ['domains', `${base}/domains`, (p) => p.getByRole('table', { name: 'Domains' }).waitFor()],
      ['claim a domain', `${base}/domains`, opened('Claim a domain', 'Claim a domain')],
      [
        'verify a domain',
        `${base}/domains`,
        opened('Verify acme-labs.test', 'Verify acme-labs.test'),
      ],
      [
        'certificates',
        `${base}/certificates`,
        (p) => p.getByRole('table', { name: 'SAML keys' }).waitFor(),
      ],
      [
        'policies: Single sign-on',
        `${org()}/policies?tab=sso`,
        (p) => p.getByRole('form', { name: 'Single sign-on policy' }).waitFor(),
      ],
    ];
    const found = await axeViolations(world, page, views);
    await page.context().close();
    assert.deepEqual(found, []);
  });
});
