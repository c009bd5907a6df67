import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { operatorActor, withPlatform } from '../src/platform/index.ts';
import { cliStore } from './support/cli.ts';
import { startUpstreamIdp, type UpstreamIdp } from './support/upstream-saml.ts';

/** `vigil sso connections …` against a real store: the admin API's operations, audited. */
describe('vigil CLI: SSO connections', () => {
  const store = cliStore({ migrated: true });
  const vigil = (args: string[]) => store.vigil(args);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sso-cli-'));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  let idp: UpstreamIdp;
  let next: UpstreamIdp;
  let id: string;

  before(async () => {
    await store.open();
    idp = await startUpstreamIdp();
    next = await startUpstreamIdp({ entityId: idp.entityId });
    await store.withServices((services, core) =>
      withPlatform(core.database, (tx) =>
        services.tenancy.createOrganization(tx, { slug: 'acme', name: 'Acme' }, operatorActor),
      ),
    );
  });
  after(() => store.close());

  it('adds a SAML connection from a metadata file and shows what to register Vigil as', async () => {
    const added = await vigil([
      'sso',
      'connections',
      'add',
      '--org',
      'acme',
      '--name',
      'Acme IdP',
      '--protocol',
      'saml',
      '--provisioning',
      'jit',
      '--metadata-file',
      file('idp.xml', idp.metadataXml),
      '--mfa-value',
      'urn:acme:mfa',
      '--json',
    ]);
    assert.equal(added.code, 0, added.stderr);
    const connection = JSON.parse(added.stdout);
    id = connection.id;
    assert.equal(connection.saml.idpEntityId, idp.entityId);
    assert.deepEqual(connection.attributeMapping, { mfaValues: ['urn:acme:mfa'] });
    const shown = await vigil(['sso', 'connections', 'show', id, '--org', 'acme']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(
      shown.stdout,
      /SAML connection .* "Acme IdP" \(enabled, just-in-time provisioning\)/,
    );
    assert.match(shown.stdout, new RegExp(`ACS \\(HTTP-POST\\) .*/sso/${id}/acs`));
    const listed = await vigil(['sso', 'connections', 'list', '--org', 'acme']);
    assert.match(listed.stdout, /Acme IdP\s+saml\s+yes\s+jit/);
    const [event] = await store.audited('sso.connection.created');
    assert.equal(event?.actorType, 'operator');
    assert.equal(event?.targetId, id);
  });

  it('tracks a rollover certificate and removes the old one, never the last', async () => {
    const added = await vigil([
      'sso',
      'connections',
      'add-certificate',
      id,
      '--org',
      'acme',
      '--certificate-file',
      file('next.pem', next.keys.certificate),
      '--json',
    ]);
    assert.equal(added.code, 0, added.stderr);
    const certificates = JSON.parse(added.stdout).certificates as { id: string; subject: string }[];
    assert.equal(certificates.length, 2);
    const remove = (certificateId: string) =>
      vigil([
        'sso',
        'connections',
        'remove-certificate',
        id,
        '--org',
        'acme',
        '--certificate',
        certificateId,
      ]);
    const [first, second] = certificates;
    assert.ok(first && second);
    assert.equal((await remove(first.id)).code, 0);
    const last = await remove(second.id);
    assert.notEqual(last.code, 0);
    assert.match(last.stderr, /last signing certificate/);
  });

  it('updates, refuses bad input in the words of the command line, and deletes', async () => {
    const disabled = await vigil([
      'sso',
      'connections',
      'update',
      id,
      '--org',
      'acme',
      '--disable',
      '--name',
      'Acme IdP (old)',
    ]);
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.match(disabled.stdout, /"Acme IdP \(old\)" \(disabled/);
    const bad = await vigil([
      'sso',
      'connections',
      'add',
      '--org',
      'acme',
      '--name',
      'Fields',
      '--protocol',
      'saml',
      '--idp-entity-id',
      'https://idp.test',
      '--idp-sso-url',
      'http://idp.test/sso',
      '--certificate-file',
      file('cert.pem', idp.keys.certificate),
    ]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--idp-sso-url: must use https/);
    const noRefresh = await vigil(['sso', 'connections', 'refresh-metadata', id, '--org', 'acme']);
    assert.notEqual(noRefresh.code, 0);
    assert.match(noRefresh.stderr, /no metadata URL/);
    assert.equal((await vigil(['sso', 'connections', 'show', 'nope', '--org', 'acme'])).code, 2);
    const deleted = await vigil(['sso', 'connections', 'delete', id, '--org', 'acme']);
    assert.equal(deleted.code, 0, deleted.stderr);
    const listed = await vigil(['sso', 'connections', 'list', '--org', 'acme']);
    assert.match(listed.stdout, /no SSO connections in acme/);
    assert.equal((await store.audited('sso.connection.deleted')).length, 1);
  });
});
