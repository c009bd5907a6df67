import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { createServices } from '../src/app/services.ts';
import { createReviewEvidence, verifyEvidence } from '../src/compliance/index.ts';
import type { User } from '../src/identity/index.ts';
import { fixedClock, withOrg, withPlatform } from '../src/platform/index.ts';
import { type OidcWorld, startAdminApiWorld } from './support/admin-api.ts';
import { captureMail } from './support/http.ts';
import { inOwnTransactions } from './support/in-org.ts';
import { invalidGrant, redirectUri } from './support/oidc.ts';
import { signedInAdmin } from './support/signed-in-admin.ts';

type ApiWorld = Awaited<ReturnType<typeof startAdminApiWorld>>;

const day = 86_400_000;

/**
 * Issue 20's campaign end to end (docs/reviews.md#schedules-reminders-and-escalation): the review
 * policy set through the admin API, the campaign launched by the schedule, decided in part, a
 * reminder, the due date passed and the admins told, the schedule's close revoking the undecided
 * privileged role (that user's refresh token refused and session ended, the kept user's still
 * working), and the evidence export verifying until one byte changes. The schedule runs over
 * the server's database with a clock of its own; the server keeps the real one.
 */
describe('an access review campaign from the schedule to its evidence', () => {
  let world: OidcWorld;
  let call: ApiWorld['call'];
  let tokenFor: ApiWorld['tokenFor'];
  let userWithRole: ApiWorld['userWithRole'];
  let owner: User;
  let rp: oidc.Configuration;
  const clock = fixedClock(new Date());
  const mail = captureMail();
  let services: ReturnType<typeof createServices>;
  const password = 'Correct-Horse-Battery-9';

  before(async () => {
    ({ world, call, tokenFor, userWithRole } = await startAdminApiWorld({ totp: false }));
    owner = await userWithRole(world.orgId, 'owner@acme.test', 'org-owner');
    const registered = await world.createClient({
      name: 'Acme Web',
      kind: 'web',
      firstParty: true,
      redirectUris: [redirectUri],
    });
    rp = await oidc.discovery(new URL(world.base), registered.id, registered.secret);
    services = createServices({ ...world.core, clock }, { mailer: mail });
  });
  after(() => world.close());

  const policyPath = () => `/orgs/${world.orgId}/policies/reviews`;

  it('refuses invalid review policies through the admin API, saving nothing', async () => {
    const token = await tokenFor(owner);
    const read = await call('GET', policyPath(), token);
    assert.equal(read.status, 200, read.text);
    assert.deepEqual(JSON.parse(read.text), {
      version: 0,
      policy: {
        privilegedEvery: 'quarter',
        allEvery: 'year',
        dueDays: 14,
        remindEveryDays: 3,
        closeAfterDays: 7,
      },
    });
    const etag = String(read.headers.etag);
    const valid = {
      privilegedEvery: 'quarter',
      allEvery: null,
      dueDays: 14,
      remindEveryDays: 3,
      closeAfterDays: 7,
    };
    for (const bad of [
      { ...valid, privilegedEvery: 'month' },
      { ...valid, dueDays: 0 },
      { ...valid, dueDays: 91 },
      { ...valid, remindEveryDays: 31 },
      { ...valid, closeAfterDays: -1 },
      { ...valid, closeAfterDays: 2.5 },
      { ...valid, extra: true },
      { preset: 'monthly' },
    ]) {
      const res = await call('PUT', policyPath(), token, bad, { 'if-match': etag });
      assert.equal(res.status, 400, JSON.stringify(bad));
      assert.equal(JSON.parse(res.text).code, 'api.invalid_body', res.text);
    }
    // A setting out of range, or not one of its choices, is named (not "a preset or settings");
    // an unknown preset names the preset.
    for (const [bad, path] of [
      [{ ...valid, dueDays: 0 }, 'dueDays'],
      [{ ...valid, privilegedEvery: 'month' }, 'privilegedEvery'],
      [{ preset: 'monthly' }, 'preset'],
    ] as const) {
      const res = await call('PUT', policyPath(), token, bad, { 'if-match': etag });
      const problem = JSON.parse(res.text);
      assert.deepEqual(
        problem.errors.map((e: { path: string }) => e.path),
        [path],
        res.text,
      );
      assert.match(problem.detail, new RegExp(`^${path}: `), res.text);
    }
    const unchanged = await call('GET', policyPath(), token);
    assert.equal(JSON.parse(unchanged.text).version, 0, 'nothing saved');

    const set = await call('PUT', policyPath(), token, valid, { 'if-match': etag });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(JSON.parse(set.text), { version: 1, policy: valid });
    const auditor = await userWithRole(world.orgId, 'auditor@acme.test', 'org-auditor');
    const denied = await call('PUT', policyPath(), await tokenFor(auditor), valid, {
      'if-match': String(set.headers.etag),
    });
    assert.equal(denied.status, 403);
  });

  const signedIn = (email: string) => signedInAdmin(world, userWithRole, rp, email, password);

  it('launches, reminds, escalates and closes from the schedule; the evidence verifies', async () => {
    const leaving = await signedIn('leaving@acme.test');
    const staying = await signedIn('staying@acme.test');
    const launchedAt = clock.now().getTime();
    const launch = await services.reviewSchedule.runRound();
    assert.equal(launch.failed, 0);
    const campaigns = await withOrg(world.core.database, world.orgId, (tx) =>
      tx.selectFrom('review_campaigns').selectAll().where('org_id', '=', world.orgId).execute(),
    );
    assert.equal(campaigns.length, 1, 'the privileged review only (allEvery is null)');
    const [campaign] = campaigns;
    assert.ok(campaign);
    assert.match(campaign.name, /^Privileged access review \d{4} Q[1-4]$/);

    const reviews = inOwnTransactions(world.core.database, services.reviews);
    const { items } = await reviews.record(world.orgId, campaign.id);
    const itemOf = (u: User) => {
      const item = items.find((i) => i.subject.id === u.id && i.roleKey !== 'member');
      assert.ok(item?.reviewer, `an item with a reviewer for ${u.email}`);
      return { ...item, reviewerId: item.reviewer.id };
    };
    // The reviewers keep the owner and the staying admin; the leaving admin's stays undecided.
    for (const u of [owner, staying.user]) {
      const item = itemOf(u);
      await reviews.decide(
        world.orgId,
        [item.id],
        { decision: 'keep', justification: 'Needed this quarter' },
        { type: 'user', id: item.reviewerId },
      );
    }
    const undecided = itemOf(leaving.user);
    const emailOf = (id: string) =>
      [owner, leaving.user, staying.user].find((u) => u.id === id)?.email;

    clock.set(new Date(launchedAt + 3 * day));
    await services.reviewSchedule.runRound();
    const reminders = mail.sent.filter((m) => m.subject.includes('to review by'));
    assert.deepEqual(
      reminders.map((m) => m.to),
      [emailOf(undecided.reviewerId)],
    );
    assert.match(reminders[0]?.text ?? '', /one access/);

    clock.set(new Date(launchedAt + 14 * day));
    await services.reviewSchedule.runRound();
    const overdue = mail.sent.filter((m) => m.subject.includes('is overdue'));
    assert.deepEqual(
      overdue.map((m) => m.to).sort(),
      ['leaving@acme.test', 'owner@acme.test', 'staying@acme.test'],
      'every active holder of reviews.manage',
    );
    assert.ok(overdue[0]?.text.includes(`${emailOf(undecided.reviewerId)}>: one access`));

    // Still open the day before closeAfterDays have passed: everyone is still signed in.
    clock.set(new Date(launchedAt + 20 * day));
    await services.reviewSchedule.runRound();
    assert.equal((await reviews.record(world.orgId, campaign.id)).campaign.status, 'open');
    assert.equal((await leaving.browser.get('/account')).status, 200);

    clock.set(new Date(launchedAt + 21 * day));
    assert.equal((await services.reviewSchedule.runRound()).failed, 0);

    const account = await leaving.browser.get('/account');
    assert.match(account.headers.location ?? '', /^\/login/, 'the session cookie');
    await assert.rejects(oidc.refreshTokenGrant(rp, leaving.refreshToken), invalidGrant);
    const [user] = await withOrg(world.core.database, world.orgId, (tx) =>
      tx.selectFrom('users').select('status').where('id', '=', leaving.user.id).execute(),
    );
    assert.equal(user?.status, 'active', 'a review revokes access, not the account');
    assert.equal((await staying.browser.get('/account')).status, 200);
    assert.ok((await oidc.refreshTokenGrant(rp, staying.refreshToken)).access_token);

    const record = await reviews.record(world.orgId, campaign.id);
    const revoked = record.items.find((i) => i.id === undecided.id);
    assert.equal(revoked?.outcome, 'revoked');
    assert.equal(revoked?.revokedAt?.getTime(), launchedAt + 21 * day);

    const evidence = createReviewEvidence({
      reviews: services.reviews,
      keys: world.core.keys,
      clock,
    });
    const { text } = await withOrg(world.core.database, world.orgId, (tx) =>
      evidence.export(tx, world.orgId, campaign.id),
    );
    assert.deepEqual(verifyEvidence(text).failures, []);
    assert.equal(verifyEvidence(text).ok, true);
    // One byte of the leaving admin's email changed, anywhere in the bundle: refused.
    const at = text.indexOf('leaving@acme.test');
    assert.ok(at > 0);
    const tampered = `${text.slice(0, at)}L${text.slice(at + 1)}`;
    assert.equal(Buffer.byteLength(tampered), Buffer.byteLength(text));
    assert.equal(verifyEvidence(tampered).ok, false);
    const closedEvents = await withPlatform(world.core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['actor_type', 'actor_id'])
        .where('action', '=', 'review.campaign.closed')
        .where('target_id', '=', campaign.id)
        .execute(),
    );
    assert.deepEqual(closedEvents, [{ actor_type: 'system', actor_id: 'review-schedule' }]);
  });
});
