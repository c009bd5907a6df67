import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createGeoLocator, shippedGeoDatabases } from '../src/alerts/geo/index.ts';
import type { EventRule, Finding, RuleSettings } from '../src/alerts/rule.ts';
import { signInImpossibleTravel } from '../src/alerts/rules/impossible-travel.ts';
import { signInNewPlace } from '../src/alerts/rules/new-place.ts';
import { createSlidingWindows } from '../src/alerts/windows.ts';
import { createServices } from '../src/app/services.ts';
import type { FeedEvent } from '../src/audit/index.ts';
import { fixedClock, newId, operatorActor, withOrg, withPlatform } from '../src/platform/index.ts';
import { openTestCore, type TestCore } from './support/core.ts';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

/** Addresses the shipped database places (test/alerts-geo.test.ts checks them). */
const ip = {
  berlin: '81.169.145.105', // DE, Strato
  hanover: '193.99.144.80', // DE, heise: another network, ~250 km from Berlin
  tokyo: '133.242.0.3', // JP
  saoPaulo: '200.160.2.3', // BR
  office: '192.168.10.20', // private: nowhere
};

/**
 * The sign-in location rules (docs/alerts.md#rules): each evaluated as the engine does, with a
 * RuleContext in a platform transaction, over successful sign-ins of real users from public
 * addresses, at times a fixed clock sets.
 */
describe('the sign-in location rules', () => {
  const clock = fixedClock(new Date('2026-06-01T08:00:00Z'));
  const geo = createGeoLocator(shippedGeoDatabases());
  let core: TestCore;
  let orgId: string;

  before(async () => {
    core = await openTestCore({ clock });
    orgId = await core.createOrg('geo-rules');
  });
  after(() => core.close());

  async function newUser(): Promise<string> {
    const services = createServices(core);
    return withOrg(core.database, orgId, async (tx) => {
      const email = `u${newId().slice(-12)}@geo.example`;
      return (
        await services.identity.createUser(tx, orgId, { email, displayName: 'Geo' }, operatorActor)
      ).id;
    });
  }

  /** A successful sign-in of the user from the address, now (clock) — as the feed hands it. */
  function signIn(userId: string, from: string): FeedEvent {
    return {
      id: newId(),
      orgId,
      occurredAt: clock.now(),
      actor: { type: 'user', id: userId, ip: from, userAgent: 'geo-test' },
      action: 'auth.login.succeeded',
      target: { type: 'user', id: userId },
      outcome: 'success',
      requestId: null,
      details: { amr: ['pwd'] },
      position: { tx: '1', seq: '1' },
    };
  }

  async function evaluate<T extends Record<string, number>>(
    rule: EventRule<T>,
    events: FeedEvent[],
    options: { replay?: boolean; thresholds?: Partial<T> } = {},
  ): Promise<Finding[]> {
    const settings: RuleSettings<T> = {
      enabled: true,
      severity: rule.defaultSeverity,
      thresholds: { ...rule.defaultThresholds, ...options.thresholds },
    };
    return withPlatform(core.database, (tx) =>
      rule.evaluate(
        { tx, clock, geo, replay: options.replay ?? false, windows: createSlidingWindows() },
        events.map((event) => ({ event, settings })),
      ),
    );
  }

  describe('signin.new_place', () => {
    it('raises nothing on the first sign-in, nor from the same country and network again', async () => {
      const user = await newUser();
      assert.deepEqual(await evaluate(signInNewPlace, [signIn(user, ip.berlin)]), []);
      clock.advance(hour);
      assert.deepEqual(await evaluate(signInNewPlace, [signIn(user, ip.berlin)]), []);
      clock.advance(hour);
      // A private address is nowhere: neither new nor recorded.
      assert.deepEqual(await evaluate(signInNewPlace, [signIn(user, ip.office)]), []);
    });

    it('raises on a new network in a known country, and on a new country', async () => {
      const user = await newUser();
      await evaluate(signInNewPlace, [signIn(user, ip.berlin)]);
      clock.advance(day);
      const hanover = signIn(user, ip.hanover);
      const [network, ...none] = await evaluate(signInNewPlace, [hanover]);
      assert.deepEqual(none, []);
      assert.equal(network?.title.startsWith('Sign-in from a new network'), true);
      assert.equal(network?.subjectUserId, user);
      assert.deepEqual(network?.eventIds, [hanover.id]);
      assert.equal(network?.dedupKey, `user:${user}:network:${geo.locate(ip.hanover)?.network}`);
      assert.equal(network?.details.newCountry, false);
      assert.equal(network?.details.newNetwork, true);
      assert.equal(network?.details.country, 'DE');
      assert.equal(network?.details.ip, ip.hanover);

      clock.advance(day);
      // Two sign-ins in one batch: the second is judged against the place the first recorded.
      const tokyo = signIn(user, ip.tokyo);
      const findings = await evaluate(signInNewPlace, [tokyo, signIn(user, ip.tokyo)]);
      assert.equal(findings.length, 1);
      const [country] = findings;
      assert.equal(country?.dedupKey, `user:${user}:country:JP`);
      assert.equal(country?.details.newCountry, true);
      assert.equal(country?.details.network, geo.locate(ip.tokyo)?.network);
      assert.deepEqual(country?.details.knownCountries, ['DE']);
      const previous = country?.details.previous as Record<string, unknown>;
      assert.equal(previous.country, 'DE');
      assert.equal(previous.network, geo.locate(ip.hanover)?.network);
      assert.equal(previous.at, hanover.occurredAt.toISOString());
    });

    it('writes nothing when replaying: the place is still new afterwards', async () => {
      const user = await newUser();
      await evaluate(signInNewPlace, [signIn(user, ip.berlin)]);
      assert.deepEqual(
        await evaluate(signInNewPlace, [signIn(user, ip.saoPaulo)], { replay: true }),
        [],
      );
      const [finding] = await evaluate(signInNewPlace, [signIn(user, ip.saoPaulo)]);
      assert.equal(finding?.details.country, 'BR');
    });
  });

  describe('signin.impossible_travel', () => {
    it('raises on two sign-ins too far apart for the time between them', async () => {
      const user = await newUser();
      const berlin = signIn(user, ip.berlin);
      assert.deepEqual(await evaluate(signInImpossibleTravel, [berlin]), []);
      clock.advance(hour);
      const tokyo = signIn(user, ip.tokyo);
      const [finding, ...none] = await evaluate(signInImpossibleTravel, [tokyo]);
      assert.deepEqual(none, []);
      assert.equal(finding?.dedupKey, `user:${user}:travel:DE-JP`);
      assert.equal(finding?.subjectUserId, user);
      assert.deepEqual(finding?.eventIds, [tokyo.id]);
      const details = finding?.details as Record<string, unknown>;
      assert.ok((details.km as number) > 8_500 && (details.km as number) < 9_500, `${details.km}`);
      assert.equal(details.minutes, 60);
      assert.equal(details.kmh, details.km);
      assert.equal(details.country, 'JP');
      assert.equal(details.network, geo.locate(ip.tokyo)?.network);
      assert.deepEqual(details.previous, {
        ip: ip.berlin,
        country: 'DE',
        at: berlin.occurredAt.toISOString(),
      });
    });

    it('raises nothing for a plausible journey, a short hop, or the first sign-in', async () => {
      const user = await newUser();
      assert.deepEqual(await evaluate(signInImpossibleTravel, [signIn(user, ip.berlin)]), []);
      // Berlin → Hanover in ten minutes: ~250 km at 1,500 km/h, but within minKm (geo noise).
      clock.advance(10 * minute);
      assert.deepEqual(await evaluate(signInImpossibleTravel, [signIn(user, ip.hanover)]), []);
      // Hanover → Tokyo in two days: a flight.
      clock.advance(48 * hour);
      assert.deepEqual(await evaluate(signInImpossibleTravel, [signIn(user, ip.tokyo)]), []);
      // The same place again a minute later.
      clock.advance(minute);
      assert.deepEqual(await evaluate(signInImpossibleTravel, [signIn(user, ip.tokyo)]), []);
    });

    it("uses the organization's thresholds and compares each sign-in with the previous one", async () => {
      const user = await newUser();
      const berlin = signIn(user, ip.berlin);
      clock.advance(12 * hour);
      const tokyo = signIn(user, ip.tokyo); // ~740 km/h: under the default 1,000
      assert.deepEqual(await evaluate(signInImpossibleTravel, [berlin, tokyo]), []);
      clock.advance(12 * hour);
      // Tokyo → São Paulo (~18,500 km) in 12 h is ~1,540 km/h, over a 500 km/h threshold;
      // the 12 h before it do not soften it (only the previous sign-in counts).
      const findings = await evaluate(signInImpossibleTravel, [signIn(user, ip.saoPaulo)], {
        thresholds: { maxKmh: 500 },
      });
      assert.equal(findings.length, 1);
      assert.equal(findings[0]?.details.maxKmh, 500);
      assert.equal(findings[0]?.dedupKey, `user:${user}:travel:JP-BR`);
    });

    it('writes nothing when replaying', async () => {
      const user = await newUser();
      await evaluate(signInImpossibleTravel, [signIn(user, ip.berlin)], { replay: true });
      clock.advance(minute);
      assert.deepEqual(await evaluate(signInImpossibleTravel, [signIn(user, ip.tokyo)]), []);
    });
  });
});
