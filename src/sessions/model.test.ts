import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  defaultSessionPolicy,
  expiryReason,
  nextIdleDeadline,
  type Session,
  sessionPolicySchema,
} from './model.ts';

const at = (iso: string) => new Date(`2026-12-04T${iso}Z`);

function session(idle: string, absolute: string): Session {
  return {
    id: 's',
    orgId: 'o',
    userId: 'u',
    amr: ['pwd'],
    acr: 'urn:vigil:acr:pwd',
    ip: null,
    userAgent: null,
    createdAt: at('08:00:00'),
    lastSeenAt: at('08:00:00'),
    idleExpiresAt: at(idle),
    absoluteExpiresAt: at(absolute),
    endedAt: null,
    endReason: null,
  };
}

describe('session policy', () => {
  it('accepts the default and fills revokeOAuthOnPasswordChange in', () => {
    assert.deepEqual(sessionPolicySchema.parse(defaultSessionPolicy), defaultSessionPolicy);
    assert.equal(
      sessionPolicySchema.parse({ absoluteHours: 1, idleMinutes: 60 }).revokeOAuthOnPasswordChange,
      true,
    );
  });

  it('refuses an idle timeout longer than the absolute one, naming idleMinutes', () => {
    const result = sessionPolicySchema.safeParse({ absoluteHours: 1, idleMinutes: 61 });
    assert.equal(result.success, false);
    assert.deepEqual(result.error?.issues[0]?.path, ['idleMinutes']);
    assert.match(result.error?.issues[0]?.message ?? '', /cannot exceed absoluteHours/);
  });

  it('refuses bounds, fractions and unknown keys', () => {
    for (const bad of [
      { absoluteHours: 0, idleMinutes: 1 },
      { absoluteHours: 721, idleMinutes: 30 },
      { absoluteHours: 12, idleMinutes: 0 },
      { absoluteHours: 48, idleMinutes: 1441 },
      { absoluteHours: 1.5, idleMinutes: 30 },
      { absoluteHours: 12, idleMinutes: 30, rememberMe: true },
    ]) {
      assert.equal(sessionPolicySchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
    assert.equal(
      sessionPolicySchema.safeParse({ absoluteHours: 720, idleMinutes: 1440 }).success,
      true,
    );
  });
});

describe('expiryReason', () => {
  const s = session('08:30:00', '20:00:00');

  it('is null before both deadlines', () => {
    assert.equal(expiryReason(s, at('08:29:59.999')), null);
  });

  it('is idle from the idle deadline on, the deadline itself included', () => {
    assert.equal(expiryReason(s, at('08:30:00')), 'idle');
    assert.equal(expiryReason(s, at('19:00:00')), 'idle');
  });

  it('is expired from the absolute deadline on, even when idle too', () => {
    assert.equal(expiryReason(s, at('20:00:00')), 'expired');
    assert.equal(expiryReason(session('21:00:00', '20:00:00'), at('20:00:00')), 'expired');
  });
});

describe('nextIdleDeadline', () => {
  const policy = { ...defaultSessionPolicy, idleMinutes: 30 };

  it('is the idle timeout after the activity', () => {
    assert.deepEqual(nextIdleDeadline(policy, at('20:00:00'), at('10:00:00')), at('10:30:00'));
  });

  it('never passes the absolute deadline', () => {
    assert.deepEqual(nextIdleDeadline(policy, at('20:00:00'), at('19:45:00')), at('20:00:00'));
    assert.deepEqual(nextIdleDeadline(policy, at('20:00:00'), at('19:30:00')), at('20:00:00'));
  });
});
