import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newId, withOrg } from '../src/platform/index.ts';
import { assertScimError, type ScimWorld, scimPeople, startScimWorld } from './support/scim.ts';
import { coreUser, enterpriseUser, patchOp } from './support/scim-directories.ts';

const vigilUser = 'urn:ietf:params:scim:schemas:extension:vigil:2.0:User';

/**
 * The SCIM Users resource over HTTP (docs/scim.md#users-mapping): create, read, replace, PATCH and
 * delete, with ETags and the audit events of joiners and movers. Refusals:
 * test/scim-users-refusals.test.ts; lists and filters: test/scim-users-list.test.ts.
 */
describe('SCIM Users', () => {
  let w: ScimWorld;
  const people = scimPeople();
  const newUser = people.body;
  const create = async (extra: Record<string, unknown> = {}) => {
    const res = await w.scim('POST', '/Users', newUser(extra));
    assert.equal(res.status, 201, res.text);
    return res.json();
  };

  before(async () => {
    w = await startScimWorld();
  });
  after(() => w.close());

  it('creates a user: 201 with Location and ETag, the directory columns stored, audited as the token', async () => {
    const res = await w.scim('POST', '/Users', {
      ...newUser({ userName: 'ANN.LEE@corp.example' }),
      displayName: 'Ann Lee',
      [vigilUser]: { endDate: '2027-03-31T17:00:00Z' },
    });
    assert.equal(res.status, 201, res.text);
    assert.match(String(res.headers['content-type']), /^application\/scim\+json/);
    const user = res.json();
    assert.equal(res.headers.location, `${user.meta.location}`);
    assert.match(user.meta.location, /\/scim\/v2\/acme\/Users\/[0-9a-f-]{36}$/);
    assert.equal(res.headers.etag, user.meta.version);
    assert.match(user.meta.version, /^W\/"\d+"$/);
    assert.equal(user.userName, 'ANN.LEE@corp.example');
    assert.equal(user.displayName, 'Ann Lee');
    assert.equal(user.active, true);
    assert.deepEqual(user.emails, [
      { value: `person${people.n}@acme.test`, type: 'work', primary: true },
    ]);
    assert.deepEqual(user[enterpriseUser], {
      employeeNumber: `E${people.n}`,
      department: 'Engineering',
    });
    assert.deepEqual(user[vigilUser], { endDate: '2027-03-31T17:00:00.000Z' });
    assert.deepEqual(user.schemas, [coreUser, enterpriseUser, vigilUser]);
    const row = await w.stored(user.id);
    assert.equal(row.org_id, w.orgs.acme);
    assert.equal(row.user_name, 'ANN.LEE@corp.example');
    assert.equal(row.external_id, `ext-${people.n}`);
    assert.equal(row.given_name, `Given${people.n}`);
    assert.equal(row.end_at?.toISOString(), '2027-03-31T17:00:00.000Z');
    const [created] = await w.events('user.created', user.id);
    assert.equal(created?.actorType, 'scim_token');
    assert.equal(created?.details.source, 'scim');
    const after = created?.details.after as Record<string, unknown> | undefined;
    assert.equal(after?.department, 'Engineering');
  });

  it('stores no userName that only repeats the email, and derives the display name', async () => {
    const user = await create({ displayName: undefined });
    assert.equal(user.userName, `person${people.n}@acme.test`);
    assert.equal(user.displayName, `Given${people.n} Family${people.n}`);
    assert.equal((await w.stored(user.id)).user_name, null);
  });

  it('reads a user by id with its ETag; an unknown id, a malformed one or another organization’s user is 404', async () => {
    const user = await create();
    const res = await w.scim('GET', `/Users/${user.id}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.etag, user.meta.version);
    assert.deepEqual(res.json(), user);
    assertScimError(await w.scim('GET', `/Users/${crypto.randomUUID()}`), 404);
    assertScimError(await w.scim('GET', '/Users/not-a-uuid'), 404);
    const theirs = await w.scim('POST', '/Users', newUser(), {
      org: 'globex',
      token: w.tokens.globex,
    });
    assert.equal(theirs.status, 201);
    assertScimError(await w.scim('GET', `/Users/${theirs.json().id}`), 404);
  });

  it('replaces a user with PUT: the changed fields audited before and after, a new version', async () => {
    const user = await create();
    const body = {
      ...newUser(),
      userName: user.userName,
      emails: user.emails,
      externalId: user.externalId,
      name: { givenName: 'Renamed', familyName: user.name.familyName },
      [enterpriseUser]: {
        employeeNumber: user[enterpriseUser].employeeNumber,
        department: 'Sales',
      },
    };
    const res = await w.scim('PUT', `/Users/${user.id}`, body, {
      headers: { 'if-match': user.meta.version },
    });
    assert.equal(res.status, 200, res.text);
    const replaced = res.json();
    assert.equal(replaced.name.givenName, 'Renamed');
    assert.equal(replaced[enterpriseUser].department, 'Sales');
    assert.notEqual(replaced.meta.version, user.meta.version);
    assert.equal(res.headers.etag, replaced.meta.version);
    const [updated] = await w.events('user.updated', user.id);
    assert.equal(updated?.actorType, 'scim_token');
    assert.deepEqual(updated?.details, {
      source: 'scim',
      before: {
        displayName: user.displayName,
        givenName: user.name.givenName,
        department: 'Engineering',
      },
      after: { displayName: replaced.displayName, givenName: 'Renamed', department: 'Sales' },
    });
  });

  it('refuses a change on a stale version with 412 and changes nothing; * and the current version pass', async () => {
    const user = await create();
    const patch = (value: string) => ({
      schemas: [patchOp],
      Operations: [{ op: 'replace', path: 'displayName', value }],
    });
    const stale = 'W/"1"';
    assertScimError(
      await w.scim('PATCH', `/Users/${user.id}`, patch('Stale'), {
        headers: { 'if-match': stale },
      }),
      412,
    );
    assertScimError(
      await w.scim('PUT', `/Users/${user.id}`, newUser(), { headers: { 'if-match': stale } }),
      412,
    );
    assertScimError(
      await w.scim('DELETE', `/Users/${user.id}`, undefined, { headers: { 'if-match': stale } }),
      412,
    );
    assert.equal((await w.stored(user.id)).display_name, user.displayName);
    assert.equal((await w.stored(user.id)).status, 'active');
    const star = await w.scim('PATCH', `/Users/${user.id}`, patch('Star'), {
      headers: { 'if-match': '*' },
    });
    assert.equal(star.status, 200);
    const strong = star.json().meta.version.replace(/^W\//, '');
    const current = await w.scim('PATCH', `/Users/${user.id}`, patch('Current'), {
      headers: { 'if-match': strong },
    });
    assert.equal(current.status, 200);
    assert.equal(current.json().displayName, 'Current');
  });

  it('patches with paths: replace, add and remove, a filtered email, the manager', async () => {
    const manager = await create();
    const user = await create();
    const res = await w.scim('PATCH', `/Users/${user.id}`, {
      schemas: [patchOp],
      Operations: [
        { op: 'replace', path: 'name.givenName', value: 'Patched' },
        { op: 'remove', path: 'name.familyName' },
        { op: 'add', path: `${enterpriseUser}:manager`, value: { value: manager.id } },
        {
          op: 'replace',
          path: 'emails[type eq "work"].value',
          value: `patched${people.n}@acme.test`,
        },
      ],
    });
    assert.equal(res.status, 200, res.text);
    const patched = res.json();
    assert.deepEqual(patched.name, { givenName: 'Patched', formatted: 'Patched' });
    assert.equal(patched[enterpriseUser].manager.value, manager.id);
    assert.match(patched[enterpriseUser].manager.$ref, new RegExp(`/Users/${manager.id}$`));
    assert.equal(patched.emails[0].value, `patched${people.n}@acme.test`);
    const row = await w.stored(user.id);
    assert.equal(row.family_name, null);
    assert.equal(row.manager_id, manager.id);
    assert.equal(row.email, `patched${people.n}@acme.test`);
  });

  it('patches complex attributes and the extension without a path, leaving the sub-attributes not named', async () => {
    const user = await create();
    const res = await w.scim('PATCH', `/Users/${user.id}`, {
      schemas: [patchOp],
      Operations: [
        {
          op: 'replace',
          value: { name: { givenName: 'Only' }, [enterpriseUser]: { department: 'Ops' } },
        },
        { op: 'add', path: enterpriseUser, value: { employeeNumber: 'X-1' } },
      ],
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json().name.givenName, 'Only');
    assert.equal(res.json().name.familyName, user.name.familyName);
    assert.deepEqual(res.json()[enterpriseUser], { employeeNumber: 'X-1', department: 'Ops' });
    const removed = await w.scim('PATCH', `/Users/${user.id}`, {
      schemas: [patchOp],
      Operations: [{ op: 'remove', path: enterpriseUser }],
    });
    assert.equal(removed.status, 200, removed.text);
    assert.equal(removed.json()[enterpriseUser], undefined);
    const row = await w.stored(user.id);
    assert.deepEqual([row.employee_number, row.department], [null, null]);
  });

  it('DELETE deprovisions: 204, then the user is gone for SCIM (404, not listed) and deprovisioned in Vigil', async () => {
    const user = await create();
    const res = await w.scim('DELETE', `/Users/${user.id}`);
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    assertScimError(await w.scim('GET', `/Users/${user.id}`), 404);
    assertScimError(await w.scim('DELETE', `/Users/${user.id}`), 404);
    assertScimError(await w.scim('PUT', `/Users/${user.id}`, newUser()), 404);
    const listed = await w.scim('GET', `/Users?filter=${encodeURIComponent(`id eq "${user.id}"`)}`);
    assert.equal(listed.json().totalResults, 0);
    assert.equal((await w.stored(user.id)).status, 'deprovisioned');
    const [event] = await w.events('user.deprovisioned', user.id);
    assert.equal(event?.actorType, 'scim_token');
    // The userName is free again only for nobody: a new user cannot take a leaver's email.
    assertScimError(
      await w.scim('POST', '/Users', newUser({ emails: user.emails, userName: user.userName })),
      409,
      'uniqueness',
    );
  });

  it('shows the groups a user is a member of, read-only: a PUT without them leaves them', async () => {
    const user = await create();
    const groupId = newId();
    const now = new Date();
    await withOrg(w.core.database, w.orgs.acme, async (tx) => {
      await tx
        .insertInto('scim_groups')
        .values({
          id: groupId,
          org_id: w.orgs.acme,
          display_name: 'Engineers',
          created_at: now,
          updated_at: now,
        })
        .execute();
      await tx
        .insertInto('scim_group_members')
        .values({ org_id: w.orgs.acme, group_id: groupId, user_id: user.id, added_at: now })
        .execute();
    });
    const expected = [
      {
        value: groupId,
        display: 'Engineers',
        $ref: user.meta.location.replace(/Users\/.*$/, `Groups/${groupId}`),
        type: 'direct',
      },
    ];
    assert.deepEqual((await w.scim('GET', `/Users/${user.id}`)).json().groups, expected);
    const listed = await w.scim('GET', `/Users?filter=${encodeURIComponent(`id eq "${user.id}"`)}`);
    assert.deepEqual(listed.json().Resources[0].groups, expected);
    const body = { ...newUser(), userName: user.userName, emails: user.emails, groups: [] };
    const put = await w.scim('PUT', `/Users/${user.id}`, body);
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.json().groups, expected);
  });
});
