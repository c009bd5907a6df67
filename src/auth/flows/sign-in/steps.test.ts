import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SignInCandidate } from '../../../identity/index.ts';
import { firstRefusal } from './checks.ts';
import { mountSteps } from './index.ts';
import { withSecondFactor } from './progress.ts';
import { defineStep, type StepKit } from './step.ts';
import { enrollConfirmChecks } from './steps/enrollment.ts';
import { federatedChecks } from './steps/federated.ts';
import { type PasswordAttempt, passwordChecks } from './steps/password.ts';
import type { Account } from './steps/password-accounts.ts';
import { passwordChangeChecks } from './steps/password-change.ts';
import { isRecoveryCode, secondFactorChecks } from './steps/second-factor.ts';

const user = (status: SignInCandidate['status'], orgActive = true): SignInCandidate => ({
  id: 'u1',
  orgId: 'o1',
  email: 'a@example.test',
  displayName: 'a',
  status,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  deactivatedAt: null,
  org: { id: 'o1', slug: 'acme', name: 'Acme', active: orgActive },
});
const credential = { hash: 'h', changedAt: new Date(0), mustChange: false };
const locked = { open: false, reason: 'locked', until: null } as const;

/** A password attempt; `accepts` counts how often the password was accepted (rehash and all). */
function attempt(over: Partial<PasswordAttempt> & { status?: SignInCandidate['status'] } = {}) {
  const calls = { accepts: 0 };
  const account: Account = {
    user: user(over.status ?? 'active'),
    credential,
    hasFactor: false,
    roleKeys: [],
  };
  const context: PasswordAttempt = {
    account,
    matches: true,
    attempt: { open: true },
    accept: async () => {
      calls.accepts++;
      return { mustChange: true };
    },
    sso: { required: false, breakGlass: false },
    ...over,
  };
  return { context, calls };
}

describe('sign-in step checks', () => {
  it('password: the lock answers first, and a locked account’s right password is not accepted', async () => {
    assert.deepEqual(
      passwordChecks.map((c) => c.name),
      ['not locked', 'passwords allowed', 'password matches', 'account usable'],
    );
    const { context, calls } = attempt({ attempt: locked, status: 'suspended' });
    assert.deepEqual(await firstRefusal(passwordChecks, context), {
      check: 'not locked',
      reason: 'locked',
    });
    assert.equal(calls.accepts, 0, 'no rehash behind a lock');
  });

  it('password: a wrong password or a missing credential is bad_password, before the account’s status', async () => {
    const wrong = attempt({ matches: false, status: 'suspended' });
    assert.equal((await firstRefusal(passwordChecks, wrong.context))?.reason, 'bad_password');
    assert.equal(wrong.calls.accepts, 0);
    const none = attempt();
    none.context.account.credential = null;
    assert.equal((await firstRefusal(passwordChecks, none.context))?.reason, 'bad_password');
  });

  it('password: the right password of an unusable account is refused by the account’s state', async () => {
    const suspended = attempt({ status: 'suspended' });
    assert.equal(
      (await firstRefusal(passwordChecks, suspended.context))?.reason,
      'account_suspended',
    );
    const orgDown = attempt();
    orgDown.context.account.user = user('active', false);
    assert.equal(
      (await firstRefusal(passwordChecks, orgDown.context))?.reason,
      'organization_suspended',
    );
  });

  it('password: with SSO required no password counts, right or wrong, behind the lock; break-glass keeps it', async () => {
    const sso = { required: true, breakGlass: false };
    const right = attempt({ sso });
    assert.deepEqual(await firstRefusal(passwordChecks, right.context), {
      check: 'passwords allowed',
      reason: 'sso_required',
    });
    assert.equal(right.calls.accepts, 0, 'the password is not accepted (no rehash)');
    const wrong = attempt({ sso, matches: false });
    assert.equal((await firstRefusal(passwordChecks, wrong.context))?.reason, 'sso_required');
    const lockedToo = attempt({ sso, attempt: locked });
    assert.equal((await firstRefusal(passwordChecks, lockedToo.context))?.reason, 'locked');
    const glass = attempt({ sso: { required: true, breakGlass: true } });
    assert.equal(await firstRefusal(passwordChecks, glass.context), null);
    const glassWrong = attempt({ sso: { required: true, breakGlass: true }, matches: false });
    assert.equal((await firstRefusal(passwordChecks, glassWrong.context))?.reason, 'bad_password');
  });

  it('federated: a suspended organization or account is refused, an active one passes', async () => {
    assert.equal(
      (await firstRefusal(federatedChecks, { user: user('active', false) }))?.reason,
      'organization_suspended',
    );
    assert.equal(
      (await firstRefusal(federatedChecks, { user: user('deprovisioned') }))?.reason,
      'account_deprovisioned',
    );
    assert.equal(await firstRefusal(federatedChecks, { user: user('active') }), null);
  });

  it('a second factor keeps the first factor’s amr (pwd or ext) and adds its own', () => {
    assert.deepEqual(withSecondFactor(['pwd'], ['otp']), ['pwd', 'otp', 'mfa']);
    assert.deepEqual(withSecondFactor(['pwd'], ['hwk']), ['pwd', 'hwk', 'mfa']);
    assert.deepEqual(withSecondFactor(['ext'], ['otp']), ['ext', 'otp', 'mfa']);
    assert.deepEqual(withSecondFactor(['ext', 'mfa'], ['otp']), ['ext', 'otp', 'mfa']);
  });

  it('password: every check passing leaves what the password step goes on with', async () => {
    const { context, calls } = attempt();
    assert.equal(await firstRefusal(passwordChecks, context), null);
    assert.equal(calls.accepts, 1);
    assert.deepEqual(context.accepted, { mustChange: true });
  });

  it('second factor: the lock answers before the factor is verified', async () => {
    let verified = 0;
    const verify = async () => {
      verified++;
      return false;
    };
    assert.equal(
      (await firstRefusal(secondFactorChecks, { attempt: locked, verify }))?.reason,
      'locked',
    );
    assert.equal(verified, 0);
    assert.equal(
      (await firstRefusal(secondFactorChecks, { attempt: { open: true }, verify }))?.reason,
      'wrong_factor',
    );
    assert.equal(
      await firstRefusal(secondFactorChecks, {
        attempt: { open: true },
        verify: async () => true,
      }),
      null,
    );
  });

  it('enrollment and password change: their own conditions', async () => {
    const flow = {
      id: 'f',
      token: 't',
      orgId: 'o1',
      userId: 'u1',
      stage: 'enroll' as const,
      amr: ['pwd'],
      mustChangePassword: false,
      pendingFactorId: null,
      expiresAt: new Date(0),
    };
    assert.equal((await firstRefusal(enrollConfirmChecks, flow))?.reason, 'no_pending_factor');
    assert.equal(await firstRefusal(enrollConfirmChecks, { ...flow, pendingFactorId: 'x' }), null);
    assert.equal(
      (await firstRefusal(passwordChangeChecks, { password: 'a', confirmation: 'b' }))?.reason,
      'differ',
    );
    assert.equal(
      await firstRefusal(passwordChangeChecks, { password: 'a', confirmation: 'a' }),
      null,
    );
  });

  it('tells a recovery code from a TOTP code', () => {
    assert.equal(isRecoveryCode('123456'), false);
    assert.equal(isRecoveryCode(' 123 456 '), false);
    assert.equal(isRecoveryCode('abcde-fghij'), true);
    assert.equal(isRecoveryCode('1234567890'), true);
  });
});

describe('sign-in step registry', () => {
  const kit = {} as StepKit;

  it('mounts every step’s methods on one object: a new step is one more entry', () => {
    const saml = defineStep({ name: 'saml', create: () => ({ samlStep: () => 'saml' }) });
    const oidc = defineStep({ name: 'oidc', create: () => ({ upstreamStep: () => 'oidc' }) });
    const flow = mountSteps([saml, oidc], kit);
    assert.equal(flow.samlStep(), 'saml');
    assert.equal(flow.upstreamStep(), 'oidc');
  });

  it('refuses two steps offering the same method', () => {
    const one = defineStep({ name: 'one', create: () => ({ passwordStep: () => 1 }) });
    const two = defineStep({ name: 'two', create: () => ({ passwordStep: () => 2 }) });
    assert.throws(() => mountSteps([one, two], kit), /one and two both offer passwordStep/);
  });
});
