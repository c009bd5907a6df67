import type { FeedEvent } from '../../audit/index.ts';
import type { IpPlace, RuleContext } from '../rule.ts';

/** A successful sign-in from a public address the geolocation database knows. */
export interface LocatedSignIn {
  orgId: string;
  userId: string;
  ip: string;
  place: IpPlace;
  at: Date;
}

/**
 * The sign-in's user and place, or null when there is no place to judge: no user, no address,
 * or a private, loopback or unknown one (a sign-in through a proxy that hides the client's
 * address cannot be located, docs/alerts.md#ip-geolocation).
 */
export function locatedSignIn(ctx: RuleContext, event: FeedEvent): LocatedSignIn | null {
  const userId = event.target.type === 'user' ? event.target.id : null;
  const ip = event.actor.ip;
  if (!userId || !ip) return null;
  const place = ctx.geo.locate(ip);
  if (!place) return null;
  return { orgId: event.orgId, userId, ip, place, at: event.occurredAt };
}

/** `Tokyo, JP`, or `JP` without a city. */
export const placeName = (place: Pick<IpPlace, 'country' | 'city'>) =>
  place.city ? `${place.city}, ${place.country}` : place.country;
