import { z } from 'zod';
import { distanceKm } from '../geo/index.ts';
import type { EventRule, Finding } from '../rule.ts';
import { locatedSignIn, placeName } from './located-sign-in.ts';
import { lastLocated, saveLastLocated } from './sign-in-places.store.ts';

const travelThresholds = z
  .object({
    /** Faster than an airliner (~900 km/h) plus margin: nobody travels like that. */
    maxKmh: z.number().int().min(100).max(100_000),
    /**
     * Closer than this is never judged: an IP database puts one address a few hundred km off,
     * and a mobile network's addresses move between cities.
     */
    minKm: z.number().int().min(0).max(20_000),
  })
  .strict();
type TravelThresholds = z.output<typeof travelThresholds>;

/** Sign-ins a moment apart count as a minute apart: the speed stays finite and meaningful. */
const minIntervalMs = 60_000;

/**
 * Two successful sign-ins of the same user from places too far apart for the time between
 * them: one of them is probably someone else with the user's credentials. Compares each
 * located sign-in with the user's previous one (sign_in_last_located, updated on every located
 * sign-in whether or not it alerts).
 */
export const signInImpossibleTravel: EventRule<TravelThresholds> = {
  key: 'signin.impossible_travel',
  name: 'Impossible travel between sign-ins',
  description:
    'Two successful sign-ins of the same user from places more than minKm apart, with less time between them than travelling that far at maxKmh would take.',
  defaultSeverity: 'high',
  defaultThresholds: { maxKmh: 1000, minKm: 500 },
  thresholdSchema: travelThresholds,
  actions: ['auth.login.succeeded'],
  windowed: false,
  async evaluate(ctx, events) {
    if (ctx.replay) return [];
    const findings: Finding[] = [];
    for (const { event, settings } of events) {
      const signIn = locatedSignIn(ctx, event);
      const { latitude, longitude } = signIn?.place ?? {};
      // Without coordinates (a country-level record) there is no distance to judge.
      if (!signIn || latitude == null || longitude == null) continue;
      const { orgId, userId, place } = signIn;
      const previous = await lastLocated(ctx.tx, orgId, userId);
      await saveLastLocated(ctx.tx, orgId, userId, {
        at: signIn.at,
        ip: signIn.ip,
        country: place.country,
        latitude,
        longitude,
      });
      if (!previous) continue;
      const km = distanceKm(previous, { latitude, longitude });
      // A late-committed event may be older than the one recorded: the pair still counts.
      const elapsedMs = Math.abs(signIn.at.getTime() - previous.at.getTime());
      const kmh = km / (Math.max(elapsedMs, minIntervalMs) / 3_600_000);
      const { maxKmh, minKm } = settings.thresholds;
      if (km <= minKm || kmh <= maxKmh) continue;
      findings.push({
        orgId,
        dedupKey: `user:${userId}:travel:${previous.country}-${place.country}`,
        title: `Impossible travel: ${previous.country} to ${placeName(place)}, ${Math.round(km)} km in ${Math.round(elapsedMs / 60_000)} min`,
        subjectUserId: userId,
        details: {
          userId,
          ip: signIn.ip,
          country: place.country,
          city: place.city,
          network: place.network,
          previous: { ip: previous.ip, country: previous.country, at: previous.at.toISOString() },
          km: Math.round(km),
          kmh: Math.round(kmh),
          minutes: Math.round(elapsedMs / 60_000),
          maxKmh,
          minKm,
        },
        eventIds: [event.id],
        at: signIn.at,
      });
    }
    return findings;
  },
};
