import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServices } from '../src/app/services.ts';
import type { User } from '../src/identity/index.ts';
import { createLifecycleSchedule, type Lifecycle } from '../src/lifecycle/index.ts';
import {
  type Database,
  fixedClock,
  openDatabase,
  operatorActor,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { captureMail, startTestServer } from './support/http.ts';

const day = 86_400_000;

/**
 * End dates (docs/lifecycle.md#end-dates): a user whose end date has come is deprovisioned by the
 * schedule's next round through the one deactivation path, recorded as the schedule's with the
 * end date as the time it was asked for; and the schedule runs on one node at a time.
 */
describe('the lifecycle schedule: end dates', () => {
  const clock = fixedClock(new Date('2026-09-01T08:00:00Z'));
  let core: TestCore;
  let services: ReturnType<typeof createServices>;
  let acme: string;
  let n = 0;

  /** A new user of `orgId` holding the member role and signed in once (a live session). */
  async function joiner(orgId: string): Promise<User> {
    n += 1;
    const input = { email: `user${n}@acme.test`, displayName: `User ${n}` };
    const { user } = await services.lifecycle.provision(
      orgId,
      { ...input, roleKeys: ['member'], reason: 'joiner' },
      operatorActor,
    );
    await withOrg(core.database, orgId, (tx) =>
      services.sessions.create(tx, { user, amr: ['pwd'], acr: 'urn:vigil:acr:pwd' }, operatorActor),
    );
    return user;
  }

  const setEndDate = (user: User, endAt: Date | null) =>
    withOrg(core.database, user.orgId, (tx) =>
      services.lifecycleSchedule.setEndDate(tx, user.id, endAt, operatorActor),
    );

  /** What the database says of the user now. */
  const stateOf = (user: User) =>
    withPlatform(core.database, async (tx) => ({
      status: (
        await tx
          .selectFrom('users')
          .select('status')
          .where('id', '=', user.id)
          .executeTakeFirstOrThrow()
      ).status,
      liveSessions: (
        await tx
          .selectFrom('sessions')
          .select('id')
          .where('user_id', '=', user.id)
          .where('ended_at', 'is', null)
          .execute()
      ).length,
      roles: (
        await tx
          .selectFrom('role_assignments')
          .select('role_key')
          .where('user_id', '=', user.id)
          .execute()
      ).map((r) => r.role_key),
      records: await tx
        .selectFrom('deprovisionings')
        .selectAll()
        .where('user_id', '=', user.id)
        .execute(),
    }));

  before(async () => {
    core = await openTestCore({ clock });
    services = createServices(core, { mailer: captureMail() });
    acme = await core.createOrg('acme');
  });
  after(() => core.close());

  it('deprovisions a user whose end date has passed, recorded as the schedule’s at the end date', async () => {
    const leaver = await joiner(acme);
    const stayer = await joiner(acme);
    const endAt = new Date(clock.now().getTime() + 2 * day);
    await setEndDate(leaver, endAt);
    await setEndDate(stayer, new Date(clock.now().getTime() + 30 * day));

    // Before the date nothing happens.
    const early = await services.lifecycleSchedule.runRound();
    assert.deepEqual(early, { ran: true, deprovisioned: 0, warned: 0, suspended: 0, failed: 0 });
    assert.equal((await stateOf(leaver)).status, 'active');

    // The node was down over the date: the first round after it catches up.
    clock.advance(5 * day);
    const round = await services.lifecycleSchedule.runRound();
    assert.equal(round.deprovisioned, 1);
    const gone = await stateOf(leaver);
    assert.equal(gone.status, 'deprovisioned');
    assert.equal(gone.liveSessions, 0);
    assert.deepEqual(gone.roles, []);
    assert.equal(gone.records.length, 1);
    const [record] = gone.records;
    assert.equal(record?.source, 'schedule');
    assert.equal(record?.status, 'deprovisioned');
    assert.equal(record?.requested_at.getTime(), endAt.getTime());
    assert.equal(record?.denied_at.getTime(), clock.now().getTime());
    assert.deepEqual([record?.actor_type, record?.actor_id], ['system', 'lifecycle-schedule']);

    // The future end date is untouched; a second round does nothing more.
    const kept = await stateOf(stayer);
    assert.deepEqual([kept.status, kept.liveSessions, kept.roles], ['active', 1, ['member']]);
    const again = await services.lifecycleSchedule.runRound();
    assert.equal(again.deprovisioned, 0);
    assert.equal((await stateOf(leaver)).records.length, 1);
  });

  it('deprovisions a suspended user at their end date too, and leaves a cleared date alone', async () => {
    const suspended = await joiner(acme);
    const cleared = await joiner(acme);
    await withOrg(core.database, acme, (tx) =>
      services.lifecycle.deactivate(tx, suspended.id, 'suspended', operatorActor, {
        source: 'admin',
      }),
    );
    await setEndDate(suspended, new Date(clock.now().getTime() - day));
    await setEndDate(cleared, new Date(clock.now().getTime() - day));
    await setEndDate(cleared, null);
    const round = await services.lifecycleSchedule.runRound();
    assert.equal(round.deprovisioned, 1);
    const after = await stateOf(suspended);
    assert.equal(after.status, 'deprovisioned');
    assert.deepEqual(
      after.records.map((r) => r.source),
      ['admin', 'schedule'],
    );
    assert.equal((await stateOf(cleared)).status, 'active');
  });

  it('audits each end date set, moved or cleared with before and after, and refuses one for a deprovisioned user', async () => {
    const user = await joiner(acme);
    const first = new Date('2027-01-31T17:00:00Z');
    await setEndDate(user, first);
    await setEndDate(user, first); // unchanged: nothing recorded
    await setEndDate(user, null);
    const events = await withOrg(core.database, acme, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['details', 'actor_type'])
        .where('action', '=', 'user.end_date.set')
        .where('target_id', '=', user.id)
        .orderBy('tx')
        .orderBy('seq')
        .execute(),
    );
    const details = events.map((e) =>
      typeof e.details === 'string' ? JSON.parse(e.details) : e.details,
    );
    assert.deepEqual(details, [
      { before: { endAt: null }, after: { endAt: first.toISOString() } },
      { before: { endAt: first.toISOString() }, after: { endAt: null } },
    ]);
    await withOrg(core.database, acme, (tx) =>
      services.lifecycle.deactivate(tx, user.id, 'deprovisioned', operatorActor, {
        source: 'admin',
      }),
    );
    await assert.rejects(setEndDate(user, first), { code: 'user.deprovisioned' });
  });

  it('one failed user stops nothing: the others are handled and the failure is counted', async () => {
    const [a, b, c] = [await joiner(acme), await joiner(acme), await joiner(acme)];
    for (const u of [a, b, c]) await setEndDate(u, new Date(clock.now().getTime() - day));
    const failing: Pick<Lifecycle, 'deactivate'> = {
      async deactivate(tx, userId, status, actor, request) {
        if (userId === b.id) throw new Error('the database said no');
        return services.lifecycle.deactivate(tx, userId, status, actor, request);
      },
    };
    const schedule = createLifecycleSchedule({
      ...scheduleDeps(),
      lifecycle: failing,
      batchSize: 2,
    });
    const round = await schedule.runRound();
    assert.deepEqual([round.deprovisioned, round.failed], [2, 1]);
    assert.equal((await stateOf(a)).status, 'deprovisioned');
    assert.equal((await stateOf(b)).status, 'active');
    assert.equal((await stateOf(c)).status, 'deprovisioned');
    // The next round (the fault gone) finishes the job.
    assert.equal((await services.lifecycleSchedule.runRound()).deprovisioned, 1);
  });

  /** What a schedule over this core needs, as services.ts wires it. */
  function scheduleDeps(database: Database = core.database) {
    return {
      database,
      clock,
      audit: core.audit.record,
      lifecycle: services.lifecycle,
      rbac: services.rbac,
      mailer: captureMail(),
      logger: core.logger,
      publicUrl: 'https://vigil.test',
    };
  }

  it('runs on one node at a time: a second runner while the first works skips its round', async () => {
    const users = [await joiner(acme), await joiner(acme), await joiner(acme)];
    for (const u of users) await setEndDate(u, new Date(clock.now().getTime() - day));
    // The first runner stops inside its first deprovisioning until told to go on.
    let inside: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => {
      inside = resolve;
    });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow: Pick<Lifecycle, 'deactivate'> = {
      async deactivate(...args) {
        inside();
        await gate;
        return services.lifecycle.deactivate(...args);
      },
    };
    const first = createLifecycleSchedule({ ...scheduleDeps(), lifecycle: slow });
    // The second runner is another node: its own connections to the same database (PostgreSQL),
    // or this process's (PGlite, which one process owns).
    const otherNode: Database =
      core.database.kind === 'postgres' && core.testDb.ownerUrl
        ? await openDatabase({ databaseUrl: core.testDb.ownerUrl, dataDir: 'unused', poolSize: 2 })
        : core.database;
    try {
      const second = createLifecycleSchedule(scheduleDeps(otherNode));
      const firstRound = first.runRound();
      await reached;
      // Without the lock it would wait on the first runner's row locks: give up after a while.
      const skipped = await Promise.race([
        second.runRound(),
        sleep(10_000).then(() => 'still waiting, so it did not skip'),
      ]);
      assert.deepEqual(skipped, {
        ran: false,
        deprovisioned: 0,
        warned: 0,
        suspended: 0,
        failed: 0,
      });
      release();
      const done = await firstRound;
      assert.equal(done.deprovisioned, 3);
      for (const u of users) assert.equal((await stateOf(u)).records.length, 1);
      // The lock is let go with the round: the other node runs the next one.
      const next = await second.runRound();
      assert.deepEqual([next.ran, next.deprovisioned], [true, 0]);
    } finally {
      release();
      if (otherNode !== core.database) await otherNode.close();
    }
  });
});

describe('the server runs the schedule', () => {
  it('every VIGIL_LIFECYCLE_INTERVAL_SECONDS, and stops it when it closes', async () => {
    const core = await openTestCore();
    const server = await startTestServer(core, { VIGIL_LIFECYCLE_INTERVAL_SECONDS: '5' });
    try {
      const acme = await core.createOrg('acme');
      const services = createServices(core);
      const { user } = await services.lifecycle.provision(
        acme,
        { email: 'leaver@acme.test', displayName: 'Leaver', roleKeys: [], reason: 'joiner' },
        operatorActor,
      );
      await withOrg(core.database, acme, (tx) =>
        services.lifecycleSchedule.setEndDate(
          tx,
          user.id,
          new Date(Date.now() - day),
          operatorActor,
        ),
      );
      const statusOf = () =>
        withOrg(core.database, acme, (tx) =>
          tx
            .selectFrom('users')
            .select('status')
            .where('id', '=', user.id)
            .executeTakeFirstOrThrow(),
        ).then((r) => r.status);
      // Nobody ran a round by hand: the server's own timer deprovisions the user.
      for (let i = 0; i < 150 && (await statusOf()) !== 'deprovisioned'; i++) await sleep(100);
      assert.equal(await statusOf(), 'deprovisioned');
    } finally {
      await server.stop();
      await core.close();
    }
  });
});
