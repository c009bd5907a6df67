import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../src/identity/index.ts';
import { type AuditActor, fixedClock, operatorActor, withOrg } from '../src/platform/index.ts';
import type { Reviews } from '../src/reviews/index.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { type InOwnTransactions, inOwnTransactions } from './support/in-org.ts';

const day = 86_400_000;

/**
 * What a snapshot tells and who reviews it (docs/reviews.md#flags, #reviewers): the dormant flag
 * follows the organization's lifecycle policy (90 days without one), and a role owner or
 * manager reviews only if they can act on the item (reviews.decide or reviews.manage).
 */
describe('access review flags and reviewers', () => {
  const start = new Date('2026-09-01T09:00:00Z');
  const clock = fixedClock(start);
  const password = 'Correct-Horse-Battery-9';
  let core: TestCore;
  let auth: ReturnType<typeof authServices>;
  let reviews: InOwnTransactions<Reviews>;
  let acme: string;
  let owner: User;
  const as = (u: User): AuditActor => ({ type: 'user', id: u.id });

  const grant = (user: User, roleKey: string, orgId = acme) =>
    withOrg(core.database, orgId, (tx) =>
      auth.rbac.assign(
        tx,
        { orgId, userId: user.id, roleKey, reason: 'test' },
        null,
        operatorActor,
      ),
    );
  const customRole = (key: string, permissions: string[], ownerUserId: string) =>
    withOrg(core.database, acme, (tx) =>
      auth.rbac.createRole(
        tx,
        acme,
        {
          key,
          name: key,
          description: `The ${key} role.`,
          purpose: 'A role for this test.',
          permissions,
          ownerUserId,
        },
        null,
        operatorActor,
      ),
    );
  /** Every assignment of `orgId` now, as `subject-email role-key` with what the item says. */
  async function snapshot(orgId: string, by: User) {
    const { id } = await reviews.launch(
      orgId,
      {
        scope: { kind: 'all_assignments' },
        name: 'All access',
        dueAt: new Date(clock.now().getTime() + 14 * day),
      },
      as(by),
    );
    const { items } = await reviews.record(orgId, id);
    return new Map(items.map((i) => [`${i.subject.email} ${i.roleKey}`, i]));
  }

  before(async () => {
    core = await openTestCore({ clock });
    auth = authServices(core);
    reviews = inOwnTransactions(core.database, auth.reviews);
    acme = await core.createOrg('acme');
    owner = await auth.createUser(acme, 'owner@acme.test', password);
    await grant(owner, 'org-owner');
  });
  after(() => core.close());

  it('flags dormant after the lifecycle policy’s dormantDays, else after 90 days', async () => {
    const globex = await core.createOrg('globex');
    const globexOwner = await auth.createUser(globex, 'owner@globex.test', password);
    await grant(globexOwner, 'org-owner', globex);
    const idleAcme = await auth.createUser(acme, 'idle@acme.test', password);
    const idleGlobex = await auth.createUser(globex, 'idle@globex.test', password);
    await grant(idleAcme, 'member');
    await grant(idleGlobex, 'member', globex);
    await withOrg(core.database, acme, (tx) =>
      auth.lifecyclePolicy.setPolicy(
        tx,
        acme,
        { dormantDays: 30, warnDays: 7, slaHours: 24 },
        operatorActor,
      ),
    );

    clock.set(new Date(start.getTime() + 40 * day));
    const acmeItem = (await snapshot(acme, owner)).get('idle@acme.test member');
    assert.deepEqual(acmeItem?.flags, ['dormant'], 'unused for 40 days, the policy says 30');
    const globexItem = (await snapshot(globex, globexOwner)).get('idle@globex.test member');
    assert.deepEqual(globexItem?.flags, [], 'no policy: 90 days');

    clock.set(new Date(start.getTime() + 91 * day));
    const later = (await snapshot(globex, globexOwner)).get('idle@globex.test member');
    assert.deepEqual(later?.flags, ['dormant']);
  });

  it('passes over a role owner or manager who cannot decide reviews', async () => {
    const alice = await auth.createUser(acme, 'alice@acme.test', password);
    const manager = await auth.createUser(acme, 'manager@acme.test', password);
    const roleOwner = await auth.createUser(acme, 'role-owner@acme.test', password);
    await withOrg(core.database, acme, (tx) =>
      tx.updateTable('users').set({ manager_id: manager.id }).where('id', '=', alice.id).execute(),
    );
    await customRole('editors', ['users.read'], roleOwner.id);
    await grant(alice, 'editors');

    // Neither the role's owner nor alice's manager holds a role (no reviews.decide): the admins.
    const before = (await snapshot(acme, owner)).get('alice@acme.test editors');
    assert.deepEqual([before?.reviewer?.id, before?.reviewerBasis], [owner.id, 'admin']);

    // Members decide the reviews assigned to them.
    await grant(manager, 'member');
    const withManager = (await snapshot(acme, owner)).get('alice@acme.test editors');
    assert.deepEqual(
      [withManager?.reviewer?.id, withManager?.reviewerBasis],
      [manager.id, 'manager'],
    );

    await grant(roleOwner, 'member');
    const withOwner = (await snapshot(acme, owner)).get('alice@acme.test editors');
    assert.deepEqual(
      [withOwner?.reviewer?.id, withOwner?.reviewerBasis],
      [roleOwner.id, 'role_owner'],
    );

    // A role owner who can decide but is suspended is passed over too.
    await withOrg(core.database, acme, (tx) =>
      tx.updateTable('users').set({ status: 'suspended' }).where('id', '=', roleOwner.id).execute(),
    );
    const suspended = (await snapshot(acme, owner)).get('alice@acme.test editors');
    assert.deepEqual(suspended?.reviewer?.id, manager.id);
  });
});
