import type { CheckContext, CheckOutcome, ControlException } from '../control.ts';
import { verdict } from '../control.ts';
import * as store from './operations.store.ts';

const dayMs = 86_400_000;
/** The data key's cryptoperiod: `vigil keys rotate` is due once a year (docs/keys.md). */
export const dataKeyRotationDays = 365;
/** Re-encryption after a data-key rotation runs in batches at once (and resumes at start): a day is ample. */
export const reencryptionMaxDays = 1;

/** Findings name dates, not ages, so that an unchanged one reads the same on every run. */
const day = (at: Date) => at.toISOString().slice(0, 10);
const daysOld = (since: Date, now: Date) => Math.floor((now.getTime() - since.getTime()) / dayMs);

/**
 * The active data key is younger than a year, every data-key rotation finished re-encrypting
 * within a day, and each algorithm's token signing key is younger than
 * VIGIL_OIDC_SIGNING_KEY_ROTATION_DAYS (the schedule activates its successor then).
 */
export async function checkKeyRotation({ tx, now, sources }: CheckContext): Promise<CheckOutcome> {
  const exceptions: ControlException[] = [];
  const dataKeys = (await store.dataKeys(tx)).filter((k) => k.status === 'active');
  for (const key of dataKeys) {
    if (daysOld(key.activated_at, now) > dataKeyRotationDays)
      exceptions.push({
        message: `data key ${key.id}, active since ${day(key.activated_at)}, is older than its ${dataKeyRotationDays}-day rotation period`,
        subject: { type: 'data_key', id: String(key.id) },
      });
  }
  // Until it finishes, secrets stay under the key the rotation meant to retire.
  const stuckBefore = new Date(now.getTime() - reencryptionMaxDays * dayMs);
  for (const rotation of await store.unfinishedRotations(tx, stuckBefore))
    exceptions.push({
      message: `the rotation to data key ${rotation.to_key_id}, started ${day(rotation.started_at)}, has not finished re-encrypting`,
      subject: { type: 'key_rotation', id: rotation.id },
    });
  const signingDays = sources.config.VIGIL_OIDC_SIGNING_KEY_ROTATION_DAYS;
  const seen = new Set<string>();
  // Newest activation first per algorithm: the first of each is the one signing now.
  for (const key of await store.activeSigningKeys(tx, now)) {
    if (seen.has(key.alg)) continue;
    seen.add(key.alg);
    if (daysOld(key.activate_at, now) > signingDays)
      exceptions.push({
        message: `token signing key ${key.kid} (${key.alg}), active since ${day(key.activate_at)}, is older than its ${signingDays}-day rotation period`,
        subject: { type: 'signing_key', id: key.kid },
      });
  }
  return verdict(exceptions, {
    pass: `the data key is younger than ${dataKeyRotationDays} days and the ${seen.size} token signing key${seen.size === 1 ? '' : 's'} younger than ${signingDays} days`,
    fail: (n) => `${n} key${n === 1 ? '' : 's'} overdue for rotation`,
  });
}
