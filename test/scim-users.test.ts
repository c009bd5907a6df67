import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newId, operatorActor, withOrg } from '../src/platform/index.ts';
import { type ScimWorld, scimJson, startScimWorld } from './support/scim.ts';
import { coreUser, enterpriseUser, patchOp } from './support/scim-directories.ts';

const vigilUser = 'urn:ietf:params:scim:schemas:extension:vigil:2.0:User';
const errorSchema = 'urn:ietf:params:scim:api:messages:2.0:Error';

/**
 * The SCIM Users resource over HTTP (docs/scim.md#users): create, read, replace, PATCH and delete,
 * each positive and negative, with SCIM's error format, ETags and the token's organization.
 * Lists and filters: test/scim-users-list.test.ts.
 */
describe('SCIM Users', () => {
  let w: ScimWorld;
  let n = 0;
  /** A fresh person's create body. */
  const newUser = (extra: Record<string, unknown> = {}) => {
    n += 1;
    return {
      schemas: [coreUser, enterpriseUser],
      userName: `person${n}@acme.test`,
      externalId: `ext-${n}`,
      name: { givenName: `Given${n}`, familyName: `Family${n}` },
      emails: [{ value: `person${n}@acme.test`, type: 'work', primary: true }],
      active: true,
      [enterpriseUser]: { employeeNumber: `E${n}`, department: 'Engineering' },
      ...extra,
    };
  };
  const create = async (extra: Record<string, unknown> = {}) => {
    const res = await w.scim('POST', '/Users', newUser(extra));
    assert.equal(res.status, 201, res.text);
    return res.json();
  };
  const userCount = () => w.userCount();
  /** Asserts a SCIM error answer: status, scimType and the error schema. */
  const refused = (res: { status: number; json(): unknown }, status: number, scimType?: string) => {
    assert.equal(res.status, status);
    const body = res.json() as Record<string, unknown>;
    assert.deepEqual(body.schemas, [errorSchema]);
    assert.equal(body.status, String(status));
    assert.equal(body.scimType, scimType);
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
    assert.deepEqual(user.emails, [{ value: `person${n}@acme.test`, type: 'work', primary: true }]);
    assert.deepEqual(user[enterpriseUser], { employeeNumber: `E${n}`, department: 'Engineering' });
    assert.deepEqual(user[vigilUser], { endDate: '2027-03-31T17:00:00.000Z' });
    assert.deepEqual(user.schemas, [coreUser, enterpriseUser, vigilUser]);
    const row = await w.stored(user.id);
    assert.equal(row.org_id, w.orgs.acme);
    assert.equal(row.user_name, 'ANN.LEE@corp.example');
    assert.equal(row.external_id, `ext-${n}`);
    assert.equal(row.given_name, `Given${n}`);
    assert.equal(row.end_at?.toISOString(), '2027-03-31T17:00:00.000Z');
    const [created] = await w.events('user.created', user.id);
    assert.equal(created?.actorType, 'scim_token');
    assert.equal(created?.details.source, 'scim');
    const after = created?.details.after as Record<string, unknown> | undefined;
    assert.equal(after?.department, 'Engineering');
  });

  it('stores no userName that only repeats the email, and derives the display name', async () => {
    const user = await create({ displayName: undefined });
    assert.equal(user.userName, `person${n}@acme.test`);
    assert.equal(user.displayName, `Given${n} Family${n}`);
    assert.equal((await w.stored(user.id)).user_name, null);
  });

  it('refuses bad bodies with invalidSyntax or invalidValue and creates nothing', async () => {
    const before = await userCount();
    const cases: [unknown, string][] = [
      [{ ...newUser(), schemas: undefined }, 'invalidSyntax'],
      [{ ...newUser(), schemas: ['urn:example:other'] }, 'invalidSyntax'],
      [[newUser()], 'invalidSyntax'],
      [{ ...newUser(), userName: undefined }, 'invalidValue'],
      [{ ...newUser(), userName: 42 }, 'invalidValue'],
      [{ ...newUser(), userName: 'no-email-here', emails: undefined }, 'invalidValue'],
      [{ ...newUser(), emails: [{ value: 'not an email', primary: true }] }, 'invalidValue'],
      [{ ...newUser(), emails: 'x@acme.test' }, 'invalidValue'],
      [{ ...newUser(), active: 'maybe' }, 'invalidValue'],
      [{ ...newUser(), displayName: 'x'.repeat(201) }, 'invalidValue'],
      [
        { ...newUser(), [enterpriseUser]: { manager: { value: crypto.randomUUID() } } },
        'invalidValue',
      ],
      [{ ...newUser(), [vigilUser]: { endDate: 'next friday' } }, 'invalidValue'],
    ];
    for (const [body, scimType] of cases) {
      const res = await w.scim('POST', '/Users', body);
      refused(res, 400, scimType);
      assert.ok(res.json().detail, 'a refusal says why');
    }
    assert.equal(await userCount(), before);
  });

  it('refuses a taken userName or email with 409 uniqueness, ignoring case', async () => {
    const first = await create();
    const before = await userCount();
    const again = newUser({ userName: first.userName.toUpperCase() });
    refused(await w.scim('POST', '/Users', again), 409, 'uniqueness');
    const sameEmail = newUser({ emails: [{ value: first.emails[0].value, primary: true }] });
    refused(await w.scim('POST', '/Users', sameEmail), 409, 'uniqueness');
    assert.equal(await userCount(), before);
  });

  it('keeps a directory userName from becoming another user’s email (an administrator’s create or change)', async () => {
    const pushed = await create({ userName: `upn${n}@corp.example` });
    const taken = (err: unknown) => (err as { code?: string }).code === 'user.user_name_taken';
    await assert.rejects(
      withOrg(w.core.database, w.orgs.acme, (tx) =>
        w.services.identity.createUser(
          tx,
          w.orgs.acme,
          { email: pushed.userName, displayName: 'Other' },
          operatorActor,
        ),
      ),
      taken,
    );
    const other = await create();
    await assert.rejects(
      withOrg(w.core.database, w.orgs.acme, (tx) =>
        w.services.identity.updateUser(
          tx,
          other.id,
          { email: pushed.userName.toUpperCase() },
          operatorActor,
        ),
      ),
      taken,
    );
    assert.equal((await w.stored(other.id)).email, other.emails[0].value);
  });

  it('answers bad JSON with invalidSyntax, other media types with 415, plain JSON like SCIM JSON', async () => {
    const headers = { 'content-type': scimJson };
    const bad = await w.scim('POST', '/Users', undefined, { headers });
    refused(bad, 400, 'invalidSyntax');
    const garbled = await w.server.app.inject({
      method: 'POST',
      url: '/scim/v2/acme/Users',
      headers: { authorization: `Bearer ${w.tokens.acme}`, 'content-type': scimJson },
      payload: '{"schemas": [',
    });
    assert.equal(garbled.statusCode, 400);
    assert.equal(JSON.parse(garbled.body).scimType, 'invalidSyntax');
    const text = await w.scim('POST', '/Users', newUser(), {
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(text.status, 415);
    const plain = await w.scim('POST', '/Users', newUser(), {
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(plain.status, 201);
  });

  it('reads a user by id with its ETag; an unknown id, a malformed one or another organization’s user is 404', async () => {
    const user = await create();
    const res = await w.scim('GET', `/Users/${user.id}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.etag, user.meta.version);
    assert.deepEqual(res.json(), user);
    refused(await w.scim('GET', `/Users/${crypto.randomUUID()}`), 404);
    refused(await w.scim('GET', '/Users/not-a-uuid'), 404);
    const theirs = await w.scim('POST', '/Users', newUser(), {
      org: 'globex',
      token: w.tokens.globex,
    });
    assert.equal(theirs.status, 201);
    refused(await w.scim('GET', `/Users/${theirs.json().id}`), 404);
  });

  it('replaces a user with PUT: the changed fields audited before and after, a new version', async () => {
    const user = await create();
    const body = {
      ...newUser(),
      userName: user.userName,
      emails: user.emails,
      externalId: user.externalId,
    };
    body.name = { givenName: 'Renamed', familyName: user.name.familyName };
    body[enterpriseUser] = {
      employeeNumber: user[enterpriseUser].employeeNumber,
      department: 'Sales',
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
    refused(
      await w.scim('PATCH', `/Users/${user.id}`, patch('Stale'), {
        headers: { 'if-match': stale },
      }),
      412,
    );
    refused(
      await w.scim('PUT', `/Users/${user.id}`, newUser(), { headers: { 'if-match': stale } }),
      412,
    );
    refused(
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
        { op: 'replace', path: 'emails[type eq "work"].value', value: `patched${n}@acme.test` },
      ],
    });
    assert.equal(res.status, 200, res.text);
    const patched = res.json();
    assert.deepEqual(patched.name, { givenName: 'Patched', formatted: 'Patched' });
    assert.equal(patched[enterpriseUser].manager.value, manager.id);
    assert.match(patched[enterpriseUser].manager.$ref, new RegExp(`/Users/${manager.id}$`));
    assert.equal(patched.emails[0].value, `patched${n}@acme.test`);
    const row = await w.stored(user.id);
    assert.equal(row.family_name, null);
    assert.equal(row.manager_id, manager.id);
    assert.equal(row.email, `patched${n}@acme.test`);
  });

  it('refuses bad PATCH requests with their scimType and changes nothing', async () => {
    const user = await create();
    const ops = (...Operations: unknown[]) => ({ schemas: [patchOp], Operations });
    const cases: [unknown, string][] = [
      [{ Operations: [{ op: 'replace', path: 'displayName', value: 'x' }] }, 'invalidSyntax'],
      [ops(), 'invalidSyntax'],
      [ops({ op: 'move', path: 'displayName', value: 'x' }), 'invalidSyntax'],
      [ops({ op: 'remove' }), 'noTarget'],
      [ops({ op: 'replace', path: 'emails[type eq', value: 'x' }), 'invalidPath'],
      [ops({ op: 'replace', path: 'id', value: crypto.randomUUID() }), 'mutability'],
      [ops({ op: 'add', path: 'groups', value: [{ value: crypto.randomUUID() }] }), 'mutability'],
      [ops({ op: 'replace', path: 'active', value: 'perhaps' }), 'invalidValue'],
      [ops({ op: 'replace', path: `${enterpriseUser}:manager`, value: user.id }), 'invalidValue'],
      [ops({ op: 'remove', path: 'userName' }), 'invalidValue'],
    ];
    for (const [body, scimType] of cases) {
      refused(await w.scim('PATCH', `/Users/${user.id}`, body), 400, scimType);
    }
    const after = await w.scim('GET', `/Users/${user.id}`);
    assert.equal(after.json().meta.version, user.meta.version);
    refused(
      await w.scim(
        'PATCH',
        `/Users/${crypto.randomUUID()}`,
        ops({ op: 'replace', path: 'displayName', value: 'x' }),
      ),
      404,
    );
  });

  it('DELETE deprovisions: 204, then the user is gone for SCIM (404, not listed) and deprovisioned in Vigil', async () => {
    const user = await create();
    const res = await w.scim('DELETE', `/Users/${user.id}`);
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    refused(await w.scim('GET', `/Users/${user.id}`), 404);
    refused(await w.scim('DELETE', `/Users/${user.id}`), 404);
    refused(await w.scim('PUT', `/Users/${user.id}`, newUser()), 404);
    const listed = await w.scim('GET', `/Users?filter=${encodeURIComponent(`id eq "${user.id}"`)}`);
    assert.equal(listed.json().totalResults, 0);
    assert.equal((await w.stored(user.id)).status, 'deprovisioned');
    const [event] = await w.events('user.deprovisioned', user.id);
    assert.equal(event?.actorType, 'scim_token');
    // The userName is free again only for nobody: a new user cannot take a leaver's email.
    refused(
      await w.scim('POST', '/Users', newUser({ emails: user.emails, userName: user.userName })),
      409,
      'uniqueness',
    );
  });

  it('answers 401 with WWW-Authenticate without a token, with a wrong one, with another organization’s, or for a suspended organization', async () => {
    const wrong = `${w.tokens.acme.slice(0, -4)}AAAA`;
    for (const options of [
      { token: null },
      { token: 'not-a-token' },
      { token: wrong },
      { token: w.tokens.globex },
      { token: w.tokens.acme, org: 'globex' },
      { token: w.tokens.acme, org: 'nonexistent' },
    ]) {
      for (const path of ['/Users', '/ServiceProviderConfig']) {
        const res = await w.scim('GET', path, undefined, options);
        refused(res, 401);
        assert.match(String(res.headers['www-authenticate']), /^Bearer/);
      }
    }
    const before = await userCount();
    refused(await w.scim('POST', '/Users', newUser(), { token: w.tokens.globex }), 401);
    assert.equal(await userCount(), before);
    await w.services.lifecycle.suspendOrganizationNow(w.orgs.globex, 'test', operatorActor);
    refused(
      await w.scim('GET', '/Users', undefined, { org: 'globex', token: w.tokens.globex }),
      401,
    );
    await w.services.lifecycle.reactivateOrganizationNow(w.orgs.globex, 'test', operatorActor);
    const back = await w.scim('GET', '/Users', undefined, {
      org: 'globex',
      token: w.tokens.globex,
    });
    assert.equal(back.status, 200);
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

  it('answers an unknown SCIM path with a SCIM 404', async () => {
    refused(await w.scim('GET', '/Widgets'), 404);
  });
});
