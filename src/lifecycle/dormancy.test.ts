import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dormancyCutoff, dormancyStep } from './dormancy.ts';

const day = 86_400_000;
const t0 = new Date('2026-01-01T00:00:00Z');
const at = (days: number) => new Date(t0.getTime() + days * day);
const rule = { dormantDays: 30, warnDays: 7 };

describe('dormancyStep', () => {
  it('measures from the last sign-in, or from creation for a user who never signed in', () => {
    const never = { created_at: t0, last_sign_in_at: null, dormancy_warned_at: null };
    assert.equal(dormancyStep(never, rule, at(22.9)).kind, 'none');
    assert.deepEqual(dormancyStep(never, rule, at(23)), {
      kind: 'warn',
      lastUsedAt: t0,
      suspendOn: at(30),
    });
    const signedIn = { ...never, last_sign_in_at: at(10) };
    assert.equal(dormancyStep(signedIn, rule, at(23)).kind, 'none');
    assert.equal(dormancyStep(signedIn, rule, at(33)).kind, 'warn');
  });

  it('suspends on the date once warned, never before warnDays after the warning', () => {
    const onTime = { created_at: t0, last_sign_in_at: null, dormancy_warned_at: at(23) };
    assert.equal(dormancyStep(onTime, rule, at(29.99)).kind, 'none');
    assert.equal(dormancyStep(onTime, rule, at(30)).kind, 'suspend');
    const late = { ...onTime, dormancy_warned_at: at(100) };
    assert.equal(dormancyStep(late, rule, at(106)).kind, 'none');
    assert.equal(dormancyStep(late, rule, at(107)).kind, 'suspend');
    const warnedLate = { ...onTime, dormancy_warned_at: null };
    assert.deepEqual(dormancyStep(warnedLate, rule, at(100)), {
      kind: 'warn',
      lastUsedAt: t0,
      suspendOn: at(107),
    });
  });

  it('warns afresh when the suspension the warning named did not come within a day of it', () => {
    // Warned on day 23 for day 30; an administrator suspended the account meanwhile and
    // reactivated it later: the old warning no longer counts as notice.
    const lapsed = { created_at: t0, last_sign_in_at: null, dormancy_warned_at: at(23) };
    assert.equal(dormancyStep(lapsed, rule, at(30.9)).kind, 'suspend');
    assert.deepEqual(dormancyStep(lapsed, rule, at(31)), {
      kind: 'warn',
      lastUsedAt: t0,
      suspendOn: at(38),
    });
  });

  it('without notice (warnDays 0) suspends on the date and warns nobody', () => {
    const user = { created_at: t0, last_sign_in_at: null, dormancy_warned_at: null };
    const silent = { dormantDays: 30, warnDays: 0 };
    assert.equal(dormancyStep(user, silent, at(29)).kind, 'none');
    assert.equal(dormancyStep(user, silent, at(30)).kind, 'suspend');
  });

  it('reads only users last used before dormantDays minus warnDays', () => {
    assert.deepEqual(dormancyCutoff(rule, at(100)), at(77));
  });
});
