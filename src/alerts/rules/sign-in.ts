import { z } from 'zod';
import type { EventRule } from '../rule.ts';
import {
  countAtLeast,
  findingOf,
  noThresholds,
  overThreshold,
  targetUser,
  windowMinutes,
} from './shared.ts';

const failureThresholds = z.object({ failures: countAtLeast(2), windowMinutes }).strict();
type FailureThresholds = z.output<typeof failureThresholds>;

/** Guessing at one account: many refused sign-ins for the same user in a short time. */
export const signInFailuresByAccount: EventRule<FailureThresholds> = {
  key: 'signin.failures.account',
  name: 'Failed sign-ins for one account',
  description:
    'Many refused sign-ins for the same user within a few minutes: someone guessing or stuffing credentials against that account.',
  defaultSeverity: 'medium',
  defaultThresholds: { failures: 10, windowMinutes: 10 },
  thresholdSchema: failureThresholds,
  actions: ['auth.login.failed'],
  windowed: true,
  async evaluate(ctx, events) {
    return events.flatMap(({ event, settings }) => {
      const userId = targetUser(event);
      if (!userId) return [];
      const { failures, windowMinutes } = settings.thresholds;
      const key = `signin.failures.account ${event.orgId} ${userId}`;
      const ids = overThreshold(ctx.windows, key, event, failures, windowMinutes);
      if (!ids) return [];
      return [
        {
          ...findingOf(event, {
            dedupKey: `user:${userId}`,
            title: `${failures} or more failed sign-ins for one account within ${windowMinutes} minutes`,
            subjectUserId: userId,
            details: {
              userId,
              threshold: failures,
              windowMinutes,
              lastReason: event.details.reason ?? null,
              lastIp: event.actor.ip,
            },
          }),
          eventIds: ids,
        },
      ];
    });
  },
};

/** Spraying from one address: many refused sign-ins, for any accounts, from the same IP. */
export const signInFailuresByAddress: EventRule<FailureThresholds> = {
  key: 'signin.failures.address',
  name: 'Failed sign-ins from one address',
  description:
    'Many refused sign-ins from the same IP address within a few minutes, whatever the accounts: password spraying or credential stuffing. Failures for unknown accounts are in the platform organization, so its alerts are raised there.',
  defaultSeverity: 'high',
  defaultThresholds: { failures: 30, windowMinutes: 10 },
  thresholdSchema: failureThresholds,
  actions: ['auth.login.failed'],
  windowed: true,
  async evaluate(ctx, events) {
    return events.flatMap(({ event, settings }) => {
      const ip = event.actor.ip;
      if (!ip) return [];
      const { failures, windowMinutes } = settings.thresholds;
      const key = `signin.failures.address ${event.orgId} ${ip}`;
      const ids = overThreshold(ctx.windows, key, event, failures, windowMinutes);
      if (!ids) return [];
      return [
        {
          ...findingOf(event, {
            dedupKey: `ip:${ip}`,
            title: `${failures} or more failed sign-ins from ${ip} within ${windowMinutes} minutes`,
            details: { ip, threshold: failures, windowMinutes, lastUserId: targetUser(event) },
          }),
          eventIds: ids,
        },
      ];
    });
  },
};

/** An account locked by the lockout policy: the guessing went past its threshold. */
export const signInLockout: EventRule<Record<string, never>> = {
  key: 'signin.lockout',
  name: 'Account locked',
  description:
    'Too many failed attempts locked an account (password or second factor): someone may be guessing, or the user is locked out and needs help.',
  defaultSeverity: 'medium',
  defaultThresholds: {},
  thresholdSchema: noThresholds,
  actions: ['auth.account.locked'],
  windowed: false,
  async evaluate(_ctx, events) {
    return events.flatMap(({ event }) => {
      const userId = targetUser(event);
      if (!userId) return [];
      return [
        findingOf(event, {
          dedupKey: `user:${userId}`,
          title: event.details.permanent
            ? 'An account was locked until an administrator unlocks it'
            : 'An account was locked after failed sign-ins',
          subjectUserId: userId,
          details: {
            userId,
            factor: event.details.factor ?? null,
            failures: event.details.failures ?? null,
            permanent: event.details.permanent ?? false,
            lockedUntil: event.details.lockedUntil ?? null,
            ip: event.actor.ip,
          },
        }),
      ];
    });
  },
};
