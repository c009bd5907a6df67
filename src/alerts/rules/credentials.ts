import type { EventRule } from '../rule.ts';
import { actorKey, findingOf, noThresholds, targetUser } from './shared.ts';

const credentialKinds: Record<string, string> = {
  'apikey.created': 'API key created',
  'oauth.client.created': 'OAuth client registered',
  'oauth.client.secret_rotated': 'OAuth client secret replaced',
  'scim.token.created': 'SCIM token created',
};

/**
 * A new long-lived credential: whoever holds it acts without a person signing in, so an
 * attacker who got in makes one to stay. Grouped by who made them.
 */
export const credentialCreated: EventRule<Record<string, never>> = {
  key: 'credential.created',
  name: 'Credential created',
  description:
    'An API key, OAuth client, client secret or SCIM token was created: a credential that acts without anyone signing in, the usual way to keep access after a compromise.',
  defaultSeverity: 'medium',
  defaultThresholds: {},
  thresholdSchema: noThresholds,
  actions: [
    'apikey.created',
    'oauth.client.created',
    'oauth.client.secret_rotated',
    'scim.token.created',
  ],
  windowed: false,
  async evaluate(_ctx, events) {
    return events.map(({ event }) => {
      const actor = actorKey(event);
      return findingOf(event, {
        dedupKey: `actor:${actor}`,
        title: `${credentialKinds[event.action] ?? 'Credential created'} by ${actor}`,
        subjectUserId: event.actor.type === 'user' ? event.actor.id : null,
        details: {
          actor,
          action: event.action,
          targetType: event.target.type,
          targetId: event.target.id,
          name: event.details.name ?? null,
        },
      });
    });
  },
};

/** Every second factor of a user removed by an administrator: the account-takeover step. */
export const mfaReset: EventRule<Record<string, never>> = {
  key: 'mfa.reset',
  name: "A user's second factors reset",
  description:
    "An administrator removed all of a user's second factors: legitimate for a lost device, and exactly what a social-engineering account takeover asks for.",
  defaultSeverity: 'high',
  defaultThresholds: {},
  thresholdSchema: noThresholds,
  actions: ['mfa.factors.reset'],
  windowed: false,
  async evaluate(_ctx, events) {
    return events.flatMap(({ event }) => {
      const userId = targetUser(event);
      if (!userId) return [];
      const removed = Array.isArray(event.details.removed) ? event.details.removed.length : null;
      return [
        findingOf(event, {
          dedupKey: `user:${userId}`,
          title: "A user's second factors were reset",
          subjectUserId: userId,
          details: { userId, by: actorKey(event), reason: event.details.reason ?? null, removed },
        }),
      ];
    });
  },
};
