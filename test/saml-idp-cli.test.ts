import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSamlKeyPair } from '../src/crypto/index.ts';
import { operatorActor, withPlatform } from '../src/platform/index.ts';
import { cliStore } from './support/cli.ts';

/** `vigil saml apps|keys|metadata` against a real store. */
describe('vigil CLI: SAML applications, keys and metadata', () => {
  const store = cliStore({ migrated: true });
  const { withServices } = store;
  const vigil = (args: string[]) => store.vigil(args);
  let certFile: string;

  before(async () => {
    await store.open();
    await withServices((services, core) =>
      withPlatform(core.database, (tx) =>
        services.tenancy.createOrganization(tx, { slug: 'acme', name: 'Acme' }, operatorActor),
      ),
    );
    certFile = join(tmpdir(), `sp-${process.pid}.pem`);
    writeFileSync(certFile, (await createSamlKeyPair('sp', 30)).certificate);
  });
  after(() => store.close());

  it('adds, lists, shows, updates and deletes an application', async () => {
    const added = await vigil([
      'saml',
      'apps',
      'add',
      '--org',
      'acme',
      '--name',
      'Wiki',
      '--entity-id',
      'https://wiki.example.com/sp',
      '--acs',
      'https://wiki.example.com/acs',
      '--attribute',
      'mail=email',
      '--name-id-format',
      'persistent',
      '--sp-certificate',
      certFile,
      '--encrypt-assertion',
      '--json',
    ]);
    assert.equal(added.code, 0, added.stderr);
    const app = JSON.parse(added.stdout).application;
    assert.equal(app.nameIdFormat, 'persistent');
    assert.equal(app.encryptAssertion, true);
    assert.deepEqual(app.attributeMapping, [{ name: 'mail', source: 'email' }]);

    const list = await vigil(['saml', 'apps', 'list', '--org', 'acme']);
    assert.equal(list.code, 0);
    assert.match(list.stdout, /Wiki/);
    const shown = await vigil(['saml', 'apps', 'show', app.id, '--org', 'acme']);
    assert.match(shown.stdout, /https:\/\/wiki\.example\.com\/acs/);
    const updated = await vigil([
      'saml',
      'apps',
      'update',
      app.id,
      '--org',
      'acme',
      '--disable',
      '--json',
    ]);
    assert.equal(updated.code, 0, updated.stderr);
    assert.equal(JSON.parse(updated.stdout).application.enabled, false);

    const bad = await vigil([
      'saml',
      'apps',
      'add',
      '--org',
      'acme',
      '--name',
      'Bad',
      '--entity-id',
      'bad',
      '--acs',
      'http://bad.example.com/acs',
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--acs/);
    const none = await vigil(['saml', 'apps', 'add', '--org', 'acme', '--name', 'X']);
    assert.equal(none.code, 2);

    const deleted = await vigil(['saml', 'apps', 'delete', app.id, '--org', 'acme']);
    assert.equal(deleted.code, 0, deleted.stderr);
    const gone = await vigil(['saml', 'apps', 'show', app.id, '--org', 'acme']);
    assert.notEqual(gone.code, 0);
  });

  it('rotates a key in three steps, the metadata following', async () => {
    const listed = await vigil(['saml', 'keys', 'list', '--org', 'acme', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const keys = JSON.parse(listed.stdout).items;
    assert.deepEqual(
      keys.map((k: { state: string }) => k.state),
      ['active', 'active'],
    );
    assert.ok(keys.every((k: Record<string, unknown>) => !('privateKey' in k)));
    const old = keys.find((k: { use: string }) => k.use === 'signing');

    const rotated = await vigil([
      'saml',
      'keys',
      'rotate',
      '--org',
      'acme',
      '--use',
      'signing',
      '--json',
    ]);
    assert.equal(rotated.code, 0, rotated.stderr);
    const next = JSON.parse(rotated.stdout).key;
    assert.equal(next.state, 'next');
    assert.equal(
      (await vigil(['saml', 'keys', 'rotate', '--org', 'acme', '--use', 'both'])).code,
      2,
    );
    const metadata = async () => (await vigil(['saml', 'metadata', '--org', 'acme'])).stdout;
    assert.equal((await metadata()).match(/use="signing"/g)?.length, 2);

    assert.equal((await vigil(['saml', 'keys', 'activate', next.id, '--org', 'acme'])).code, 0);
    assert.equal((await vigil(['saml', 'keys', 'retire', old.id, '--org', 'acme'])).code, 0);
    const xml = await metadata();
    assert.match(xml, /EntityDescriptor/);
    assert.equal(xml.match(/use="signing"/g)?.length, 1);
    const audited = await store.audited('saml.key.');
    assert.ok(audited.length >= 6);
  });
});
