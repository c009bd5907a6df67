/**
 * When a failed delivery is tried again: the schedule the Standard Webhooks specification
 * suggests (first attempt at once, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h),
 * eight attempts over about 27.6 hours, so that a receiver down for a day still gets it.
 */
export const retryDelaysMs = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
] as const;

/** The attempts a delivery gets before it is dead. */
export const maxAttempts = retryDelaysMs.length + 1;

/** After `attempts` failed attempts: when to try next, or null when that was the last. */
export function nextAttemptAfter(attempts: number, failedAt: Date): Date | null {
  const delay = retryDelaysMs[attempts - 1];
  return delay === undefined ? null : new Date(failedAt.getTime() + delay);
}
