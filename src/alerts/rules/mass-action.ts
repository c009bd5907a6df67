import { z } from 'zod';
import type { FeedEvent } from '../../audit/index.ts';
import type { EventRule, Finding } from '../rule.ts';
import { actorKey, countAtLeast, findingOf, targetUser, windowMinutes } from './shared.ts';

const thresholds = z.object({ users: countAtLeast(2), windowMinutes }).strict();

/**
 * The user an administrative event acted on, or null when it is not one (a user's own sign-out
 * or password change, the system's schedules, the user acting on themselves).
 */
function actedOn(event: FeedEvent): string | null {
  if (event.actor.type === 'system' || event.actor.type === 'anonymous') return null;
  let userId: string | null;
  if (event.action === 'session.ended')
    userId = event.details.reason === 'admin' ? String(event.details.userId ?? '') || null : null;
  else if (event.action === 'user.password.changed')
    userId = event.details.byOwner === false ? targetUser(event) : null;
  else userId = targetUser(event);
  return userId && userId !== event.actor.id ? userId : null;
}

/**
 * One actor acting on many distinct users in a short time: a compromised admin account or key
 * locking people out, or a script gone wrong. Each window entry is `<user> <event>`, so that
 * the window (rebuilt by replay like any other) also tells the distinct users apart.
 */
export const adminMassAction: EventRule<z.output<typeof thresholds>> = {
  key: 'admin.mass_action',
  name: 'One actor acting on many users',
  description:
    'One administrator, API key or SCIM token suspended, deprovisioned, changed the roles, second factors, sessions or passwords of many distinct users within a few minutes. The system schedules (dormant accounts, end dates, reviews) are not counted.',
  defaultSeverity: 'high',
  defaultThresholds: { users: 20, windowMinutes: 10 },
  thresholdSchema: thresholds,
  actions: [
    'user.suspended',
    'user.deprovisioned',
    'role.assigned',
    'role.unassigned',
    'mfa.factors.reset',
    'session.ended',
    'user.password.changed',
  ],
  windowed: true,
  async evaluate(ctx, events) {
    const findings: Finding[] = [];
    for (const { event, settings } of events) {
      const userId = actedOn(event);
      if (!userId) continue;
      const { users: threshold, windowMinutes } = settings.thresholds;
      const actor = actorKey(event);
      const entry = `${userId} ${event.id}`;
      const key = `admin.mass_action ${event.orgId} ${actor}`;
      const { ids: entries } = ctx.windows.add(
        key,
        event.occurredAt,
        windowMinutes * 60_000,
        entry,
      );
      const userOf = (entry: string) => entry.slice(0, entry.indexOf(' '));
      const users = new Set(entries.map(userOf));
      if (users.size < threshold) continue;
      const before = new Set(entries.filter((e) => e !== entry).map(userOf));
      // The event that brought the count to the threshold reports the whole window; later ones
      // grow the alert one by one.
      const crossing = users.size === threshold && !before.has(userId);
      const ids = crossing ? entries.map((e) => e.slice(e.indexOf(' ') + 1)) : [event.id];
      findings.push({
        ...findingOf(event, {
          dedupKey: `actor:${actor}`,
          title: `${actor} acted on ${threshold} or more users within ${windowMinutes} minutes`,
          subjectUserId: event.actor.type === 'user' ? event.actor.id : null,
          details: {
            actor,
            threshold,
            windowMinutes,
            usersInWindow: users.size,
            lastAction: event.action,
          },
        }),
        eventIds: ids,
      });
    }
    return findings;
  },
};
