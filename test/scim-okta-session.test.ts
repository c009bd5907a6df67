import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listResponse, okta, type Person } from './support/scim-directories.ts';
import { startReplayWorld } from './support/scim-replay.ts';

const chris: Person = {
  userName: 'chris.okafor@example.test',
  email: 'chris.okafor@example.test',
  givenName: 'Chris',
  familyName: 'Okafor',
  externalId: '00ujl29u0le5T6Aj10h7',
};
const dana: Person = {
  userName: 'dana.ruiz@example.test',
  email: 'dana.ruiz@example.test',
  givenName: 'Dana',
  familyName: 'Ruiz',
  externalId: '00ujl29u0le5T6Aj10h8',
};

/**
 * A provisioning session of Okta, replayed with the requests Okta sends
 * (test/support/scim-directories.ts), Vigil's state read through the admin API after each step:
 * the connection test and group import, `userName eq` lookups with startIndex and count,
 * creates, a full-resource PUT for a profile change, Group Push (create, members replaced,
 * renamed, a member removed by filter), deactivation and reactivation by PUT with `active`,
 * and the pushed group deleted.
 */
describe('Okta provisioning session, replayed', () => {
  let replay: Awaited<ReturnType<typeof startReplayWorld>>;
  const ids: Record<string, string> = {};
  const meta: Record<string, { created: string; lastModified: string }> = {};

  before(async () => {
    replay = await startReplayWorld('Okta');
  });
  after(() => replay.close());

  it('tests the connection and imports groups: the first pages', async () => {
    const { scim, expect } = replay;
    const users = expect(await scim('GET', okta.firstUsers()), 200);
    assert.deepEqual(users.schemas, [listResponse]);
    assert.equal(users.startIndex, 1);
    // Vigil already holds two people (its first user and the owner); Okta asked for two.
    assert.equal(users.totalResults, 2);
    assert.equal(users.itemsPerPage, 2);
    assert.deepEqual(users.Resources.map((u: { userName: string }) => u.userName).sort(), [
      'dana@acme.test',
      'it-owner@acme.test',
    ]);
    assert.equal(expect(await scim('GET', okta.firstGroups()), 200).totalResults, 0);
  });

  it('looks each user up by userName eq with startIndex=1&count=100, then creates them', async () => {
    const { scim, expect, stateOf } = replay;
    for (const [key, person] of [
      ['chris', chris],
      ['dana', dana],
    ] as const) {
      const lookup = expect(await scim('GET', okta.userProbe(person.userName)), 200);
      assert.equal(lookup.totalResults, 0);
      assert.deepEqual(lookup.Resources, []);
      const created = expect(await scim('POST', '/Users', okta.createUser(person)), 201);
      ids[key] = created.id;
      meta[key] = created.meta;
      assert.equal(created.externalId, person.externalId);
      assert.equal(created.active, true);
      const state = await stateOf(created.id);
      assert.equal(state.status, 'active');
      assert.equal(state.email, person.email);
      assert.equal(state.displayName, `${person.givenName} ${person.familyName}`);
    }
    const found = expect(await scim('GET', okta.userProbe(chris.userName.toUpperCase())), 200);
    assert.equal(found.totalResults, 1, 'userName compares ignoring case');
    assert.equal(found.itemsPerPage, 1);
    assert.equal(found.Resources[0].id, ids.chris);
  });

  it('changes a profile with a full-resource PUT that echoes id and meta', async () => {
    const { scim, expect, stateOf } = replay;
    const married = { ...dana, familyName: 'Ruiz-Park' };
    const replaced = expect(
      await scim(
        'PUT',
        `/Users/${ids.dana}`,
        okta.replaceUser(
          married,
          ids.dana ?? '',
          meta.dana ?? { created: '', lastModified: '' },
          true,
        ),
      ),
      200,
    );
    assert.equal(replaced.name.familyName, 'Ruiz-Park');
    assert.notEqual(replaced.meta.version, undefined);
    const state = await stateOf(ids.dana ?? '');
    assert.equal(state.displayName, 'Dana Ruiz-Park');
    assert.equal(state.status, 'active');
    dana.familyName = 'Ruiz-Park';
  });

  it('pushes a group: lookup by displayName, create, the owner maps it, members replaced', async () => {
    const { scim, expect, stateOf, mapGroup } = replay;
    assert.equal(expect(await scim('GET', okta.groupProbe('Engineering')), 200).totalResults, 0);
    const group = expect(await scim('POST', '/Groups', okta.createGroup('Engineering')), 201);
    ids.group = group.id;
    await mapGroup(group.id, ['org-auditor', 'org-admin']);

    const pushed = expect(
      await scim(
        'PATCH',
        `/Groups/${group.id}`,
        okta.replaceMembers([
          { value: ids.chris ?? '', display: chris.userName },
          { value: ids.dana ?? '', display: dana.userName },
        ]),
      ),
      200,
    );
    assert.deepEqual(
      pushed.members.map((m: { value: string }) => m.value).sort(),
      [ids.chris, ids.dana].sort(),
    );
    for (const id of [ids.chris, ids.dana]) {
      const state = await stateOf(id ?? '');
      assert.deepEqual(state.roles, ['org-auditor:scim']);
      assert.deepEqual(
        state.requests.map((r) => r.role),
        ['org-admin:scim'],
        'a role that requires approval is asked for, not granted',
      );
      assert.match(state.requests[0]?.reason ?? '', /SCIM group "Engineering"/);
    }
  });

  it('renames the group with a path-less replace that repeats its id', async () => {
    const { scim, expect, api } = replay;
    const renamed = expect(
      await scim(
        'PATCH',
        `/Groups/${ids.group}`,
        okta.renameGroup(ids.group ?? '', 'Engineering (all)'),
      ),
      200,
    );
    assert.equal(renamed.displayName, 'Engineering (all)');
    assert.equal(renamed.members.length, 2, 'a rename leaves the members');
    const listed = expect(await api('GET', '/scim-groups'), 200);
    assert.deepEqual(
      listed.items.map((g: { displayName: string; members: number }) => [g.displayName, g.members]),
      [['Engineering (all)', 2]],
    );
  });

  it('removes Dana by a members[value eq] filter: her SCIM role and request go, her account stays', async () => {
    const { scim, expect, stateOf } = replay;
    const moved = expect(
      await scim('PATCH', `/Groups/${ids.group}`, okta.moveMembers([ids.dana ?? ''], [])),
      200,
    );
    assert.deepEqual(
      moved.members.map((m: { value: string }) => m.value),
      [ids.chris],
    );
    const state = await stateOf(ids.dana ?? '');
    assert.equal(state.status, 'active');
    assert.deepEqual(state.roles, []);
    assert.deepEqual(state.requests, []);
  });

  it('deactivates Chris with a full-resource PUT active:false: suspended, signed out, SCIM roles gone', async () => {
    const { scim, expect, stateOf, signIn } = replay;
    await signIn(ids.chris ?? '');
    assert.equal((await stateOf(ids.chris ?? '')).sessions, 1);
    const current = expect(await scim('GET', `/Users/${ids.chris}`), 200);
    const deactivated = expect(
      await scim(
        'PUT',
        `/Users/${ids.chris}`,
        okta.replaceUser(chris, ids.chris ?? '', current.meta, false),
      ),
      200,
    );
    assert.equal(deactivated.active, false);
    const state = await stateOf(ids.chris ?? '');
    assert.equal(state.status, 'suspended');
    assert.equal(state.sessions, 0);
    assert.deepEqual(state.roles, []);
    assert.deepEqual(state.requests, []);
    const lookup = expect(await scim('GET', okta.userProbe(chris.userName)), 200);
    assert.equal(lookup.Resources[0].active, false, 'a deactivated user is still found');
  });

  it('reactivates Chris with PUT active:true: active again, the group’s roles back', async () => {
    const { scim, expect, stateOf } = replay;
    const current = expect(await scim('GET', `/Users/${ids.chris}`), 200);
    expect(
      await scim(
        'PUT',
        `/Users/${ids.chris}`,
        okta.replaceUser(chris, ids.chris ?? '', current.meta, true),
      ),
      200,
    );
    const state = await stateOf(ids.chris ?? '');
    assert.equal(state.status, 'active');
    assert.deepEqual(state.roles, ['org-auditor:scim']);
    assert.deepEqual(
      state.requests.map((r) => r.role),
      ['org-admin:scim'],
    );
  });

  it('deletes the pushed group: its members lose the roles it gave', async () => {
    const { scim, expect, stateOf, api } = replay;
    expect(await scim('DELETE', `/Groups/${ids.group}`), 204);
    const state = await stateOf(ids.chris ?? '');
    assert.equal(state.status, 'active');
    assert.deepEqual(state.roles, []);
    assert.deepEqual(state.requests, []);
    assert.deepEqual(expect(await api('GET', '/scim-groups'), 200).items, []);
    assert.equal(expect(await scim('GET', okta.firstGroups()), 200).totalResults, 0);
  });
});
