import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertScimError, type ScimWorld, scimPeople, startScimWorld } from './support/scim.ts';
import { coreGroup, enterpriseUser, patchOp } from './support/scim-directories.ts';

const bulkRequest = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const bulkResponse = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

/**
 * POST /Bulk (RFC 7644 §3.7, docs/scim.md#bulk): operations on Users and Groups run one by one
 * through the resources' own use cases, bulkId references resolved in any order, each failure
 * answered in its place without stopping the others (until failOnErrors).
 */
describe('SCIM Bulk', () => {
  let w: ScimWorld;
  const people = scimPeople();
  const bulk = (Operations: unknown[], extra: Record<string, unknown> = {}) =>
    w.scim('POST', '/Bulk', { schemas: [bulkRequest], Operations, ...extra });
  const statuses = (res: { json(): { Operations: { status: string }[] } }) =>
    res.json().Operations.map((o) => o.status);

  before(async () => {
    w = await startScimWorld();
  });
  after(() => w.close());

  it('creates users and a group of them by bulkId (referred to before it is created), patches one by bulkId and deletes it', async () => {
    const res = await bulk([
      {
        method: 'POST',
        bulkId: 'team',
        path: '/Groups',
        data: {
          schemas: [coreGroup],
          displayName: 'Bulk team',
          members: [{ value: 'bulkId:ann' }, { value: 'bulkId:bob' }],
        },
      },
      { method: 'POST', bulkId: 'ann', path: '/Users', data: people.body() },
      {
        method: 'POST',
        bulkId: 'bob',
        path: '/Users',
        data: people.body({ [enterpriseUser]: { manager: { value: 'bulkId:ann' } } }),
      },
      {
        method: 'PATCH',
        path: '/Users/bulkId:ann',
        data: {
          schemas: [patchOp],
          Operations: [{ op: 'replace', path: 'displayName', value: 'Ann Bulk' }],
        },
      },
      { method: 'DELETE', path: '/Users/bulkId:bob' },
    ]);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json().schemas, [bulkResponse]);
    const [team, ann, bob, patched, deleted] = res.json().Operations;
    assert.deepEqual(statuses(res), ['201', '201', '201', '200', '204']);
    assert.deepEqual([team.method, team.bulkId, deleted.method], ['POST', 'team', 'DELETE']);
    assert.match(ann.location, /\/scim\/v2\/acme\/Users\/[0-9a-f-]{36}$/);
    assert.match(ann.version, /^W\/"\d+"$/);
    const annId = ann.location.split('/').pop();
    const bobId = bob.location.split('/').pop();
    assert.equal(patched.location, ann.location);
    const annNow = (await w.scim('GET', `/Users/${annId}`)).json();
    assert.equal(annNow.displayName, 'Ann Bulk');
    assert.equal(patched.version, annNow.meta.version);
    assert.equal((await w.stored(bobId)).manager_id, annId);
    assertScimError(await w.scim('GET', `/Users/${bobId}`), 404);
    const group = (await w.scim('GET', `/Groups/${team.location.split('/').pop()}`)).json();
    assert.deepEqual(
      group.members.map((m: { value: string }) => m.value),
      [annId],
      'the group holds Ann; Bob left it when deprovisioned',
    );
  });

  it('answers each failure in its place and runs the rest; a reference to a failed, unknown or circular bulkId is 409', async () => {
    const res = await bulk([
      {
        method: 'POST',
        bulkId: 'bad',
        path: '/Users',
        data: { ...people.body(), userName: undefined },
      },
      { method: 'POST', bulkId: 'ok', path: '/Users', data: people.body() },
      {
        method: 'PATCH',
        path: '/Users/bulkId:bad',
        data: { schemas: [patchOp], Operations: [{ op: 'remove', path: 'title' }] },
      },
      { method: 'DELETE', path: '/Users/bulkId:nobody' },
      {
        method: 'POST',
        bulkId: 'x',
        path: '/Users',
        data: people.body({ [enterpriseUser]: { manager: { value: 'bulkId:y' } } }),
      },
      {
        method: 'POST',
        bulkId: 'y',
        path: '/Users',
        data: people.body({ [enterpriseUser]: { manager: { value: 'bulkId:x' } } }),
      },
      { method: 'PUT', path: '/Printers/1', data: {} },
      { method: 'POST', path: '/Users', data: people.body() },
      { method: 'GET', path: '/Users' },
    ]);
    assert.equal(res.status, 200);
    const ops = res.json().Operations;
    assert.deepEqual(statuses(res), [
      '400',
      '201',
      '409',
      '409',
      '409',
      '409',
      '400',
      '400',
      '400',
    ]);
    assert.equal(ops[0].response.scimType, 'invalidValue');
    assert.deepEqual(ops[0].response.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
    assert.equal(ops[6].response.scimType, 'invalidPath');
    assert.equal(ops[7].response.scimType, 'invalidSyntax');
    const listed = await w.scim(
      'GET',
      `/Users?filter=${encodeURIComponent('userName sw "person"')}`,
    );
    const created = ops[1].location.split('/').pop();
    assert.ok(listed.json().Resources.some((u: { id: string }) => u.id === created));
  });

  it('stops after failOnErrors failures and runs nothing after them', async () => {
    const before = await w.userCount();
    const res = await bulk(
      [
        { method: 'POST', bulkId: 'a', path: '/Users', data: { schemas: [] } },
        { method: 'POST', bulkId: 'b', path: '/Users', data: people.body() },
        { method: 'POST', bulkId: 'c', path: '/Users', data: { schemas: [] } },
        { method: 'POST', bulkId: 'd', path: '/Users', data: people.body() },
      ],
      { failOnErrors: 2 },
    );
    assert.deepEqual(statuses(res), ['400', '201', '400']);
    assert.equal(await w.userCount(), before + 1);
  });

  it('refuses a request that is no BulkRequest, repeats a bulkId, holds more than 100 operations or comes with another organization’s token, and changes nothing', async () => {
    const before = await w.userCount();
    const post = (bulkId: string) => ({
      method: 'POST',
      bulkId,
      path: '/Users',
      data: people.body(),
    });
    assertScimError(
      await w.scim('POST', '/Bulk', { Operations: [post('a')] }),
      400,
      'invalidSyntax',
    );
    assertScimError(await bulk([]), 400, 'invalidSyntax');
    assertScimError(await bulk([post('a'), post('a')]), 400, 'invalidSyntax');
    assertScimError(await bulk([post('a')], { failOnErrors: 0 }), 400, 'invalidValue');
    const many = Array.from({ length: 101 }, (_, i) => post(`p${i}`));
    assertScimError(await bulk(many), 413, 'tooMany');
    const body = { schemas: [bulkRequest], Operations: [post('z')] };
    assertScimError(await w.scim('POST', '/Bulk', body, { token: w.tokens.globex }), 401);
    assert.equal(await w.userCount(), before);
  });

  it('is advertised in /ServiceProviderConfig with its limits', async () => {
    const config = (await w.scim('GET', '/ServiceProviderConfig')).json();
    assert.equal(config.bulk.supported, true);
    assert.equal(config.bulk.maxOperations, 100);
    assert.ok(config.bulk.maxPayloadSize > 0);
  });
});
