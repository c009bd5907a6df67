import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../src/identity/index.ts';
import {
  type AuditActor,
  fixedClock,
  isAppError,
  operatorActor,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import type { Reviews } from '../src/reviews/index.ts';
import { type ReviewItemRecord, snapshotSha256 } from '../src/reviews/index.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { type InOwnTransactions, inOwnTransactions } from './support/in-org.ts';

/**
 * An access review campaign end to end in the domain (docs/reviews.md): the snapshot and its
 * hash, reviewers who never review their own access, decisions by the assigned reviewer only,
 * and a close that revokes what was not kept, records when, and counts it.
 */
describe('access review campaigns', () => {
  const clock = fixedClock(new Date('2026-12-01T09:00:00Z'));
  const due = new Date('2026-12-15T17:00:00Z');
  let core: TestCore;
  let auth: ReturnType<typeof authServices>;
  let reviews: InOwnTransactions<Reviews>;
  let acme: string;
  let owner: User;
  let admin: User;
  let alice: User;
  let manager: User;
  let bob: User;
  const as = (u: User): AuditActor => ({ type: 'user', id: u.id });
  const refused = (code: string) => (err: unknown) => isAppError(err) && err.code === code;

  // rbac's own assignment in a transaction of its own.
  const grant = (user: User, roleKey: string, orgId = acme) =>
    auth.rbac.assignIn({ orgId, userId: user.id, roleKey, reason: 'test' }, operatorActor);
  const rolesOf = async (user: User, orgId = acme) =>
    (
      await withOrg(core.database, orgId, (tx) =>
        tx
          .selectFrom('role_assignments')
          .select('role_key')
          .where('user_id', '=', user.id)
          .execute(),
      )
    )
      .map((r) => r.role_key)
      .sort();
  const events = (action: string) =>
    withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', action)
        .orderBy('seq')
        .execute(),
    );
  const itemOf = (items: ReviewItemRecord[], user: User, roleKey: string) => {
    const item = items.find((i) => i.subject.id === user.id && i.roleKey === roleKey);
    assert.ok(item, `an item for ${user.email} ${roleKey}`);
    return item;
  };
  /** The hash of the items as a record shows them: what the launch hashed, recomputed. */
  const rehash = (items: ReviewItemRecord[]) =>
    snapshotSha256(
      items.map((i) => ({
        subjectUserId: i.subject.id,
        subjectEmail: i.subject.email,
        subjectName: i.subject.name,
        roleKey: i.roleKey,
        apiKeyId: i.apiKeyId,
        apiKeyName: i.apiKeyName,
        clientId: i.clientId,
        permissions: i.permissions,
        heldSince: i.heldSince,
        grantedBy: i.grantedBy,
        source: i.source,
        lastSignInAt: i.lastSignInAt,
        mfaEnrolled: i.mfaEnrolled,
        flags: i.flags,
        privileged: i.privileged,
      })),
    );

  before(async () => {
    core = await openTestCore({ clock });
    auth = authServices(core);
    reviews = inOwnTransactions(core.database, auth.reviews);
    acme = await core.createOrg('acme');
    const password = 'Correct-Horse-Battery-9';
    owner = await auth.createUser(acme, 'owner@acme.test', password);
    admin = await auth.createUser(acme, 'admin@acme.test', password);
    alice = await auth.createUser(acme, 'alice@acme.test', password);
    manager = await auth.createUser(acme, 'manager@acme.test', password);
    bob = await auth.createUser(acme, 'bob@acme.test', password);
    await grant(owner, 'org-owner');
    await grant(admin, 'org-admin');
    await grant(alice, 'org-admin');
    await grant(alice, 'org-auditor');
    await grant(manager, 'member');
    await grant(bob, 'org-auditor');
    // Alice's manager, as the directory's enterprise extension says.
    await withOrg(core.database, acme, (tx) =>
      tx.updateTable('users').set({ manager_id: manager.id }).where('id', '=', alice.id).execute(),
    );
  });
  after(() => core.close());

  it('refuses a bad launch with a specific error and creates nothing', async () => {
    const launch = (input: object) =>
      reviews.launch(
        acme,
        { scope: { kind: 'privileged_roles' }, name: 'Q4', dueAt: due, ...input },
        as(owner),
      );
    await assert.rejects(
      launch({ dueAt: new Date('2026-11-30T00:00:00Z') }),
      refused('review.invalid'),
    );
    await assert.rejects(launch({ name: '  ' }), refused('review.invalid'));
    await assert.rejects(launch({ scope: { kind: 'everything' } }), refused('review.invalid'));
    await assert.rejects(launch({ undecided: 'maybe' }), refused('review.invalid'));
    await assert.rejects(
      launch({ scope: { kind: 'client_users', clientId: 'x' } }),
      refused('review.invalid'),
    );
    await assert.rejects(
      reviews.record(acme, '018f0000-0000-7000-8000-000000000000'),
      refused('review.campaign_not_found'),
    );
    assert.equal((await events('review.campaign.launched')).length, 0);
  });

  it('launches, decides, and closes: what was not kept is revoked and its time recorded', async () => {
    const launched = await reviews.launch(
      acme,
      { scope: { kind: 'privileged_roles' }, name: 'Privileged access Q4', dueAt: due },
      as(owner),
    );
    assert.equal(
      launched.undecidedPolicy,
      'revoke',
      'privileged scopes revoke the undecided by default',
    );
    const { items } = await reviews.record(acme, launched.id);
    // Privileged roles only: alice's org-auditor and bob's are not in this scope.
    assert.deepEqual(items.map((i) => `${i.subject.email} ${i.roleKey}`).sort(), [
      'admin@acme.test org-admin',
      'alice@acme.test org-admin',
      'owner@acme.test org-owner',
    ]);
    assert.equal(rehash(items), launched.snapshotSha256);
    const [audited] = await events('review.campaign.launched');
    assert.equal(JSON.parse(audited?.details ?? '{}').snapshotSha256, launched.snapshotSha256);

    // The manager reviews alice; the admins review each other, never themselves.
    const aliceItem = itemOf(items, alice, 'org-admin');
    const ownerItem = itemOf(items, owner, 'org-owner');
    const adminItem = itemOf(items, admin, 'org-admin');
    assert.deepEqual([aliceItem.reviewer?.id, aliceItem.reviewerBasis], [manager.id, 'manager']);
    assert.equal(ownerItem.reviewer?.id === owner.id, false);
    assert.equal(ownerItem.reviewerBasis, 'admin');
    // Another holder of reviews.manage (ids made in the same millisecond order at random).
    const adminReviewer = adminItem.reviewer?.id ?? '';
    assert.ok([owner.id, alice.id].includes(adminReviewer));
    assert.equal(adminItem.reviewerBasis, 'admin');
    assert.equal(launched.metrics.unreviewable, 0);

    // Only the assigned reviewer decides; keeping privileged access needs a justification.
    await assert.rejects(
      reviews.decide(acme, [aliceItem.id], { decision: 'revoke' }, as(bob)),
      refused('review.not_reviewer'),
    );
    await assert.rejects(
      reviews.decide(acme, [aliceItem.id], { decision: 'keep' }, as(manager)),
      refused('review.justification_required'),
    );
    await reviews.decide(
      acme,
      [aliceItem.id],
      { decision: 'keep', justification: 'Runs the identity team' },
      as(manager),
    );
    // After the due date: decided, but not on time.
    clock.set(new Date('2026-12-16T09:00:00Z'));
    await reviews.decide(
      acme,
      [adminItem.id],
      { decision: 'revoke', justification: 'Left the team' },
      { type: 'user', id: adminReviewer },
    );
    clock.set(new Date('2026-12-16T10:00:00Z'));
    const closed = await reviews.close(acme, launched.id, as(owner));
    assert.deepEqual(closed.metrics, {
      items: 3,
      decided: 2,
      onTime: 1,
      revoked: 2,
      unreviewable: 0,
    });
    assert.equal(closed.clean, true);

    // The owner's item was undecided: revoked by the campaign's policy, like the admin's.
    assert.deepEqual(await rolesOf(owner), []);
    assert.deepEqual(await rolesOf(admin), []);
    assert.deepEqual(await rolesOf(alice), ['org-admin', 'org-auditor']);
    const after = (await reviews.record(acme, launched.id)).items;
    assert.deepEqual(itemOf(after, owner, 'org-owner').revokedAt, new Date('2026-12-16T10:00:00Z'));
    assert.equal(itemOf(after, owner, 'org-owner').outcome, 'revoked');
    assert.equal(itemOf(after, alice, 'org-admin').outcome, 'kept');
    assert.equal(itemOf(after, alice, 'org-admin').revokedAt, null);
    assert.equal(itemOf(after, alice, 'org-admin').decidedBy?.email, 'manager@acme.test');

    // Each removal through rbac's unassign names the campaign and the item.
    const unassigned = (await events('role.unassigned')).map((e) => JSON.parse(e.details).reason);
    assert.ok(unassigned.includes(`access review ${launched.id}, item ${ownerItem.id}`));
    const revoked = (await events('review.item.revoked')).map((e) => JSON.parse(e.details));
    assert.deepEqual(
      revoked.map((d) => [d.itemId, d.undecided]).sort(),
      [
        [adminItem.id, false],
        [ownerItem.id, true],
      ].sort(),
    );
    await assert.rejects(
      reviews.decide(acme, [aliceItem.id], { decision: 'revoke' }, as(manager)),
      refused('review.campaign_closed'),
    );
    await assert.rejects(
      reviews.close(acme, launched.id, as(owner)),
      refused('review.campaign_closed'),
    );
    // Give the admins back their roles for the tests that follow.
    clock.set(new Date('2026-12-01T09:00:00Z'));
    await grant(owner, 'org-owner');
    await grant(admin, 'org-admin');
  });

  it('never lets anyone review their own access, single or bulk, and changes nothing then', async () => {
    const { id } = await reviews.launch(
      acme,
      {
        scope: { kind: 'all_assignments' },
        name: 'All access 2026',
        dueAt: due,
        undecided: 'keep',
      },
      as(owner),
    );
    const { items } = await reviews.record(acme, id);
    const ownItem = itemOf(items, admin, 'org-admin');
    const bobItem = itemOf(items, bob, 'org-auditor');
    // Reassigning an item to its subject is refused.
    await assert.rejects(
      reviews.reassign(acme, ownItem.id, admin.id, 'on leave', as(owner)),
      refused('review.self_review'),
    );
    // Even once the admin reviews bob's item, their own cannot be slipped into a bulk decision.
    await reviews.reassign(acme, bobItem.id, admin.id, 'knows the audit team', as(owner));
    await assert.rejects(
      reviews.decide(
        acme,
        [bobItem.id, ownItem.id],
        { decision: 'keep', justification: 'fine' },
        as(admin),
      ),
      refused('review.self_review'),
    );
    await assert.rejects(
      reviews.decide(acme, [ownItem.id], { decision: 'keep', justification: 'mine' }, as(admin)),
      refused('review.self_review'),
    );
    const unchanged = (await reviews.record(acme, id)).items;
    assert.equal(
      itemOf(unchanged, bob, 'org-auditor').decision,
      null,
      'a refused bulk decides nothing',
    );
    const [reassigned] = (await events('review.item.reassigned')).map((e) => JSON.parse(e.details));
    assert.deepEqual([reassigned.to, reassigned.reason], [admin.id, 'knows the audit team']);

    // A bulk decision is recorded per item.
    const aliceAuditor = itemOf(items, alice, 'org-auditor');
    await reviews.reassign(acme, aliceAuditor.id, admin.id, 'same team', as(owner));
    const before = (await events('review.item.decided')).length;
    await reviews.decide(acme, [bobItem.id, aliceAuditor.id], { decision: 'keep' }, as(admin));
    assert.equal((await events('review.item.decided')).length, before + 2);
  });

  it('keeps the snapshot as launched when the assignments change afterwards', async () => {
    const launched = await reviews.launch(
      acme,
      { scope: { kind: 'all_assignments' }, name: 'Snapshot', dueAt: due },
      as(owner),
    );
    const before = (await reviews.record(acme, launched.id)).items;
    await grant(bob, 'org-admin');
    await withOrg(core.database, acme, (tx) =>
      auth.rbac.unassign(tx, acme, alice.id, 'org-auditor', 'moved', operatorActor),
    );
    const after = (await reviews.record(acme, launched.id)).items;
    assert.deepEqual(after, before);
    assert.equal(rehash(after), launched.snapshotSha256);
    assert.equal(
      after.some((i) => i.subject.id === bob.id && i.roleKey === 'org-admin'),
      false,
    );
    // Closing revokes nothing that is already gone, and says so.
    const reduced = itemOf(after, alice, 'org-admin');
    await assert.rejects(
      reviews.decide(
        acme,
        [reduced.id],
        { decision: 'reduce', droppedRoleKeys: ['org-owner'] },
        as(manager),
      ),
      refused('review.reduce_invalid'),
    );
    await reviews.decide(
      acme,
      [reduced.id],
      { decision: 'reduce', droppedRoleKeys: ['org-auditor'] },
      as(manager),
    );
    await reviews.close(acme, launched.id, as(owner));
    const closed = (await reviews.record(acme, launched.id)).items;
    assert.equal(itemOf(closed, alice, 'org-admin').outcome, 'reduced');
    assert.deepEqual(await rolesOf(alice), ['org-admin']);
  });
});
