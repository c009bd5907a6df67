import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withPlatform } from '../src/platform/index.ts';
import { type ScimWorld, startScimWorld } from './support/scim.ts';
import {
  coreUser,
  enterpriseUser,
  entra,
  listResponse,
  okta,
  type Person,
  patchOp,
} from './support/scim-directories.ts';

/**
 * What Entra ID and Okta actually send to the Users resource (DESIGN §11, docs/scim.md#directory-quirks),
 * one test per quirk, with their request bodies (test/support/scim-directories.ts says where
 * each comes from).
 */
describe('SCIM directory quirks (Users)', () => {
  let w: ScimWorld;
  let n = 0;
  const person = (): Person => {
    n += 1;
    return {
      userName: `quirk${n}@corp.example`,
      email: `quirk${n}@acme.test`,
      givenName: `Given${n}`,
      familyName: `Family${n}`,
      externalId: `00u${n}xyz`,
    };
  };
  const createdByEntra = async () => {
    const p = person();
    const res = await w.scim(
      'POST',
      '/Users',
      entra.createUser(p, { department: 'Finance', employeeNumber: `${n}` }),
    );
    assert.equal(res.status, 201, res.text);
    return { p, user: res.json() };
  };
  const status = async (id: string) => (await w.stored(id)).status;
  const deprovisionings = (userId: string) =>
    withPlatform(w.core.database, (tx) =>
      tx
        .selectFrom('deprovisionings')
        .select(['status', 'source', 'actor_type'])
        .where('user_id', '=', userId)
        .execute(),
    );

  before(async () => {
    w = await startScimWorld();
  });
  after(() => w.close());

  it('Entra probes /ServiceProviderConfig and /Schemas, and tests the connection with a userName that does not exist', async () => {
    const config = await w.scim('GET', '/ServiceProviderConfig');
    assert.equal(config.status, 200);
    assert.equal(config.json().patch.supported, true);
    const schemas = await w.scim('GET', '/Schemas');
    assert.equal(schemas.status, 200);
    const probe = await w.scim('GET', entra.userProbe(`${crypto.randomUUID()}@corp.example`));
    assert.equal(probe.status, 200);
    assert.deepEqual(probe.json(), {
      schemas: [listResponse],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });
  });

  it('Entra sends booleans as strings ("True", "False"): read as booleans, in a create and in a PATCH', async () => {
    const { user } = await createdByEntra();
    assert.equal(user.active, true);
    assert.equal(user.emails[0].primary, true);
    const off = await w.scim('PATCH', `/Users/${user.id}`, entra.disableUser());
    assert.equal(off.status, 200, off.text);
    assert.equal(off.json().active, false);
    assert.equal(await status(user.id), 'suspended');
    const on = await w.scim('PATCH', `/Users/${user.id}`, {
      schemas: [patchOp],
      Operations: [{ op: 'Replace', path: 'active', value: 'True' }],
    });
    assert.equal(on.json().active, true);
    assert.equal(await status(user.id), 'active');
    const [reactivated] = await w.events('user.reactivated', user.id);
    assert.equal(reactivated?.actorType, 'scim_token');
    assert.equal(reactivated?.details.source, 'scim');
  });

  it('Entra deactivates with active:false instead of DELETE: suspended through the one deactivation path, still visible with active false', async () => {
    const { p, user } = await createdByEntra();
    assert.equal((await w.scim('PATCH', `/Users/${user.id}`, entra.disableUser())).status, 200);
    assert.equal(await status(user.id), 'suspended');
    assert.deepEqual(await deprovisionings(user.id), [
      { status: 'suspended', source: 'scim', actor_type: 'scim_token' },
    ]);
    const [suspended] = await w.events('user.suspended', user.id);
    assert.equal(suspended?.details.source, 'scim');
    const found = await w.scim('GET', entra.userProbe(p.userName));
    assert.equal(found.json().totalResults, 1);
    assert.equal(found.json().Resources[0].active, false);
    const inactive = await w.scim(
      'GET',
      `/Users?filter=${encodeURIComponent(`active eq false and userName eq "${p.userName}"`)}`,
    );
    assert.equal(inactive.json().totalResults, 1);
    // The same PATCH again changes nothing and records no second deactivation.
    assert.equal((await w.scim('PATCH', `/Users/${user.id}`, entra.disableUser())).status, 200);
    assert.equal((await deprovisionings(user.id)).length, 1);
  });

  it('Entra PATCHes without a path: a value object keyed by attribute paths (dotted, URN-prefixed, filtered)', async () => {
    const { user } = await createdByEntra();
    const res = await w.scim(
      'PATCH',
      `/Users/${user.id}`,
      entra.updateUserNoPath({
        givenName: 'Renée',
        displayName: 'Renée Moved',
        department: 'Treasury',
      }),
    );
    assert.equal(res.status, 200, res.text);
    const moved = res.json();
    assert.equal(moved.name.givenName, 'Renée');
    assert.equal(moved.displayName, 'Renée Moved');
    assert.equal(moved[enterpriseUser].department, 'Treasury');
    const [mover] = await w.events('user.updated', user.id);
    assert.deepEqual(mover?.details.before, {
      displayName: user.displayName,
      givenName: user.name.givenName,
      department: 'Finance',
    });
    assert.deepEqual(mover?.details.after, {
      displayName: 'Renée Moved',
      givenName: 'Renée',
      department: 'Treasury',
    });
    // Several attributes at once, the work email by a filter among them (Entra's own example).
    const many = await w.scim('PATCH', `/Users/${user.id}`, {
      schemas: [patchOp],
      Operations: [
        {
          op: 'replace',
          value: {
            'emails[type eq "work"].value': `moved${n}@acme.test`,
            'name.familyName': 'Pkqf',
            externalId: 'Eqpj',
            [`${enterpriseUser}:employeeNumber`]: 'E-77',
            active: false,
          },
        },
      ],
    });
    assert.equal(many.status, 200, many.text);
    const row = await w.stored(user.id);
    assert.deepEqual(
      [row.email, row.family_name, row.external_id, row.employee_number, row.status],
      [`moved${n}@acme.test`, 'Pkqf', 'Eqpj', 'E-77', 'suspended'],
    );
  });

  it('Entra capitalizes ops and adds where it means replace (Add on the work email, Add of the manager by id)', async () => {
    const { user: manager } = await createdByEntra();
    const { user } = await createdByEntra();
    const res = await w.scim('PATCH', `/Users/${user.id}`, {
      schemas: [patchOp],
      Operations: [
        { op: 'Replace', path: 'title', value: 'tester' },
        { op: 'Add', path: 'emails[type eq "work"].value', value: `added${n}@acme.test` },
        { op: 'Add', path: `${enterpriseUser}:manager`, value: manager.id },
      ],
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json().emails, [
      { value: `added${n}@acme.test`, type: 'work', primary: true },
    ]);
    assert.equal(res.json()[enterpriseUser].manager.value, manager.id);
    const removed = await w.scim('PATCH', `/Users/${user.id}`, {
      schemas: [patchOp],
      Operations: [{ op: 'Remove', path: `${enterpriseUser}:manager` }],
    });
    assert.equal(removed.status, 200);
    assert.equal(removed.json()[enterpriseUser].manager, undefined);
    assert.equal((await w.stored(user.id)).manager_id, null);
  });

  it('Okta looks users up with userName eq and paging parameters, and gets a ListResponse', async () => {
    const p = person();
    const before = await w.scim('GET', okta.userProbe(p.userName));
    assert.equal(before.status, 200);
    assert.deepEqual(before.json().Resources, []);
    const created = await w.scim('POST', '/Users', okta.createUser(p));
    assert.equal(created.status, 201, created.text);
    const after = await w.scim('GET', okta.userProbe(p.userName.toUpperCase()));
    assert.equal(after.json().totalResults, 1);
    assert.equal(after.json().Resources[0].id, created.json().id);
    assert.deepEqual(after.json().schemas, [listResponse]);
  });

  it('Okta replaces the whole user with PUT, echoing id, meta and an empty groups, and deactivates with active:false', async () => {
    const p = person();
    const created = (await w.scim('POST', '/Users', okta.createUser(p))).json();
    const meta = { created: created.meta.created, lastModified: created.meta.lastModified };
    const renamed = { ...p, givenName: 'Okta', familyName: 'Renamed' };
    const put = await w.scim(
      'PUT',
      `/Users/${created.id}`,
      okta.replaceUser(renamed, created.id, meta, true),
    );
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json().displayName, 'Okta Renamed');
    assert.equal(put.json().name.familyName, 'Renamed');
    assert.equal(put.json().schemas[0], coreUser);
    const off = await w.scim(
      'PUT',
      `/Users/${created.id}`,
      okta.replaceUser(renamed, created.id, meta, false),
    );
    assert.equal(off.json().active, false);
    assert.equal(await status(created.id), 'suspended');
    assert.deepEqual(await deprovisionings(created.id), [
      { status: 'suspended', source: 'scim', actor_type: 'scim_token' },
    ]);
    const on = await w.scim(
      'PUT',
      `/Users/${created.id}`,
      okta.replaceUser(renamed, created.id, meta, true),
    );
    assert.equal(on.json().active, true);
    assert.equal(await status(created.id), 'active');
  });
});
