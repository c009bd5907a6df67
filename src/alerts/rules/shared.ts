import { z } from 'zod';
import type { FeedEvent } from '../../audit/index.ts';
import type { Finding, SlidingWindows } from '../rule.ts';

/** Rules without thresholds. */
export const noThresholds = z.object({}).strict() as z.ZodType<Record<string, never>>;

/** A window of minutes: one minute to one day (the engine replays at most a day after a takeover). */
export const windowMinutes = z.number().int().min(1).max(1440);

/** The longest window any rule may keep: what the engine replays after a takeover. */
export const maxWindowMs = 1440 * 60_000;

/** A count threshold: how many within the window make an alert. */
export const countAtLeast = (min: number) => z.number().int().min(min).max(100_000);

/**
 * Adds the event to its window and answers the event ids to report, or null below the
 * threshold: the whole window when it reaches the threshold (the alert starts with every event
 * that made it), then each later event alone while the window stays over it (they grow the same
 * alert; none is reported twice).
 */
export function overThreshold(
  windows: SlidingWindows,
  key: string,
  event: FeedEvent,
  threshold: number,
  minutes: number,
  entry = event.id,
): string[] | null {
  // Only whether the threshold is reached matters: the window keeps that many per key.
  const { ids, full } = windows.add(key, event.occurredAt, minutes * 60_000, entry, threshold);
  if (ids.length < threshold) return null;
  return full ? [entry] : ids;
}

/** A finding about one event (the rules that alert on each occurrence). */
export function findingOf(
  event: FeedEvent,
  fields: Pick<Finding, 'dedupKey' | 'title' | 'details'> & { subjectUserId?: string | null },
): Finding {
  return {
    orgId: event.orgId,
    dedupKey: fields.dedupKey,
    title: fields.title,
    details: fields.details,
    subjectUserId: fields.subjectUserId ?? undefined,
    eventIds: [event.id],
    at: event.occurredAt,
  };
}

/** `user:<id>`, `api_key:<id>`, `operator:cli`: who acted, as the alert names them. */
export const actorKey = (event: FeedEvent) => `${event.actor.type}:${event.actor.id ?? '-'}`;

/** The target user of an event, when its target is a user. */
export const targetUser = (event: FeedEvent) =>
  event.target.type === 'user' && event.target.id ? event.target.id : null;
