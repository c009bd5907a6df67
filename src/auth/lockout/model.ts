import { z } from 'zod';

/**
 * Brute-force protection per account, with separate counters for the password and the second
 * factor (a stolen password must not let anyone lock the owner out through the second factor,
 * and vice versa). Pure decisions; store.ts keeps the counters.
 */
export const lockoutPolicySchema = z
  .object({
    /** Failures in a row that lock the account temporarily. */
    threshold: z.number().int().min(3).max(100),
    lockMinutes: z.number().int().min(1).max(1440),
    /** From this failure on, each further attempt must wait a growing delay. */
    delayFromFailure: z.number().int().min(1).max(100),
    /** Longest delay between attempts, in seconds. */
    maxDelaySeconds: z.number().int().min(1).max(300),
    /** After this many temporary locks without a successful sign-in, lock until an admin lifts it. */
    permanentAfterLocks: z.number().int().min(1).max(100).nullable(),
  })
  .strict();

export type LockoutPolicy = z.output<typeof lockoutPolicySchema>;

export const defaultLockoutPolicy: LockoutPolicy = {
  threshold: 10,
  lockMinutes: 30,
  delayFromFailure: 3,
  maxDelaySeconds: 30,
  permanentAfterLocks: null,
};

export type Factor = 'password' | 'second_factor';

export interface Counter {
  failures: number;
  lastFailureAt: Date | null;
  lockedUntil: Date | null;
  lockCount: number;
  lockedPermanently: boolean;
}

export const freshCounter: Counter = {
  failures: 0,
  lastFailureAt: null,
  lockedUntil: null,
  lockCount: 0,
  lockedPermanently: false,
};

/** Seconds to wait after the n-th failure in a row: 1, 2, 4, … from `delayFromFailure`, capped. */
export function delaySeconds(policy: LockoutPolicy, failures: number): number {
  if (failures < policy.delayFromFailure) return 0;
  return Math.min(2 ** (failures - policy.delayFromFailure), policy.maxDelaySeconds);
}

export type Gate =
  | { open: true }
  | { open: false; reason: 'locked' | 'locked_permanently' | 'throttled'; until: Date | null };

/** May an attempt be checked now? Refused attempts answer exactly like wrong ones. */
export function gate(policy: LockoutPolicy, c: Counter, now: Date): Gate {
  if (c.lockedPermanently) return { open: false, reason: 'locked_permanently', until: null };
  if (c.lockedUntil && c.lockedUntil > now) {
    return { open: false, reason: 'locked', until: c.lockedUntil };
  }
  const active = activeFailures(c, now);
  const wait = delaySeconds(policy, active);
  if (wait > 0 && c.lastFailureAt) {
    const until = new Date(c.lastFailureAt.getTime() + wait * 1000);
    if (until > now) return { open: false, reason: 'throttled', until };
  }
  return { open: true };
}

/** Failures still counting: a lock that has run out starts the count again. */
function activeFailures(c: Counter, now: Date): number {
  return c.lockedUntil && c.lockedUntil <= now ? 0 : c.failures;
}

/** The counter after one more failure, and whether this failure locked the account. */
export function afterFailure(
  policy: LockoutPolicy,
  c: Counter,
  now: Date,
): { counter: Counter; locked: 'temporary' | 'permanent' | null } {
  const failures = activeFailures(c, now) + 1;
  if (failures < policy.threshold) {
    return {
      counter: {
        ...c,
        failures,
        lastFailureAt: now,
        lockedUntil: c.lockedUntil && c.lockedUntil > now ? c.lockedUntil : null,
      },
      locked: null,
    };
  }
  const lockCount = c.lockCount + 1;
  const permanent = policy.permanentAfterLocks !== null && lockCount >= policy.permanentAfterLocks;
  return {
    counter: {
      failures,
      lastFailureAt: now,
      lockedUntil: new Date(now.getTime() + policy.lockMinutes * 60_000),
      lockCount,
      lockedPermanently: permanent,
    },
    locked: permanent ? 'permanent' : 'temporary',
  };
}
