import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../src/identity/index.ts';
import {
  type AuditActor,
  fixedClock,
  operatorActor,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import type { Reviews } from '../src/reviews/index.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { type InOwnTransactions, inOwnTransactions } from './support/in-org.ts';

/**
 * A close takes all its roles away in one batch (rbac's unassignMany) and writes the outcomes in
 * one statement; the items still come out as if applied one after the other, in item order.
 */
describe('closing a campaign in one batch', () => {
  const clock = fixedClock(new Date('2026-12-01T09:00:00Z'));
  const due = new Date('2026-12-15T17:00:00Z');
  let core: TestCore;
  let auth: ReturnType<typeof authServices>;
  let reviews: InOwnTransactions<Reviews>;
  let acme: string;
  let owner: User;
  let admin: User;
  let manager: User;
  let alice: User;
  let bob: User;
  const as = (u: User): AuditActor => ({ type: 'user', id: u.id });

  // rbac's own assignment in a transaction of its own.
  const grant = (user: User, roleKey: string) =>
    auth.rbac.assignIn({ orgId: acme, userId: user.id, roleKey, reason: 'test' }, operatorActor);
  const rolesOf = async (user: User) =>
    (
      await withOrg(core.database, acme, (tx) =>
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
    reviews = inOwnTransactions(core.database, auth.reviews);
    acme = await core.createOrg('acme');
    const password = 'Correct-Horse-Battery-9';
    owner = await auth.createUser(acme, 'owner@acme.test', password);
    admin = await auth.createUser(acme, 'admin@acme.test', password);
    manager = await auth.createUser(acme, 'manager@acme.test', password);
    alice = await auth.createUser(acme, 'alice@acme.test', password);
    bob = await auth.createUser(acme, 'bob@acme.test', password);
    await grant(owner, 'org-owner');
    await grant(admin, 'org-admin');
    await grant(manager, 'member');
    for (const role of ['member', 'org-admin', 'org-auditor']) await grant(alice, role);
    for (const role of ['member', 'org-auditor']) await grant(bob, role);
    await withOrg(core.database, acme, (tx) =>
      tx
        .updateTable('users')
        .set({ manager_id: manager.id })
        .where('id', 'in', [alice.id, bob.id])
        .execute(),
    );
  });
  after(() => core.close());

  it('gives a role named twice to the first item, and records each outcome and removal', async () => {
    const launched = await reviews.launch(
      acme,
      {
        scope: { kind: 'all_assignments' },
        name: 'All access',
        dueAt: due,
        undecided: 'revoke',
      },
      as(owner),
    );
    const items = (await reviews.record(acme, launched.id)).items;
    const item = (user: User, roleKey: string) => {
      const found = items.find((i) => i.subject.id === user.id && i.roleKey === roleKey);
      assert.ok(found, `an item for ${user.email} ${roleKey}`);
      return found.id;
    };
    // Alice's items in snapshot order: member, org-admin, org-auditor. The reduction of
    // org-admin drops org-auditor, which its own item revokes too: the reduction comes first.
    await reviews.decide(
      acme,
      [item(alice, 'org-admin')],
      { decision: 'reduce', droppedRoleKeys: ['org-auditor'], justification: 'admin stays' },
      as(manager),
    );
    await reviews.decide(
      acme,
      [item(alice, 'org-auditor'), item(bob, 'org-auditor')],
      { decision: 'revoke' },
      as(manager),
    );
    await reviews.decide(
      acme,
      [item(alice, 'member')],
      { decision: 'keep', justification: 'works here' },
      as(manager),
    );
    // The admins' and the manager's access is kept, each item by its reviewer; Bob's member
    // item stays undecided: the policy revokes it.
    for (const i of items)
      if (![alice.id, bob.id].includes(i.subject.id))
        await reviews.decide(
          acme,
          [i.id],
          { decision: 'keep', justification: 'still needed' },
          { type: 'user', id: i.reviewer?.id },
        );
    const closed = await reviews.close(acme, launched.id, as(owner));
    assert.equal(closed.metrics.revoked, 3);

    const after = (await reviews.record(acme, launched.id)).items;
    const outcome = (user: User, roleKey: string) =>
      after.find((i) => i.id === item(user, roleKey))?.outcome;
    assert.equal(outcome(alice, 'member'), 'kept');
    assert.equal(outcome(alice, 'org-admin'), 'reduced');
    assert.equal(outcome(alice, 'org-auditor'), 'already_gone');
    assert.equal(outcome(bob, 'org-auditor'), 'revoked');
    assert.equal(outcome(bob, 'member'), 'revoked');
    for (const i of after)
      assert.deepEqual(
        i.revokedAt,
        i.outcome === 'revoked' || i.outcome === 'reduced' ? clock.now() : null,
      );
    assert.deepEqual(await rolesOf(alice), ['member', 'org-admin']);
    assert.deepEqual(await rolesOf(bob), []);

    const events = await withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['action', 'details'])
        .where('action', 'in', ['role.unassigned', 'review.item.revoked'])
        .orderBy('seq')
        .execute(),
    );
    const details = (action: string) =>
      events
        .filter((e) => e.action === action)
        .map((e) => JSON.parse(String(e.details)) as Record<string, unknown>);
    // One role.unassigned per role taken, its reason naming the item that took it.
    assert.deepEqual(
      details('role.unassigned')
        .map((d) => d.reason)
        .sort(),
      [
        `access review ${launched.id}, item ${item(alice, 'org-admin')}`,
        `access review ${launched.id}, item ${item(bob, 'member')}`,
        `access review ${launched.id}, item ${item(bob, 'org-auditor')}`,
      ].sort(),
    );
    assert.deepEqual(
      details('review.item.revoked')
        .map((d) => [d.itemId, d.removed, d.undecided])
        .sort(),
      [
        [item(alice, 'org-admin'), ['org-auditor'], false],
        [item(bob, 'member'), ['member'], true],
        [item(bob, 'org-auditor'), ['org-auditor'], false],
      ].sort(),
    );
  });
});
