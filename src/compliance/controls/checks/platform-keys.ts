import type { CheckContext, CheckOutcome, ControlException } from '../control.ts';
import { verdict } from '../control.ts';
import * as store from './operations.store.ts';

const dayMs = 86_400_000;
/** The data key's cryptoperiod: `vigil keys rotate` is due once a year (docs/keys.md). */
export const dataKeyRotationDays = 365;

const daysOld = (since: Date, now: Date) => Math.floor((now.getTime() - since.getTime()) / dayMs);

/**
 * The active data key is younger than a year, and each algorithm's signing token key younger
 * than VIGIL_OIDC_SIGNING_KEY_ROTATION_DAYS (the schedule activates its successor then).
 */
export async function checkKeyRotation({ tx, now, sources }: CheckContext): Promise<CheckOutcome> {
  const exceptions: ControlException[] = [];
  const dataKeys = (await store.dataKeys(tx)).filter((k) => k.status === 'active');
  for (const key of dataKeys) {
    const age = daysOld(key.activated_at, now);
    if (age > dataKeyRotationDays)
      exceptions.push({
        message: `data key ${key.id} is ${age} days old (rotation every ${dataKeyRotationDays})`,
        subject: { type: 'data_key', id: String(key.id) },
      });
  }
  const signingDays = sources.config.VIGIL_OIDC_SIGNING_KEY_ROTATION_DAYS;
  const seen = new Set<string>();
  // Newest activation first per algorithm: the first of each is the one signing now.
  for (const key of await store.activeSigningKeys(tx, now)) {
    if (seen.has(key.alg)) continue;
    seen.add(key.alg);
    const age = daysOld(key.activate_at, now);
    if (age > signingDays)
      exceptions.push({
        message: `token signing key ${key.kid} (${key.alg}) is ${age} days old (rotation every ${signingDays})`,
        subject: { type: 'signing_key', id: key.kid },
      });
  }
  return verdict(exceptions, {
    pass: `the data key is younger than ${dataKeyRotationDays} days and the ${seen.size} token signing key${seen.size === 1 ? '' : 's'} younger than ${signingDays} days`,
    fail: (n) => `${n} key${n === 1 ? '' : 's'} overdue for rotation`,
  });
}
