import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import SCIMMY from 'scimmy';
import { type ScimWorld, scimPeople, startScimWorld } from './support/scim.ts';
import { checkedScim, type Json } from './support/scim-checked.ts';
import { coreGroup, enterpriseUser, patchOp, query } from './support/scim-directories.ts';
import { rfc, vigilUserUrn } from './support/scim-rfc.ts';

/**
 * A realistic provisioning session against a running Vigil over HTTPS whose every answer is
 * checked by SCIMMY (npm `scimmy`), an independent SCIM 2.0 implementation: each resource and
 * ListResponse against RFC 7643's schemas and against the schemas Vigil publishes, each error
 * against RFC 7644 §3.12, each PATCH against SCIMMY's own PATCH of the same resource
 * (test/support/scim-checked.ts). Discovery and the proof that the checks refuse a
 * non-conforming answer: test/scim-third-party-discovery.test.ts.
 */
describe('SCIM session checked by an independent SCIM implementation (SCIMMY)', () => {
  let w: ScimWorld;
  let c: Awaited<ReturnType<typeof checkedScim>>;
  const people = scimPeople();
  const users: Json[] = [];
  const userIds = async (filter: string, extra?: Record<string, string>) =>
    c.list(await c.userFilter(filter, extra), 'Users').map((u) => u.id);
  const patch = (path: string, Operations: Json[], headers = {}) =>
    c.scim('PATCH', path, { schemas: [patchOp], Operations }, headers);
  const values = (multi: Json[]) => multi.map((m) => m.value).sort();

  before(async () => {
    w = await startScimWorld();
    c = await checkedScim(w);
  });
  after(() => w.close());

  it('creates users, with a manager and an end date: conforming, with Location and ETag', async () => {
    const ann = c.resource(
      await c.scim('POST', '/Users', {
        ...people.body({ displayName: 'Ann Lee' }),
        [vigilUserUrn]: { endDate: '2027-06-30T17:00:00Z' },
      }),
      201,
      'Users',
    );
    assert.equal(ann[vigilUserUrn].endDate, '2027-06-30T17:00:00.000Z');
    const manager = { employeeNumber: 'E2', manager: { value: ann.id } };
    const ben = c.resource(
      await c.scim('POST', '/Users', { ...people.body(), [enterpriseUser]: manager }),
      201,
      'Users',
    );
    assert.equal(ben[enterpriseUser].manager.$ref, `${c.root}/Users/${ann.id}`);
    const cat = c.resource(await c.scim('POST', '/Users', people.body()), 201, 'Users');
    users.push(ann, ben, cat);
    assert.deepEqual(c.resource(await c.scim('GET', `/Users/${ben.id}`), 200, 'Users'), ben);
  });

  it('lists users by filter, page, projection and .search: every ListResponse conforms', async () => {
    const [ann, ben, cat] = users as [Json, Json, Json];
    const all = users.map((u) => u.id);
    assert.deepEqual(await userIds(`userName eq "${ann.userName.toUpperCase()}"`), [ann.id]);
    assert.deepEqual(await userIds(`externalId eq "${ben.externalId}"`), [ben.id]);
    assert.deepEqual(await userIds('emails.value co "@acme.test"'), all);
    const either = `displayName eq "Ann Lee" or externalId eq "${cat.externalId}"`;
    assert.deepEqual(await userIds(`userName sw "person" and (${either})`), [ann.id, cat.id]);
    const since = `meta.lastModified ge "${ann.meta.created}" and displayName pr`;
    assert.deepEqual(await userIds(since), all);
    assert.deepEqual(await userIds('userName eq "nobody@acme.test"'), []);
    const page = await c.userFilter('userName sw "person"', { startIndex: '2', count: '1' });
    assert.deepEqual(c.list(page, 'Users'), [ben]);
    const { totalResults, startIndex, itemsPerPage } = page.json();
    assert.deepEqual([totalResults, startIndex, itemsPerPage], [3, 2, 1]);
    const search = { schemas: [searchRequest], filter: `id eq "${cat.id}"` };
    assert.deepEqual(c.list(await c.scim('POST', '/Users/.search', search), 'Users'), [cat]);
    // A projection leaves out `meta`, which SCIMMY's coercion of a whole resource requires:
    // each attribute kept is read by SCIMMY's definition of that attribute instead.
    const path = `/Users/${ben.id}?attributes=userName,${enterpriseUser}:manager`;
    const projected = (await c.scim('GET', path)).json();
    assert.deepEqual(Object.keys(projected).sort(), ['id', 'schemas', enterpriseUser, 'userName']);
    assert.equal(rfc.user.attribute('userName').coerce(projected.userName, 'out'), ben.userName);
    const manager = rfc.enterpriseUser.attribute('manager');
    const read = manager.coerce(projected[enterpriseUser].manager, 'out');
    assert.deepEqual(JSON.parse(JSON.stringify(read)), ben[enterpriseUser].manager);
  });

  it('PATCHes a user into what SCIMMY makes of the same operations', async () => {
    const ben = users[1] as Json;
    const Operations = [
      { op: 'replace', path: 'displayName', value: 'Ben Bright' },
      { op: 'replace', path: 'name.familyName', value: 'Bright' },
      { op: 'add', path: `${enterpriseUser}:department`, value: 'Finance' },
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'ben.bright@acme.test' },
      { op: 'remove', path: 'externalId' },
      { op: 'add', path: `${vigilUserUrn}:endDate`, value: '2027-01-31T00:00:00.000Z' },
    ];
    const request = { schemas: [patchOp], Operations } as never;
    const expected = await new SCIMMY.Messages.PatchOp(request).apply(
      new SCIMMY.Schemas.User(ben, 'out'),
    );
    const res = await patch(`/Users/${ben.id}`, Operations, { 'if-match': ben.meta.version });
    const patched = c.resource(res, 200, 'Users');
    // Vigil derives name.formatted from the parts (docs/scim.md#users-mapping); meta moves.
    const comparable = (u: Json) => ({ ...u, meta: 0, name: { ...u.name, formatted: 0 } });
    assert.deepEqual(comparable(JSON.parse(JSON.stringify(expected))), comparable(patched));
    assert.equal(patched.name.formatted, `${patched.name.givenName} Bright`);
    users[1] = patched;
  });

  it('replaces, deactivates with Entra\'s "False", reactivates and deletes a user', async () => {
    const cat = users[2] as Json;
    const renamed = { ...cat, name: { givenName: 'Catherine', familyName: cat.name.familyName } };
    const replaced = c.resource(await c.scim('PUT', `/Users/${cat.id}`, renamed), 200, 'Users');
    assert.equal(replaced.name.givenName, 'Catherine');
    const off = await patch(`/Users/${cat.id}`, [{ op: 'Replace', value: { active: 'False' } }]);
    const deactivated = c.resource(off, 200, 'Users');
    assert.equal(deactivated.active, false);
    assert.deepEqual(await userIds('active eq false'), [cat.id]);
    const on = await c.scim('PUT', `/Users/${cat.id}`, { ...deactivated, active: true });
    assert.equal(c.resource(on, 200, 'Users').active, true);
    assert.equal((await c.scim('DELETE', `/Users/${cat.id}`)).status, 204);
    c.error(await c.scim('GET', `/Users/${cat.id}`), 404);
    assert.deepEqual(await userIds(`id eq "${cat.id}"`), []);
  });

  it('runs a group through create, members added and removed, replace and delete', async () => {
    const [ann, ben] = users as [Json, Json];
    const created = await c.scim('POST', '/Groups', {
      schemas: [coreGroup],
      displayName: 'Finance',
      members: [{ value: ann.id }],
    });
    const group = c.resource(created, 201, 'Groups');
    const annRef = `${c.root}/Users/${ann.id}`;
    assert.deepEqual(group.members, [
      { value: ann.id, display: 'Ann Lee', type: 'User', $ref: annRef },
    ]);
    const at = `/Groups/${group.id}`;
    assert.deepEqual(c.resource(await c.scim('GET', at), 200, 'Groups'), group);
    const member = c.resource(await c.scim('GET', `/Users/${ann.id}`), 200, 'Users');
    assert.deepEqual(values(member.groups), [group.id]);
    const add = { op: 'add', path: 'members', value: [{ value: ben.id }] };
    const added = c.resource(await patch(at, [add]), 200, 'Groups');
    assert.deepEqual(values(added.members), [ann.id, ben.id].sort());
    const having = `/Groups?${query({ filter: `members[value eq "${ben.id}"]` })}`;
    const withBen = c.list(await c.scim('GET', having), 'Groups');
    assert.deepEqual(
      withBen.map((g) => g.id),
      [group.id],
    );
    const remove = { op: 'remove', path: `members[value eq "${ann.id}"]` };
    const removed = c.resource(await patch(at, [remove]), 200, 'Groups');
    assert.deepEqual(values(removed.members), [ben.id]);
    const body = { schemas: [coreGroup], displayName: 'Finance EU', members: [] };
    const put = await c.scim('PUT', at, body, { 'if-match': removed.meta.version });
    // RFC 7643 §2.5: an empty array and an absent attribute are the same state.
    assert.deepEqual(c.resource(put, 200, 'Groups').members ?? [], []);
    const lean = query({ filter: 'displayName eq "finance eu"', excludedAttributes: 'members' });
    const found = c.list(await c.scim('GET', `/Groups?${lean}`), 'Groups');
    assert.deepEqual(
      found.map((g) => [g.id, g.members]),
      [[group.id, undefined]],
    );
    assert.equal((await c.scim('DELETE', at)).status, 204);
    c.error(await c.scim('GET', at), 404);
  });

  it('refuses with SCIM errors whose status and scimType SCIMMY accepts', async () => {
    const [ann] = users as [Json];
    const at = `/Users/${ann.id}`;
    const taken = people.body({ userName: ann.userName });
    c.error(await c.scim('POST', '/Users', taken), 409, 'uniqueness');
    c.error(await c.userFilter('userName zz "x"'), 400, 'invalidFilter');
    c.error(await c.userFilter('password eq "x"'), 400, 'invalidFilter');
    c.error(await c.scim('POST', '/Users', { userName: 'x@acme.test' }), 400, 'invalidSyntax');
    const maybe = people.body({ active: 'maybe' });
    c.error(await c.scim('POST', '/Users', maybe), 400, 'invalidValue');
    c.error(await patch(at, [{ op: 'replace', path: 'id', value: 'x' }]), 400, 'mutability');
    c.error(await patch(at, [{ op: 'remove' }]), 400, 'noTarget');
    const rename = [{ op: 'replace', path: 'displayName', value: 'x' }];
    c.error(await patch(at, rename, { 'if-match': 'W/"1"' }), 412);
    const stranger = { authorization: 'Bearer vigil_scim_nope.nope' };
    c.error(await c.scim('GET', '/Users', undefined, stranger), 401);
    c.error(await c.scim('GET', '/Users/00000000-0000-7000-8000-000000000000'), 404);
  });

  it('answers /Bulk with a BulkResponse SCIMMY reads, and what it created conforms', async () => {
    const res = await c.scim('POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'dee', data: people.body() },
        {
          method: 'POST',
          path: '/Groups',
          bulkId: 'ops',
          data: { schemas: [coreGroup], displayName: 'Ops', members: [{ value: 'bulkId:dee' }] },
        },
      ],
    });
    assert.equal(res.status, 200, res.text);
    const created = new SCIMMY.Messages.BulkResponse(res.json()).resolve();
    assert.deepEqual([...created.keys()], ['dee', 'ops']);
    const dee = c.resource(await c.scim('GET', `/Users/${created.get('dee')}`), 200, 'Users');
    const ops = c.resource(await c.scim('GET', `/Groups/${created.get('ops')}`), 200, 'Groups');
    assert.deepEqual(values(ops.members), [dee.id]);
  });
});

const searchRequest = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
