import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServices } from '../src/app/services.ts';
import type { User } from '../src/identity/index.ts';
import {
  type Database,
  fixedClock,
  openDatabase,
  operatorActor,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { createReviewSchedule, type Reviews } from '../src/reviews/index.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { captureMail, startTestServer } from './support/http.ts';
import { inOwnTransactions } from './support/in-org.ts';

const day = 86_400_000;

/**
 * The access review schedule (docs/reviews.md#schedules-reminders-and-escalation) with a
 * controllable clock: the current quarter's and year's campaigns launched once, reminders to
 * reviewers with undecided items, one escalation to the admins after the due date, and the
 * close a scheduled campaign gets closeAfterDays later. Each test works in an organization of
 * its own; the clock only moves forward.
 */
describe('the access review schedule', () => {
  const clock = fixedClock(new Date('2026-11-20T09:00:00Z'));
  const mail = captureMail();
  let core: TestCore;
  let services: ReturnType<typeof createServices>;
  let n = 0;

  async function member(orgId: string, roleKey: string): Promise<User> {
    n += 1;
    return withOrg(core.database, orgId, async (tx) => {
      const user = await services.identity.createUser(
        tx,
        orgId,
        { email: `user${n}@org.test`, displayName: `User ${n}` },
        operatorActor,
      );
      await services.rbac.assign(
        tx,
        { orgId, userId: user.id, roleKey, reason: 'test' },
        null,
        operatorActor,
      );
      return user;
    });
  }

  const setPolicy = (orgId: string, input: unknown) =>
    withOrg(core.database, orgId, (tx) =>
      services.reviewsPolicy.setPolicy(tx, orgId, input, operatorActor),
    );

  const campaignsOf = (orgId: string) =>
    withOrg(core.database, orgId, (tx) =>
      tx
        .selectFrom('review_campaigns')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('scope_kind', 'desc')
        .orderBy('launched_at')
        .execute(),
    );

  const eventsOf = (orgId: string, action: string) =>
    withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('action', '=', action)
        .orderBy('seq')
        .execute(),
    );

  const rolesOf = (orgId: string, user: User) =>
    withOrg(core.database, orgId, (tx) =>
      tx.selectFrom('role_assignments').select('role_key').where('user_id', '=', user.id).execute(),
    ).then((rows) => rows.map((r) => r.role_key).sort());

  const round = () => services.reviewSchedule.runRound();

  before(async () => {
    core = await openTestCore({ clock });
    services = createServices(core, { mailer: mail });
  });
  after(() => core.close());

  it('launches the current quarter’s privileged review and the year’s full review once', async () => {
    const acme = await core.createOrg('acme');
    await member(acme, 'org-owner');
    await member(acme, 'org-admin');
    await member(acme, 'member');
    const first = await round();
    assert.equal(first.ran, true);
    assert.equal(first.failed, 0);
    const launched = await campaignsOf(acme);
    assert.deepEqual(
      launched.map((c) => [c.scope_kind, c.name, c.schedule_key, c.undecided_policy]),
      [
        [
          'privileged_roles',
          'Privileged access review 2026 Q4',
          'privileged_roles:2026-10-01',
          'revoke',
        ],
        ['all_assignments', 'All access review 2026', 'all_assignments:2026-01-01', 'keep'],
      ],
    );
    for (const c of launched) {
      assert.equal(c.status, 'open');
      assert.equal(c.due_at.getTime(), clock.now().getTime() + 14 * day, 'dueDays 14');
      assert.equal(c.created_by, null);
    }
    const events = await eventsOf(acme, 'review.campaign.launched');
    assert.deepEqual(
      events.map((e) => [e.actor_type, e.actor_id]),
      [
        ['system', 'review-schedule'],
        ['system', 'review-schedule'],
      ],
    );

    clock.advance(day);
    const second = await round();
    assert.equal(second.launched, 0);
    assert.equal((await campaignsOf(acme)).length, 2);
  });

  it('turns a scope off with null, and everything off with the manual preset', async () => {
    const yearly = await core.createOrg('yearly-only');
    const manual = await core.createOrg('manual');
    await member(yearly, 'org-admin');
    await member(manual, 'org-admin');
    await setPolicy(yearly, {
      privilegedEvery: null,
      allEvery: 'year',
      dueDays: 30,
      remindEveryDays: 0,
      closeAfterDays: null,
    });
    await setPolicy(manual, 'manual');
    await round();
    assert.deepEqual(
      (await campaignsOf(yearly)).map((c) => [c.schedule_key, c.due_at.getTime()]),
      [['all_assignments:2026-01-01', clock.now().getTime() + 30 * day]],
    );
    assert.deepEqual(await campaignsOf(manual), []);
    const [changed] = await eventsOf(manual, 'policy.reviews.changed');
    assert.equal(changed?.target_id, `${manual}:1`);
  });

  it('goes on with the other organizations when one cannot be handled', async () => {
    const broken = await core.createOrg('broken');
    const fine = await core.createOrg('fine');
    await member(fine, 'org-admin');
    const store = (version: number, settings: unknown) =>
      withPlatform(core.database, (tx) =>
        tx
          .insertInto('security_policies')
          .values({
            org_id: broken,
            kind: 'reviews',
            version,
            settings: JSON.stringify(settings),
            changed_by: null,
            changed_at: clock.now(),
          })
          .execute(),
      );
    // A stored policy this version cannot read (written by hand, or by a later version).
    await store(1, { privilegedEvery: 'month' });
    const report = await round();
    assert.equal(report.failed, 1);
    assert.equal((await campaignsOf(fine)).length, 2);
    assert.deepEqual(await campaignsOf(broken), []);
    // Once it reads again, the next round catches up.
    await store(2, {
      privilegedEvery: 'quarter',
      allEvery: null,
      dueDays: 14,
      remindEveryDays: 3,
      closeAfterDays: 7,
    });
    assert.equal((await round()).failed, 0);
    assert.equal((await campaignsOf(broken)).length, 1);
  });

  it('runs one round at a time: a second runner while the first launches skips', async () => {
    const busy = await core.createOrg('busy');
    await member(busy, 'org-admin');
    let inside: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => {
      inside = resolve;
    });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow: Pick<Reviews, 'launch' | 'close'> = {
      async launch(...args) {
        inside();
        await gate;
        return services.reviews.launch(...args);
      },
      close: services.reviews.close,
    };
    const deps = (database: Database, reviews: Pick<Reviews, 'launch' | 'close'>) => ({
      database,
      clock,
      audit: core.audit.record,
      reviews,
      policy: services.reviewsPolicy,
      holdersIn: services.rbac.holdersIn,
      mailer: captureMail(),
      logger: core.logger,
      publicUrl: 'https://vigil.test',
    });
    // The second runner is another node: its own connections to the same database (PostgreSQL),
    // or this process's (PGlite, which one process owns).
    const otherNode: Database =
      core.database.kind === 'postgres' && core.testDb.ownerUrl
        ? await openDatabase({ databaseUrl: core.testDb.ownerUrl, dataDir: 'unused', poolSize: 2 })
        : core.database;
    try {
      const first = createReviewSchedule(deps(core.database, slow));
      const second = createReviewSchedule(deps(otherNode, services.reviews));
      const firstRound = first.runRound();
      await reached;
      const skipped = await Promise.race([
        second.runRound(),
        sleep(10_000).then(() => 'still waiting, so it did not skip'),
      ]);
      assert.deepEqual(skipped, {
        ran: false,
        launched: 0,
        reminded: 0,
        escalated: 0,
        closed: 0,
        failed: 0,
      });
      release();
      const done = await firstRound;
      assert.equal(done.failed, 0);
      assert.equal((await campaignsOf(busy)).length, 2);
      const next = await second.runRound();
      assert.deepEqual([next.ran, next.launched], [true, 0]);
    } finally {
      release();
      if (otherNode !== core.database) await otherNode.close();
    }
    // Should two launches of a period ever race past the check, the unique index refuses one.
    const [campaign] = await campaignsOf(busy);
    const reviews = inOwnTransactions(core.database, services.reviews);
    await assert.rejects(
      reviews.launch(
        busy,
        {
          scope: { kind: 'privileged_roles' },
          name: 'Again',
          dueAt: new Date(clock.now().getTime() + day),
          scheduleKey: campaign?.schedule_key ?? '',
        },
        operatorActor,
      ),
      (err: { message?: string }) => /review_campaigns_schedule/.test(String(err.message)),
    );
  });

  it('reminds only reviewers with undecided items, every remindEveryDays until the due date', async () => {
    const org = await core.createOrg('remind');
    await setPolicy(org, {
      privilegedEvery: 'quarter',
      allEvery: null,
      dueDays: 14,
      remindEveryDays: 3,
      closeAfterDays: 7,
    });
    const admins = [
      await member(org, 'org-owner'),
      await member(org, 'org-admin'),
      await member(org, 'org-admin'),
    ];
    const plain = await member(org, 'member');
    const launchedAt = clock.now().getTime();
    await round();
    const [campaign] = await campaignsOf(org);
    assert.ok(campaign);
    const reviews = inOwnTransactions(core.database, services.reviews);
    const { items } = await reviews.record(org, campaign.id);
    assert.equal(items.length, 3, 'the three privileged assignments');
    // One reviewer decides all of theirs; the other keeps some undecided.
    const byReviewer = Map.groupBy(items, (i) => i.reviewer?.id ?? '');
    const [[finisher, finished] = ['', []], [laggard, pending] = ['', []]] = [...byReviewer].sort(
      (a, b) => a[1].length - b[1].length,
    );
    await reviews.decide(
      org,
      finished.map((i) => i.id),
      { decision: 'keep', justification: 'Still on the admin rota' },
      { type: 'user', id: finisher },
    );
    const laggardUser = admins.find((a) => a.id === laggard);
    assert.ok(laggardUser && pending.length > 0);
    const reminders = () =>
      mail.sent.filter((m) => m.subject.startsWith('remind:') && m.subject.includes('review by'));

    clock.set(new Date(launchedAt + 2 * day));
    await round();
    assert.equal(reminders().length, 0, 'not before remindEveryDays');
    clock.set(new Date(launchedAt + 3 * day));
    await round();
    assert.equal(reminders().length, 1);
    const [reminder] = reminders();
    assert.equal(reminder?.to, laggardUser.email);
    assert.match(reminder?.subject ?? '', new RegExp(`${pending.length} accesses to review by`));
    assert.ok(reminder?.text.includes(campaign.due_at.toISOString().slice(0, 10)));
    assert.ok(
      reminder?.text.includes(`${core.config.VIGIL_PUBLIC_URL}/admin/orgs/${org}/my-reviews`),
    );
    assert.ok(!mail.sent.some((m) => m.to === plain.email));
    const [event] = await eventsOf(org, 'review.campaign.reminded');
    assert.deepEqual([event?.actor_type, event?.actor_id], ['system', 'review-schedule']);
    assert.deepEqual(JSON.parse(event?.details ?? '{}'), {
      reviewers: [{ userId: laggard, items: pending.length }],
      items: pending.length,
    });
    const [reminded] = await campaignsOf(org);
    assert.equal(reminded?.reminded_at?.getTime(), launchedAt + 3 * day);

    clock.set(new Date(launchedAt + 5 * day));
    await round();
    assert.equal(reminders().length, 1, 'two days after the last reminder: none');
    clock.set(new Date(launchedAt + 13 * day));
    await round();
    assert.equal(reminders().length, 2);
    clock.set(new Date(launchedAt + 14 * day + 1000));
    await round();
    assert.equal(reminders().length, 2, 'past the due date: no reminder');
    assert.equal((await eventsOf(org, 'review.campaign.reminded')).length, 2);
  });

  it('escalates an overdue campaign once to the reviews.manage holders, then closes it', async () => {
    const org = await core.createOrg('late');
    await setPolicy(org, {
      privilegedEvery: 'quarter',
      allEvery: null,
      dueDays: 10,
      remindEveryDays: 0,
      closeAfterDays: 7,
    });
    const admins = [await member(org, 'org-owner'), await member(org, 'org-admin')];
    const plain = await member(org, 'member');
    const launchedAt = clock.now().getTime();
    await round();
    const reviews = inOwnTransactions(core.database, services.reviews);
    const [campaign] = await campaignsOf(org);
    assert.ok(campaign);
    // A campaign launched by hand has no schedule: it is escalated, never closed by the schedule.
    const byHand = await reviews.launch(
      org,
      { scope: { kind: 'all_assignments' }, name: 'By hand', dueAt: campaign.due_at },
      operatorActor,
    );
    const { items } = await reviews.record(org, campaign.id);
    // The owner's item is kept; the admin's stays undecided (the privileged policy revokes it).
    const ownerItem = items.find((i) => i.subject.id === admins[0]?.id);
    const adminItem = items.find((i) => i.subject.id === admins[1]?.id);
    assert.ok(ownerItem?.reviewer && adminItem?.reviewer);
    await reviews.decide(
      org,
      [ownerItem.id],
      { decision: 'keep', justification: 'The accountable owner' },
      { type: 'user', id: ownerItem.reviewer.id },
    );
    const overdue = () => mail.sent.filter((m) => m.subject.startsWith('late:'));

    clock.set(new Date(launchedAt + 10 * day - 1000));
    await round();
    assert.equal(overdue().length, 0, 'not before the due date');
    clock.set(new Date(launchedAt + 10 * day));
    const escalation = await round();
    assert.equal(escalation.failed, 0);
    const sent = overdue().filter((m) => m.subject.includes('"Privileged access review'));
    assert.deepEqual(sent.map((m) => m.to).sort(), admins.map((a) => a.email).sort());
    assert.ok(!overdue().some((m) => m.to === plain.email), 'a member is no admin');
    const reviewer = admins.find((a) => a.id === adminItem.reviewer?.id);
    assert.match(sent[0]?.text ?? '', new RegExp(`${reviewer?.email}>: one access`));
    assert.match(sent[0]?.text ?? '', /closes by itself on \d{4}-\d{2}-\d{2}; .* revoked/);
    const events = await eventsOf(org, 'review.campaign.escalated');
    assert.deepEqual(events.map((e) => e.target_id).sort(), [campaign.id, byHand.id].sort());
    const escalated = events.find((e) => e.target_id === campaign.id);
    const details: { admins: string[] } = JSON.parse(escalated?.details ?? '{}');
    assert.deepEqual(details, {
      dueAt: campaign.due_at.toISOString(),
      admins: details.admins,
      reviewers: [{ userId: adminItem.reviewer.id, items: 1 }],
      undecided: 1,
      unreviewable: 0,
    });
    assert.deepEqual([...details.admins].sort(), admins.map((a) => a.id).sort());

    clock.set(new Date(launchedAt + 16 * day));
    const quiet = overdue().length;
    await round();
    assert.equal(overdue().length, quiet, 'escalated once');
    assert.equal((await campaignsOf(org)).filter((c) => c.status === 'closed').length, 0);

    clock.set(new Date(launchedAt + 17 * day));
    await round();
    const after = await campaignsOf(org);
    const closed = after.find((c) => c.id === campaign.id);
    assert.equal(closed?.status, 'closed');
    assert.equal(closed?.closed_by, null);
    assert.equal(after.find((c) => c.id === byHand.id)?.status, 'open', 'closed by hand only');
    const [close] = await eventsOf(org, 'review.campaign.closed');
    assert.deepEqual([close?.actor_type, close?.actor_id], ['system', 'review-schedule']);
    assert.deepEqual(await rolesOf(org, admins[1] as User), [], 'undecided privileged: revoked');
    assert.deepEqual(await rolesOf(org, admins[0] as User), ['org-owner'], 'kept');
  });

  it('launches only the current period after downtime, never the ones it missed', async () => {
    const org = await core.createOrg('downtime');
    await member(org, 'org-admin');
    await setPolicy(org, 'soc2-baseline');
    await round();
    // The nodes were down for three quarters and more.
    clock.set(new Date('2027-08-10T12:00:00Z'));
    await round();
    const keys = (await campaignsOf(org)).map((c) => c.schedule_key).sort();
    assert.deepEqual(keys, [
      'all_assignments:2026-01-01',
      'all_assignments:2027-01-01',
      'privileged_roles:2026-10-01',
      'privileged_roles:2027-07-01',
    ]);
    const names = (await campaignsOf(org)).map((c) => c.name);
    assert.ok(names.includes('Privileged access review 2027 Q3'));
    assert.ok(names.includes('All access review 2027'));
  });
});

describe('the server runs the review schedule', () => {
  it('every VIGIL_REVIEWS_INTERVAL_SECONDS, and stops it when it closes', async () => {
    const core = await openTestCore();
    const server = await startTestServer(core, { VIGIL_REVIEWS_INTERVAL_SECONDS: '5' });
    try {
      const acme = await core.createOrg('acme');
      const launched = () =>
        withOrg(core.database, acme, (tx) =>
          tx.selectFrom('review_campaigns').select('schedule_key').execute(),
        );
      // Nobody ran a round by hand: the server's own timer launches the organization's campaigns.
      for (let i = 0; i < 150 && (await launched()).length < 2; i++) await sleep(100);
      assert.equal((await launched()).length, 2);
    } finally {
      await server.stop();
      await core.close();
    }
  });
});
