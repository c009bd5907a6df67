import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  afterFailure,
  type Counter,
  delaySeconds,
  freshCounter,
  gate,
  defaultLockoutPolicy as policy,
} from './model.ts';

const t0 = new Date('2026-05-01T12:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

function fail(c: Counter, times: number, start: number, step: number) {
  let counter = c;
  let locked: string | null = null;
  for (let i = 0; i < times; i++)
    ({ counter, locked } = afterFailure(policy, counter, at(start + i * step)));
  return { counter, locked };
}

describe('lockout decisions', () => {
  it('grows the delay from the third failure: 1, 2, 4 … seconds, capped', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 20].map((n) => delaySeconds(policy, n)),
      [0, 0, 1, 2, 4, 8, 30],
    );
  });

  it('throttles attempts inside the delay and lets them through after it', () => {
    const { counter } = fail(freshCounter, 4, 0, 60);
    const last = 3 * 60;
    assert.deepEqual(gate(policy, counter, at(last + 1)), {
      open: false,
      reason: 'throttled',
      until: at(last + 2),
    });
    assert.deepEqual(gate(policy, counter, at(last + 2)), { open: true });
  });

  it('locks at the threshold for the lock period, then starts counting again', () => {
    const { counter, locked } = fail(freshCounter, 10, 0, 60);
    assert.equal(locked, 'temporary');
    assert.equal(counter.lockCount, 1);
    const until = at(9 * 60 + 30 * 60);
    assert.deepEqual(gate(policy, counter, at(9 * 60 + 10)), {
      open: false,
      reason: 'locked',
      until,
    });
    assert.deepEqual(gate(policy, counter, until), { open: true });
    const again = afterFailure(policy, counter, until);
    assert.equal(again.counter.failures, 1);
    assert.equal(again.locked, null);
  });

  it('locks permanently after N temporary locks when configured', () => {
    const strict = { ...policy, threshold: 3, permanentAfterLocks: 2 };
    let c = freshCounter;
    let locked: string | null = null;
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 3; i++)
        ({ counter: c, locked } = afterFailure(strict, c, at(round * 3600 + i * 60)));
    }
    assert.equal(locked, 'permanent');
    assert.deepEqual(gate(strict, c, at(10 * 86_400)), {
      open: false,
      reason: 'locked_permanently',
      until: null,
    });
  });
});
