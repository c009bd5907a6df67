import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Alert, AlertRoundReport } from '../src/alerts/index.ts';
import { createServices } from '../src/app/services.ts';
import { fixedClock, operatorActor, withOrg } from '../src/platform/index.ts';
import { openTestCore, sealEverything, type TestCore } from './support/core.ts';

const minute = 60_000;
const berlin = '81.169.145.105';
const tokyo = '133.242.0.3';

/**
 * The location rules through the alert engine (docs/alerts.md#ip-geolocation): successful
 * sign-ins appended to the audit log with public client addresses, a round of the engine over
 * the feed, and the alerts in the organization's inbox, located by the shipped database.
 */
describe('sign-in location alerts end to end', () => {
  const clock = fixedClock(new Date('2026-07-01T06:00:00Z'));
  let core: TestCore;
  let services: ReturnType<typeof createServices>;
  let orgId: string;
  let userId: string;

  before(async () => {
    core = await openTestCore({ clock });
    services = createServices(core);
    orgId = await core.createOrg('geo-e2e');
    userId = await withOrg(core.database, orgId, async (tx) => {
      const user = await services.identity.createUser(
        tx,
        orgId,
        { email: 'traveller@geo-e2e.example', displayName: 'Traveller' },
        operatorActor,
      );
      return user.id;
    });
    // The first round ever starts at the feed's end: what came before is history.
    // On PostgreSQL the feed's end waits for the oldest transaction on the whole server
    // (another test file's): the setup's events are sealed, so past it, before the first round.
    await sealEverything(core);
    assert.equal((await services.alerts.engine.runRound()).started, true);
  });
  after(() => core.close());

  function signedIn(ip: string) {
    return withOrg(core.database, orgId, (tx) =>
      core.audit.record(tx, {
        orgId,
        action: 'auth.login.succeeded',
        actor: { type: 'user', id: userId, ip, userAgent: 'geo-e2e' },
        target: { type: 'user', id: userId },
        details: { amr: ['pwd'] },
      }),
    );
  }

  /**
   * Rounds until the engine has read `events` events. On PostgreSQL the feed hands out an event
   * only once every older transaction on the server has ended (another test file's may run).
   */
  async function roundsReading(events: number): Promise<AlertRoundReport> {
    const total = { events: 0, raised: 0, grown: 0, failedRules: 0 };
    for (let attempt = 0; attempt < 50 && total.events < events; attempt++) {
      if (attempt > 0) await sleep(100);
      const report = await services.alerts.engine.runRound();
      for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += report[key];
    }
    assert.equal(total.events, events);
    return { ...total, ran: true, replayed: 0, started: false };
  }

  const inbox = () =>
    withOrg(core.database, orgId, async (tx) => {
      const { alerts } = await services.alerts.inbox.list(tx, orgId, {});
      return new Map<string, Alert>(alerts.map((a) => [a.rule, a]));
    });

  it('raises a new country and an impossible journey, and nothing for the same place again', async () => {
    await signedIn(berlin);
    const first = await roundsReading(1);
    assert.equal(first.raised, 0, 'a first sign-in is nowhere new');

    clock.advance(40 * minute);
    await signedIn(tokyo);
    const second = await roundsReading(1);
    assert.equal(second.failedRules, 0);
    assert.equal(second.raised, 2);
    const alerts = await inbox();

    const travel = alerts.get('signin.impossible_travel');
    assert.equal(travel?.severity, 'high');
    assert.equal(travel?.subjectUserId, userId);
    assert.equal(travel?.status, 'open');
    assert.equal(travel?.details.country, 'JP');
    assert.deepEqual(travel?.details.previous, {
      ip: berlin,
      country: 'DE',
      at: new Date(clock.now().getTime() - 40 * minute).toISOString(),
    });
    assert.equal(travel?.details.minutes, 40);
    assert.ok((travel?.details.kmh as number) > 10_000);

    const place = alerts.get('signin.new_place');
    assert.equal(place?.severity, 'medium');
    assert.equal(place?.details.newCountry, true);
    assert.equal(place?.details.ip, tokyo);

    // The user stays in Tokyo: the same country and network, no journey.
    clock.advance(2 * 60 * minute);
    await signedIn(tokyo);
    // The round reads the sign-in and the alert.raised events the last round wrote.
    const third = await roundsReading(1 + second.raised);
    assert.equal(third.raised + third.grown, 0);
    assert.equal((await inbox()).size, 2);
  });
});
