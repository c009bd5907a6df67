import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { enterpriseUser, entra, listResponse, type Person } from './support/scim-directories.ts';
import { startReplayWorld } from './support/scim-replay.ts';

const alex: Person = {
  userName: 'alex.wu@contoso.test',
  email: 'alex.wu@contoso.test',
  givenName: 'Alex',
  familyName: 'Wu',
  externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
};
const bea: Person = {
  userName: 'bea.lind@contoso.test',
  email: 'bea.lind@contoso.test',
  givenName: 'Bea',
  familyName: 'Lind',
  externalId: '6c9d3a85-3d8b-4a2c-9a8e-12b0d1f3e0aa',
};

/**
 * A provisioning session of Microsoft Entra ID, replayed with the requests Entra sends
 * (test/support/scim-directories.ts), Vigil's state read through the admin API after each step:
 * joiners, a mover's changes, a group mapped to roles (one needing approval becomes a SCIM
 * access request), members added and removed, a leaver disabled with `active: "False"` (signed
 * out, SCIM roles gone), then deleted.
 */
describe('Microsoft Entra ID provisioning session, replayed', () => {
  let replay: Awaited<ReturnType<typeof startReplayWorld>>;
  const ids: Record<string, string> = {};

  before(async () => {
    replay = await startReplayWorld('Microsoft Entra ID');
  });
  after(() => replay.close());

  it('probes /ServiceProviderConfig and /Schemas before provisioning', async () => {
    const { scim, expect } = replay;
    const config = expect(await scim('GET', '/ServiceProviderConfig'), 200);
    assert.equal(config.patch.supported, true);
    assert.equal(config.filter.supported, true);
    const schemas = expect(await scim('GET', '/Schemas'), 200);
    const schemaIds = schemas.Resources.map((s: { id: string }) => s.id);
    for (const needed of [
      'urn:ietf:params:scim:schemas:core:2.0:User',
      enterpriseUser,
      'urn:ietf:params:scim:schemas:core:2.0:Group',
    ])
      assert.ok(schemaIds.includes(needed), needed);
  });

  it('looks Alex up by userName, finds nobody, creates them with "True" and the enterprise extension', async () => {
    const { scim, expect, stateOf } = replay;
    const probe = expect(await scim('GET', entra.userProbe(alex.userName)), 200);
    assert.deepEqual(probe.schemas, [listResponse]);
    assert.equal(probe.totalResults, 0);

    const created = expect(
      await scim(
        'POST',
        '/Users',
        entra.createUser(alex, { department: 'Finance', employeeNumber: '100009' }),
      ),
      201,
    );
    ids.alex = created.id;
    assert.equal(created.active, true);
    assert.equal(created.userName, alex.userName);
    assert.equal(created[enterpriseUser]?.department, 'Finance');
    assert.equal(created[enterpriseUser]?.employeeNumber, '100009');

    const again = expect(await scim('GET', entra.userProbe(alex.userName)), 200);
    assert.equal(again.totalResults, 1);
    assert.equal(again.Resources[0].id, ids.alex);

    const state = await stateOf(created.id);
    assert.equal(state.status, 'active');
    assert.equal(state.email, alex.email);
    assert.equal(state.displayName, 'Alex Wu');
    assert.deepEqual(state.roles, []);
  });

  it('creates Bea the same way', async () => {
    const { scim, expect } = replay;
    assert.equal(expect(await scim('GET', entra.userProbe(bea.userName)), 200).totalResults, 0);
    const created = expect(
      await scim(
        'POST',
        '/Users',
        entra.createUser(bea, { department: 'Security', employeeNumber: '100010' }),
      ),
      201,
    );
    ids.bea = created.id;
  });

  it('applies a PATCH without a path whose keys are attribute paths (a mover)', async () => {
    const { scim, expect, stateOf } = replay;
    const patched = expect(
      await scim(
        'PATCH',
        `/Users/${ids.alex}`,
        entra.updateUserNoPath({
          givenName: 'Alexander',
          displayName: 'Alexander Wu',
          department: 'Treasury',
        }),
      ),
      200,
    );
    assert.equal(patched.name.givenName, 'Alexander');
    assert.equal(patched.displayName, 'Alexander Wu');
    assert.equal(patched[enterpriseUser].department, 'Treasury');
    assert.equal(patched[enterpriseUser].employeeNumber, '100009', 'the rest is kept');
    const state = await stateOf(ids.alex ?? '');
    assert.equal(state.displayName, 'Alexander Wu');
    assert.equal(state.status, 'active');
  });

  it('pushes a group after probing for it; the owner maps it to roles', async () => {
    const { scim, expect, api, mapGroup } = replay;
    assert.equal(
      expect(await scim('GET', entra.groupProbe('Finance Auditors')), 200).totalResults,
      0,
    );
    const group = expect(
      await scim(
        'POST',
        '/Groups',
        entra.createGroup('Finance Auditors', 'b5f1a0c0-c4c3-4bc0-b4a5-2ef676900159'),
      ),
      201,
    );
    ids.group = group.id;
    assert.deepEqual(group.members, []);
    const found = expect(await scim('GET', entra.groupProbe('Finance Auditors')), 200);
    assert.equal(found.totalResults, 1);
    assert.equal(found.Resources[0].members, undefined, 'excludedAttributes=members');

    const listed = expect(await api('GET', '/scim-groups'), 200);
    assert.deepEqual(
      listed.items.map((g: { displayName: string; members: number }) => [g.displayName, g.members]),
      [['Finance Auditors', 0]],
    );
    // org-auditor is granted outright; org-admin is privileged and needs an approval.
    const mapped = await mapGroup(group.id, ['org-auditor', 'org-admin']);
    assert.deepEqual(mapped.group.roleKeys.sort(), ['org-admin', 'org-auditor']);
  });

  it('adds both users as members: the auditor role is assigned, the privileged one becomes a SCIM request', async () => {
    const { scim, expect, stateOf } = replay;
    const patched = expect(
      await scim(
        'PATCH',
        `/Groups/${ids.group}`,
        entra.addMembers([ids.alex ?? '', ids.bea ?? '']),
      ),
      200,
    );
    assert.deepEqual(
      patched.members.map((m: { value: string }) => m.value).sort(),
      [ids.alex, ids.bea].sort(),
    );
    for (const id of [ids.alex, ids.bea]) {
      const state = await stateOf(id ?? '');
      assert.deepEqual(state.roles, ['org-auditor:scim']);
      assert.equal(state.requests.length, 1);
      assert.equal(state.requests[0]?.role, 'org-admin:scim');
      assert.match(state.requests[0]?.reason ?? '', /Finance Auditors/);
    }
    const user = expect(await scim('GET', `/Users/${ids.alex}`), 200);
    assert.deepEqual(
      user.groups.map((g: { value: string; display: string }) => [g.value, g.display]),
      [[ids.group, 'Finance Auditors']],
    );
  });

  it('removes Bea with a value array (no filter in the path): her SCIM role and request go', async () => {
    const { scim, expect, stateOf } = replay;
    const patched = expect(
      await scim('PATCH', `/Groups/${ids.group}`, entra.removeMembers([ids.bea ?? ''])),
      200,
    );
    assert.deepEqual(
      patched.members.map((m: { value: string }) => m.value),
      [ids.alex],
    );
    const bea = await stateOf(ids.bea ?? '');
    assert.deepEqual(bea.roles, []);
    assert.deepEqual(bea.requests, []);
    assert.equal(bea.status, 'active', 'leaving a group is no deactivation');
    assert.deepEqual((await stateOf(ids.alex ?? '')).roles, ['org-auditor:scim']);
  });

  it('renames the group; the mapping stays', async () => {
    const { scim, expect, api } = replay;
    expect(await scim('PATCH', `/Groups/${ids.group}`, entra.renameGroup('Finance Audit')), 200);
    const listed = expect(await api('GET', '/scim-groups'), 200);
    assert.equal(listed.items[0].displayName, 'Finance Audit');
    assert.deepEqual(listed.items[0].roleKeys.sort(), ['org-admin', 'org-auditor']);
  });

  it('disables Alex with active "False": suspended, signed out, SCIM roles and requests gone', async () => {
    const { scim, expect, stateOf, signIn } = replay;
    await signIn(ids.alex ?? '');
    await signIn(ids.alex ?? '');
    assert.equal((await stateOf(ids.alex ?? '')).sessions, 2);

    const disabled = expect(await scim('PATCH', `/Users/${ids.alex}`, entra.disableUser()), 200);
    assert.equal(disabled.active, false);
    const state = await stateOf(ids.alex ?? '');
    assert.equal(state.status, 'suspended');
    assert.equal(state.sessions, 0);
    assert.deepEqual(state.roles, []);
    assert.deepEqual(state.requests, []);
    // Still visible to the directory, still a member of its group.
    const read = expect(await scim('GET', `/Users/${ids.alex}`), 200);
    assert.equal(read.active, false);
    const group = expect(await scim('GET', `/Groups/${ids.group}`), 200);
    assert.deepEqual(
      group.members.map((m: { value: string }) => m.value),
      [ids.alex],
    );
  });

  it('enables Alex again with active "True" (assigned back): the group’s roles return', async () => {
    const { scim, expect, stateOf } = replay;
    const enabled = expect(await scim('PATCH', `/Users/${ids.alex}`, entra.enableUser()), 200);
    assert.equal(enabled.active, true);
    const state = await stateOf(ids.alex ?? '');
    assert.equal(state.status, 'active');
    assert.deepEqual(state.roles, ['org-auditor:scim']);
    assert.deepEqual(
      state.requests.map((r) => r.role),
      ['org-admin:scim'],
    );
    // Unassigned again, before the hard delete.
    expect(await scim('PATCH', `/Users/${ids.alex}`, entra.disableUser()), 200);
    assert.deepEqual((await stateOf(ids.alex ?? '')).roles, []);
  });

  it('deletes Alex later: deprovisioned, invisible to SCIM, gone from the group', async () => {
    const { scim, expect, stateOf } = replay;
    expect(await scim('DELETE', `/Users/${ids.alex}`), 204);
    assert.equal((await stateOf(ids.alex ?? '')).status, 'deprovisioned');
    expect(await scim('GET', `/Users/${ids.alex}`), 404);
    assert.equal(expect(await scim('GET', entra.userProbe(alex.userName)), 200).totalResults, 0);
    const group = expect(await scim('GET', `/Groups/${ids.group}`), 200);
    assert.deepEqual(group.members, []);
    const listed = expect(await replay.api('GET', '/scim-groups'), 200);
    assert.equal(listed.items[0].members, 0, 'the owner counts the members SCIM shows');
  });

  it('deletes the group: 204, and it is gone from the owner’s list', async () => {
    const { scim, expect, api } = replay;
    expect(await scim('DELETE', `/Groups/${ids.group}`), 204);
    expect(await scim('GET', `/Groups/${ids.group}`), 404);
    assert.deepEqual(expect(await api('GET', '/scim-groups'), 200).items, []);
  });
});
