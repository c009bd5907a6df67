import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createServices } from '../src/app/services.ts';
import type { User } from '../src/identity/index.ts';
import { createLifecycleSchedule } from '../src/lifecycle/index.ts';
import {
  fixedClock,
  type MailMessage,
  operatorActor,
  platformOrgId,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { captureMail } from './support/http.ts';

const day = 86_400_000;
const password = 'Dormant-Account-2026!';
const client = { ip: '198.51.100.90', userAgent: 'lifecycle-dormant-test' };

/**
 * Dormant accounts (docs/lifecycle.md#dormant-accounts): where an organization's lifecycle policy
 * sets dormantDays, an account unused that long is suspended by the schedule, after its user and
 * the organization's administrators were warned warnDays before, once; a sign-in starts over.
 */
describe('the lifecycle schedule: dormant accounts', () => {
  const clock = fixedClock(new Date('2026-03-01T09:00:00Z'));
  const mail = captureMail();
  let core: TestCore;
  let services: ReturnType<typeof createServices>;
  let acme: string;
  let globex: string;
  let admin: User;

  /** A user with a password, created now (with `roleKey` when given). */
  async function createUser(orgId: string, email: string, roleKey?: string): Promise<User> {
    return withOrg(core.database, orgId, async (tx) => {
      const user = await services.identity.createUser(
        tx,
        orgId,
        { email, displayName: email.split('@')[0] ?? email },
        operatorActor,
      );
      await services.passwords.set(tx, user, password, {
        actor: operatorActor,
        temporary: false,
        byOwner: false,
      });
      if (roleKey)
        await services.rbac.assign(
          tx,
          { orgId, userId: user.id, roleKey, reason: 'test' },
          null,
          operatorActor,
        );
      return user;
    });
  }

  const signIn = async (email: string, secret = password) =>
    (await services.signIn.passwordStep({ email, password: secret }, client)).kind;

  const row = (user: User) =>
    withPlatform(core.database, (tx) =>
      tx
        .selectFrom('users')
        .select(['status', 'last_sign_in_at', 'dormancy_warned_at'])
        .where('id', '=', user.id)
        .executeTakeFirstOrThrow(),
    );

  const setPolicy = (orgId: string, policy: unknown) =>
    withOrg(core.database, orgId, (tx) =>
      services.lifecyclePolicy.setPolicy(tx, orgId, policy, operatorActor),
    );

  /** A new session, as a completed sign-in makes it. */
  const sessionFor = (user: User) =>
    withOrg(core.database, user.orgId, (tx) =>
      services.sessions.create(tx, { user, amr: ['pwd'], acr: 'urn:vigil:acr:pwd' }, operatorActor),
    );

  const mailTo = (email: string): MailMessage[] => mail.sent.filter((m) => m.to === email);
  const run = () => services.lifecycleSchedule.runRound();

  before(async () => {
    core = await openTestCore({ clock });
    services = createServices(core, { mailer: mail });
    acme = await core.createOrg('acme');
    globex = await core.createOrg('globex');
    admin = await createUser(acme, 'admin@acme.test', 'org-admin');
  });
  after(() => core.close());

  it('a sign-in records itself and a failed one does not', async () => {
    const user = await createUser(await core.createOrg('wayne'), 'signs-in@wayne.test');
    assert.equal(await signIn('signs-in@wayne.test', 'Wrong-Password-1!'), 'failed');
    assert.equal((await row(user)).last_sign_in_at, null);
    assert.equal(await signIn('signs-in@wayne.test'), 'signed_in');
    assert.equal((await row(user)).last_sign_in_at?.getTime(), clock.now().getTime());
  });

  it('the policy: off by default, soc2-baseline sets 90 days, bad settings refused and nothing changed', async () => {
    const current = await withOrg(core.database, acme, (tx) =>
      services.lifecyclePolicy.policy(tx, acme),
    );
    assert.deepEqual(current, {
      version: 0,
      policy: { dormantDays: null, warnDays: 7, slaHours: 24 },
    });
    for (const bad of [
      { dormantDays: 10, warnDays: 7, slaHours: 24 },
      { dormantDays: 30, warnDays: 30, slaHours: 24 },
      { dormantDays: 30, warnDays: 7, slaHours: 0 },
      { dormantDays: 30, warnDays: 7 },
      'no-such-preset',
    ])
      await assert.rejects(setPolicy(acme, bad), (err: { code?: string }) =>
        ['policy.invalid', 'policy.unknown_preset'].includes(err.code ?? ''),
      );
    const preset = await setPolicy(acme, 'soc2-baseline');
    assert.deepEqual(preset, {
      version: 1,
      policy: { dormantDays: 90, warnDays: 7, slaHours: 24 },
    });
  });

  it('warns the user and the administrators once, then suspends after the date; other organizations untouched', async () => {
    await setPolicy(acme, { dormantDays: 30, warnDays: 7, slaHours: 24 });
    const quiet = await createUser(acme, 'quiet@acme.test');
    const busy = await createUser(acme, 'busy@acme.test');
    const elsewhere = await createUser(globex, 'quiet@globex.test');
    const operator = await createUser(platformOrgId, 'operator@platform.test');
    // The administrator is signed in regularly (a new session: MFA is theirs to pass first);
    // busy signs in ten days in.
    const adminSignsIn = () => sessionFor(admin);
    clock.advance(10 * day);
    assert.equal(await signIn('busy@acme.test'), 'signed_in');
    await adminSignsIn();

    clock.advance(12 * day); // day 22: nobody due yet
    assert.deepEqual(await run(), {
      ran: true,
      deprovisioned: 0,
      warned: 0,
      suspended: 0,
      failed: 0,
    });
    assert.equal(mailTo('quiet@acme.test').length, 0);

    clock.advance(day + 60_000); // day 23: quiet is seven days from suspension
    await adminSignsIn();
    const warnedRound = await run();
    assert.deepEqual([warnedRound.warned, warnedRound.suspended], [1, 0]);
    const [warning] = mailTo('quiet@acme.test');
    assert.match(warning?.subject ?? '', /^Your acme account will be suspended on 2026-03-31$/);
    assert.match(warning?.text ?? '', /has not been used since 2026-03-01/);
    assert.match(warning?.text ?? '', /\/account/);
    const [notice] = mailTo('admin@acme.test');
    assert.match(notice?.subject ?? '', /One account of acme will be suspended as unused/);
    assert.match(
      notice?.text ?? '',
      /quiet@acme\.test: last used 2026-03-01, suspended on 2026-03-31/,
    );
    const warned = await withOrg(core.database, acme, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['details', 'actor_type', 'actor_id'])
        .where('action', '=', 'user.dormancy_warned')
        .where('target_id', '=', quiet.id)
        .execute(),
    );
    assert.equal(warned.length, 1);
    assert.deepEqual(
      [warned[0]?.actor_type, warned[0]?.actor_id],
      ['system', 'lifecycle-schedule'],
    );

    // Once: the next rounds before the date send nothing more.
    clock.advance(3 * day);
    await adminSignsIn();
    assert.equal((await run()).warned, 0);
    assert.equal(mailTo('quiet@acme.test').length, 1);
    assert.equal((await row(quiet)).status, 'active');

    clock.advance(4 * day); // day 30 and a minute: the date has come
    await adminSignsIn();
    const suspendedRound = await run();
    assert.equal(suspendedRound.suspended, 1);
    assert.equal((await row(quiet)).status, 'suspended');
    const records = await withPlatform(core.database, (tx) =>
      tx.selectFrom('deprovisionings').selectAll().where('user_id', '=', quiet.id).execute(),
    );
    assert.deepEqual(
      records.map((r) => [r.source, r.status, r.requested_at.getTime()]),
      [['dormant', 'suspended', clock.now().getTime()]],
    );
    // busy signed in on day 10: not yet due. globex has no policy and the platform's is off.
    assert.equal((await row(busy)).status, 'active');
    assert.equal((await row(elsewhere)).status, 'active');
    assert.equal((await row(operator)).status, 'active');
    assert.equal((await row(admin)).status, 'active');
  });

  it('a sign-in after the warning starts over: the warning no longer holds and no suspension follows', async () => {
    const user = await createUser(acme, 'comes-back@acme.test');
    clock.advance(23 * day + 60_000);
    await sessionFor(admin);
    assert.equal((await run()).warned >= 1, true);
    assert.ok((await row(user)).dormancy_warned_at);
    clock.advance(2 * day);
    assert.equal(await signIn('comes-back@acme.test'), 'signed_in');
    const after = await row(user);
    assert.equal(after.dormancy_warned_at, null);
    assert.equal(after.last_sign_in_at?.getTime(), clock.now().getTime());
    clock.advance(6 * day); // past the date the warning named
    await sessionFor(admin);
    await run();
    assert.equal((await row(user)).status, 'active');
  });

  it('a policy switched on late, or a round after downtime, still gives the full notice before suspending', async () => {
    const old = await createUser(globex, 'old@globex.test');
    clock.advance(200 * day);
    await setPolicy(globex, { dormantDays: 60, warnDays: 5, slaHours: 24 });
    await run();
    assert.equal((await row(old)).status, 'active', 'warned first, not suspended at once');
    assert.ok((await row(old)).dormancy_warned_at);
    const [warning] = mailTo('old@globex.test');
    const fiveDaysOn = new Date(clock.now().getTime() + 5 * day).toISOString().slice(0, 10);
    assert.match(warning?.subject ?? '', new RegExp(`suspended on ${fiveDaysOn}$`));
    clock.advance(5 * day);
    await run();
    assert.equal((await row(old)).status, 'suspended');
  });

  it('with warnDays 0 nobody is warned; a mail that cannot go is sent again next round', async () => {
    const org = await core.createOrg('initech');
    const silent = await createUser(org, 'silent@initech.test');
    const retried = await createUser(org, 'retried@initech.test');
    await setPolicy(org, { dormantDays: 30, warnDays: 0, slaHours: 24 });
    clock.advance(30 * day);
    await run();
    assert.equal(mailTo('silent@initech.test').length, 0);
    assert.equal((await row(silent)).status, 'suspended');
    assert.equal((await row(retried)).status, 'suspended');

    // A warning whose mail fails is rolled back (no warned_at, no audit event) and retried.
    const other = await core.createOrg('umbrella');
    const late = await createUser(other, 'late@umbrella.test');
    await setPolicy(other, { dormantDays: 30, warnDays: 7, slaHours: 24 });
    clock.advance(24 * day);
    let refuse = true;
    const flaky = {
      async send(message: MailMessage) {
        if (refuse && message.to === 'late@umbrella.test') throw new Error('SMTP unavailable');
        await mail.send(message);
      },
    };
    const schedule = createLifecycleSchedule({
      database: core.database,
      clock,
      audit: core.audit.record,
      lifecycle: services.lifecycle,
      rbac: services.rbac,
      mailer: flaky,
      logger: core.logger,
      publicUrl: 'https://vigil.test',
    });
    const failed = await schedule.runRound();
    assert.equal(failed.failed, 1);
    assert.equal((await row(late)).dormancy_warned_at, null);
    assert.equal(mailTo('late@umbrella.test').length, 0);
    refuse = false;
    const retriedRound = await schedule.runRound();
    assert.equal(retriedRound.failed, 0);
    assert.equal((await row(late)).dormancy_warned_at?.getTime(), clock.now().getTime());
    assert.equal(mailTo('late@umbrella.test').length, 1);
    const events = await withOrg(core.database, other, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('id')
        .where('action', '=', 'user.dormancy_warned')
        .execute(),
    );
    assert.equal(events.length, 1);
  });

  it('a user reactivated after a suspension is warned afresh, not suspended again at once', async () => {
    const org = await core.createOrg('stark');
    const dormant = await createUser(org, 'sleepy@stark.test');
    const paused = await createUser(org, 'paused@stark.test');
    await setPolicy(org, { dormantDays: 30, warnDays: 7, slaHours: 24 });
    clock.advance(23 * day + 60_000);
    assert.equal((await run()).warned >= 2, true);
    // An administrator suspends one meanwhile; the other is suspended as dormant on the date.
    const reactivate = (user: User) =>
      withOrg(core.database, org, (tx) =>
        services.lifecycle.reactivate(tx, user.id, operatorActor),
      );
    await withOrg(core.database, org, (tx) =>
      services.lifecycle.deactivate(tx, paused.id, 'suspended', operatorActor, { source: 'admin' }),
    );
    clock.advance(7 * day);
    await run();
    assert.equal((await row(dormant)).status, 'suspended');
    assert.equal((await row(dormant)).dormancy_warned_at, null, 'the warning is spent');

    clock.advance(10 * day);
    await reactivate(dormant);
    await reactivate(paused);
    const before = mailTo('sleepy@stark.test').length;
    await run();
    for (const user of [dormant, paused]) {
      const now = await row(user);
      assert.equal(now.status, 'active');
      assert.equal(now.dormancy_warned_at?.getTime(), clock.now().getTime());
    }
    assert.equal(mailTo('sleepy@stark.test').length, before + 1);
    clock.advance(7 * day);
    await run();
    assert.equal((await row(dormant)).status, 'suspended', 'after the fresh notice');
  });

  it('leaves a suspended organization alone', async () => {
    const org = await core.createOrg('hooli');
    const user = await createUser(org, 'idle@hooli.test');
    await setPolicy(org, { dormantDays: 30, warnDays: 7, slaHours: 24 });
    await services.lifecycle.suspendOrganizationNow(org, 'unpaid', operatorActor);
    clock.advance(40 * day);
    await run();
    assert.deepEqual(
      [(await row(user)).status, (await row(user)).dormancy_warned_at],
      ['active', null],
    );
  });
});
