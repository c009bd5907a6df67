import type { EventRule, Finding } from '../rule.ts';
import { locatedSignIn, placeName } from './located-sign-in.ts';
import { noThresholds } from './shared.ts';
import { knownPlaces, recordPlaces } from './sign-in-places.store.ts';

/**
 * A user signing in from a country or a network (autonomous system, or /24 without one) they
 * have never signed in from: a stolen password used from elsewhere. The places each user signed
 * in from are kept in sign_in_places; a user's first located sign-in only records its place
 * (everything is new then, and an alert for every new user would drown the real ones).
 */
export const signInNewPlace: EventRule<Record<string, never>> = {
  key: 'signin.new_place',
  name: 'Sign-in from a new country or network',
  description:
    'A successful sign-in from a country or a network (autonomous system) the user has never signed in from before, once the user has signed in from somewhere at least once. Private and unknown addresses are not judged.',
  defaultSeverity: 'medium',
  defaultThresholds: {},
  thresholdSchema: noThresholds,
  actions: ['auth.login.succeeded'],
  windowed: false,
  async evaluate(ctx, events) {
    // Replaying handled events must not record them twice (nor anything at all).
    if (ctx.replay) return [];
    const findings: Finding[] = [];
    // In order, one at a time: a batch may hold the same user's sign-ins, each judged against
    // the places the earlier ones recorded.
    for (const { event } of events) {
      const signIn = locatedSignIn(ctx, event);
      if (!signIn) continue;
      const { orgId, userId, place } = signIn;
      const known = await knownPlaces(ctx.tx, orgId, userId);
      await recordPlaces(
        ctx.tx,
        orgId,
        userId,
        [
          { kind: 'country', place: place.country },
          { kind: 'network', place: place.network },
        ],
        signIn.at,
      );
      if (known.length === 0) continue;
      const knownOf = (kind: 'country' | 'network') =>
        known.filter((p) => p.kind === kind).map((p) => p.place);
      const newCountry = !knownOf('country').includes(place.country);
      const newNetwork = !knownOf('network').includes(place.network);
      if (!newCountry && !newNetwork) continue;
      const lastCountry = known.find((p) => p.kind === 'country');
      const lastNetwork = known.find((p) => p.kind === 'network');
      findings.push({
        orgId,
        dedupKey: newCountry
          ? `user:${userId}:country:${place.country}`
          : `user:${userId}:network:${place.network}`,
        title: newCountry
          ? `Sign-in from a new country: ${placeName(place)}`
          : `Sign-in from a new network: ${place.network} (${placeName(place)})`,
        subjectUserId: userId,
        details: {
          userId,
          ip: signIn.ip,
          country: place.country,
          city: place.city,
          network: place.network,
          newCountry,
          newNetwork,
          previous: {
            country: lastCountry?.place ?? null,
            network: lastNetwork?.place ?? null,
            at: lastCountry?.lastSeenAt.toISOString() ?? null,
          },
          knownCountries: knownOf('country').slice(0, 20),
        },
        eventIds: [event.id],
        at: signIn.at,
      });
    }
    return findings;
  },
};
