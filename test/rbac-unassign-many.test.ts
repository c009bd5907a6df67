import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../src/identity/index.ts';
import {
  fixedClock,
  isAppError,
  operatorActor,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';

/**
 * rbac's batched unassign (an access review's close takes thousands of roles away at once), and
 * `unassign`, the same path with one removal.
 */
describe('taking many roles away at once', () => {
  const clock = fixedClock(new Date('2026-12-04T10:00:00Z'));
  let core: TestCore;
  let auth: ReturnType<typeof authServices>;
  let acme: string;
  let globex: string;
  let bob: User;
  let carol: User;
  let olga: User;
  const refused = (code: string) => (err: unknown) => isAppError(err) && err.code === code;

  // rbac's own assignment in a transaction of its own.
  const grant = (user: User, roleKey: string) =>
    auth.rbac.assignIn(
      { orgId: user.orgId, userId: user.id, roleKey, reason: 'test' },
      operatorActor,
    );
  const rolesOf = async (user: User) =>
    (
      await withOrg(core.database, user.orgId, (tx) =>
        tx
          .selectFrom('role_assignments')
          .select('role_key')
          .where('user_id', '=', user.id)
          .execute(),
      )
    )
      .map((r) => r.role_key)
      .sort();

  before(async () => {
    core = await openTestCore({ clock });
    auth = authServices(core);
    acme = await core.createOrg('acme');
    globex = await core.createOrg('globex');
    const password = 'Correct-Horse-Battery-9';
    bob = await auth.createUser(acme, 'bob@acme.test', password);
    carol = await auth.createUser(acme, 'carol@acme.test', password);
    olga = await auth.createUser(globex, 'olga@globex.test', password);
    for (const [user, role] of [
      [bob, 'member'],
      [bob, 'org-auditor'],
      [carol, 'member'],
      [olga, 'member'],
    ] as const)
      await grant(user, role);
  });
  after(() => core.close());

  it('removes what is held in one call, once per pair, audited per removal with its reason', async () => {
    const first = { userId: bob.id, roleKey: 'member', reason: 'review item 1' };
    const again = { userId: bob.id, roleKey: 'member', reason: 'review item 2' };
    const notHeld = { userId: bob.id, roleKey: 'org-admin', reason: 'review item 3' };
    const carols = { userId: carol.id, roleKey: 'member', reason: 'review item 4' };
    // Another organization's assignment is out of reach, named or not.
    const olgas = { userId: olga.id, roleKey: 'member', reason: 'review item 5' };
    const done = await withOrg(core.database, acme, (tx) =>
      auth.rbac.unassignMany(tx, acme, [first, again, notHeld, carols, olgas], operatorActor),
    );
    assert.deepEqual(done, [first, carols]);
    assert.deepEqual(await rolesOf(bob), ['org-auditor']);
    assert.deepEqual(await rolesOf(carol), []);
    assert.deepEqual(await rolesOf(olga), ['member']);
    const events = await withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['target_id', 'details'])
        .where('action', '=', 'role.unassigned')
        .orderBy('seq')
        .execute(),
    );
    assert.deepEqual(
      events.map((e) => [
        e.target_id,
        (JSON.parse(String(e.details)) as { reason: string }).reason,
      ]),
      [
        [bob.id, 'review item 1'],
        [carol.id, 'review item 4'],
      ],
    );
  });

  it('unassign is the same path: the role goes, and one not held is refused', async () => {
    await withOrg(core.database, acme, (tx) =>
      auth.rbac.unassign(tx, acme, bob.id, 'org-auditor', 'left the team', operatorActor),
    );
    assert.deepEqual(await rolesOf(bob), []);
    await assert.rejects(
      withOrg(core.database, acme, (tx) =>
        auth.rbac.unassign(tx, acme, bob.id, 'org-auditor', 'again', operatorActor),
      ),
      refused('rbac.not_assigned'),
    );
    await assert.rejects(
      withOrg(core.database, globex, (tx) =>
        auth.rbac.unassign(tx, globex, carol.id, 'member', 'not ours', operatorActor),
      ),
      refused('rbac.not_assigned'),
    );
  });
});
