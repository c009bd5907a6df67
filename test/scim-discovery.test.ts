import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ScimWorld, startScimWorld } from './support/scim.ts';
import { coreUser, enterpriseUser, listResponse } from './support/scim-directories.ts';

const vigilUser = 'urn:ietf:params:scim:schemas:extension:vigil:2.0:User';

/**
 * The discovery endpoints (RFC 7644 §4, docs/scim.md#endpoints): what the service provider
 * supports, its schemas and resource types, each consistent with the others and with what the
 * Users resource does; like every SCIM route they need the organization's token.
 */
describe('SCIM discovery', () => {
  let w: ScimWorld;
  before(async () => {
    w = await startScimWorld();
  });
  after(() => w.close());

  it('advertises PATCH, bulk (100 operations), filters (200 at most), ETags and bearer tokens; no sort or password change', async () => {
    const res = await w.scim('GET', '/ServiceProviderConfig');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/scim\+json/);
    const config = res.json();
    assert.deepEqual(config.schemas, [
      'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
    ]);
    assert.deepEqual(config.patch, { supported: true });
    assert.deepEqual(config.bulk, {
      supported: true,
      maxOperations: 100,
      maxPayloadSize: config.bulk.maxPayloadSize,
    });
    assert.ok(config.bulk.maxPayloadSize >= 1024);
    assert.deepEqual(config.filter, { supported: true, maxResults: 200 });
    assert.deepEqual(config.changePassword, { supported: false });
    assert.deepEqual(config.sort, { supported: false });
    assert.deepEqual(config.etag, { supported: true });
    assert.equal(config.authenticationSchemes.length, 1);
    assert.equal(config.authenticationSchemes[0].type, 'oauthbearertoken');
    assert.match(config.meta.location, /\/scim\/v2\/acme\/ServiceProviderConfig$/);
  });

  it('lists the User schema and both extensions, each by its URN', async () => {
    const res = await w.scim('GET', '/Schemas');
    assert.equal(res.status, 200);
    const list = res.json();
    assert.deepEqual(list.schemas, [listResponse]);
    const ids = list.Resources.map((s: { id: string }) => s.id);
    for (const id of [coreUser, enterpriseUser, vigilUser]) assert.ok(ids.includes(id), id);
    assert.equal(list.totalResults, list.Resources.length);
    const user = list.Resources.find((s: { id: string }) => s.id === coreUser);
    const attribute = (name: string) =>
      user.attributes.find((a: { name: string }) => a.name === name);
    assert.deepEqual(
      { required: attribute('userName').required, uniqueness: attribute('userName').uniqueness },
      { required: true, uniqueness: 'server' },
    );
    assert.equal(attribute('groups').mutability, 'readOnly');
    assert.equal(attribute('active').type, 'boolean');
    const one = await w.scim('GET', `/Schemas/${enterpriseUser}`);
    assert.equal(one.status, 200);
    assert.deepEqual(
      one.json().attributes.map((a: { name: string }) => a.name),
      ['employeeNumber', 'department', 'manager'],
    );
    const vigil = await w.scim('GET', `/Schemas/${vigilUser}`);
    assert.deepEqual(
      vigil.json().attributes.map((a: { name: string; type: string }) => [a.name, a.type]),
      [['endDate', 'dateTime']],
    );
    const unknown = await w.scim('GET', '/Schemas/urn:example:nothing');
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.json().schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
  });

  it('lists the User resource type with its endpoint and extensions, every schema of which /Schemas has', async () => {
    const res = await w.scim('GET', '/ResourceTypes');
    assert.equal(res.status, 200);
    const types = res.json().Resources;
    const user = types.find((t: { id: string }) => t.id === 'User');
    assert.equal(user.endpoint, '/Users');
    assert.equal(user.schema, coreUser);
    assert.deepEqual(user.schemaExtensions, [
      { schema: enterpriseUser, required: false },
      { schema: vigilUser, required: false },
    ]);
    const schemaIds = (await w.scim('GET', '/Schemas'))
      .json()
      .Resources.map((s: { id: string }) => s.id);
    for (const type of types)
      for (const schema of [
        type.schema,
        ...type.schemaExtensions.map((e: { schema: string }) => e.schema),
      ])
        assert.ok(schemaIds.includes(schema), `${type.id}: ${schema} is in /Schemas`);
    const one = await w.scim('GET', '/ResourceTypes/User');
    assert.deepEqual(one.json(), user);
    assert.equal((await w.scim('GET', '/ResourceTypes/Printer')).status, 404);
  });

  it('answers none of them without the organization’s token', async () => {
    for (const path of [
      '/ServiceProviderConfig',
      '/Schemas',
      `/Schemas/${coreUser}`,
      '/ResourceTypes',
      '/ResourceTypes/User',
    ]) {
      for (const token of [null, w.tokens.globex]) {
        const res = await w.scim('GET', path, undefined, { token });
        assert.equal(res.status, 401, `${path} with ${token ? "globex's token" : 'no token'}`);
        assert.match(String(res.headers['www-authenticate']), /^Bearer/);
      }
    }
  });
});
