import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as OTPAuth from 'otpauth';
import { complianceSources } from '../src/app/compliance-sources.ts';
import { createServices } from '../src/app/services.ts';
import { totpCode } from '../src/auth/mfa/index.ts';
import { controlById } from '../src/compliance/index.ts';
import type { User } from '../src/identity/index.ts';
import {
  fixedClock,
  operatorActor,
  type Tx,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { openTestCore, type TestCore } from './support/core.ts';

const day = 86_400_000;
const password = 'Compliance-Checks-2026!';

/**
 * The live checks of the authentication controls (docs/compliance.md#authentication-controls):
 * each one against an organization seeded to break it, with every exception it must name, and
 * against an organization left as Vigil sets it up.
 */
describe('compliance checks: authentication controls', () => {
  const clock = fixedClock(new Date('2026-03-02T10:00:00Z'));
  let core: TestCore;
  let services: ReturnType<typeof createServices>;
  let clean: string;

  /** Runs one control's check in the organization, as the compliance job does. */
  function check(controlId: string, orgId: string, now = clock.now()) {
    const control = controlById.get(controlId);
    assert.ok(control, `${controlId} is in the catalog`);
    const sources = complianceSources(core, services);
    return withOrg(core.database, orgId, (tx) => control.check({ tx, orgId, now, sources }));
  }

  const inOrg = <T>(orgId: string, fn: (tx: Tx) => Promise<T>) => withOrg(core.database, orgId, fn);

  async function createUser(orgId: string, email: string, roleKey?: string): Promise<User> {
    return inOrg(orgId, async (tx) => {
      const user = await services.identity.createUser(
        tx,
        orgId,
        { email, displayName: email.split('@')[0] ?? email },
        operatorActor,
      );
      await services.passwords.set(tx, user, password, {
        actor: operatorActor,
        temporary: false,
        byOwner: false,
      });
      if (roleKey) await assign(orgId, tx, user, roleKey);
      return user;
    });
  }

  const assign = (orgId: string, tx: Tx, user: User, roleKey: string) =>
    services.rbac.assign(
      tx,
      { orgId, userId: user.id, roleKey, reason: 'test' },
      null,
      operatorActor,
    );

  async function enrollTotp(user: User) {
    await inOrg(user.orgId, async (tx) => {
      const started = await services.mfa.startTotp(tx, user);
      const seed = new Uint8Array(OTPAuth.Secret.fromBase32(started.secret).buffer as ArrayBuffer);
      await services.mfa.confirmTotp(
        tx,
        user,
        started.factorId,
        totpCode(seed, clock.now()),
        operatorActor,
      );
    });
  }

  const setPolicy = (
    orgId: string,
    service: {
      setPolicy(
        tx: Tx,
        orgId: string,
        input: unknown,
        actor: typeof operatorActor,
      ): Promise<unknown>;
    },
    input: unknown,
  ) => inOrg(orgId, (tx) => service.setPolicy(tx, orgId, input, operatorActor));

  before(async () => {
    core = await openTestCore({ clock });
    services = createServices(core);
    // The clean organization: default policies, an owner with a second factor, a member without.
    clean = await core.createOrg('acme');
    const owner = await createUser(clean, 'owner@acme.test', 'org-owner');
    await createUser(clean, 'member@acme.test', 'member');
    await enrollTotp(owner);
  });
  after(() => core.close());

  describe('on an organization left with the defaults', () => {
    it('passes the password, lockout, session and MFA checks', async () => {
      for (const id of [
        'password-policy',
        'account-lockout',
        'session-limits',
        'mfa-enforcement',
      ]) {
        const outcome = await check(id, clean);
        assert.equal(outcome.status, 'pass', `${id}: ${outcome.summary}`);
        assert.deepEqual(outcome.exceptions, []);
      }
      assert.equal(
        (await check('password-policy', clean)).summary,
        'The default password policy asks for 12 characters or more, refuses breached passwords and the last 5 passwords.',
      );
      assert.equal(
        (await check('mfa-enforcement', clean)).summary,
        'Every privileged role of acme requires a second factor, and 1 active holder has one.',
      );
    });

    it('has nothing to check for login flows without an OAuth client', async () => {
      const outcome = await check('pkce', clean);
      assert.equal(outcome.status, 'not_applicable');
      assert.equal(outcome.summary, 'acme has no active OAuth client.');
      assert.deepEqual(outcome.exceptions, []);
    });
  });

  describe('password-policy', () => {
    it('names every weak setting of the policy in force, by version', async () => {
      const org = await core.createOrg('weak-passwords');
      const subject = (version: number) => ({ type: 'password_policy', id: `${org}:${version}` });
      await setPolicy(org, services.passwords, {
        ...(await inOrg(org, (tx) => services.passwords.policy(tx, org))).policy,
        preset: 'custom',
        minLength: 8,
        blockCommonPasswords: false,
        history: 2,
      });
      const outcome = await check('password-policy', org);
      assert.equal(outcome.status, 'fail');
      assert.equal(outcome.summary, 'Password policy version 1 has 3 settings below the baseline.');
      assert.deepEqual(outcome.exceptions, [
        {
          message: 'password policy version 1 allows 8-character passwords (minimum 12)',
          subject: subject(1),
        },
        {
          message: 'password policy version 1 does not refuse common and breached passwords',
          subject: subject(1),
        },
        {
          message: 'password policy version 1 refuses only the last 2 passwords (minimum 4)',
          subject: subject(1),
        },
      ]);

      // NIST SP 800-63B-4: 15 characters, but 8 with a second factor and no history.
      await setPolicy(org, services.passwords, 'nist-800-63b-4');
      assert.deepEqual((await check('password-policy', org)).exceptions, [
        {
          message:
            'password policy version 2 allows 8-character passwords for users with a second factor (minimum 12)',
          subject: subject(2),
        },
        {
          message:
            'password policy version 2 lets users reuse their earlier passwords (the last 4 must be refused)',
          subject: subject(2),
        },
      ]);

      // Exactly at the thresholds passes.
      await setPolicy(org, services.passwords, 'pci-dss-4');
      assert.equal((await check('password-policy', org)).status, 'pass');
    });
  });

  describe('account-lockout', () => {
    it('fails a policy that allows too many failures or locks too briefly', async () => {
      const org = await core.createOrg('lax-lockout');
      const lax = {
        threshold: 11,
        lockMinutes: 4,
        delayFromFailure: 3,
        maxDelaySeconds: 30,
        permanentAfterLocks: null,
      };
      await setPolicy(org, services.lockout, lax);
      const outcome = await check('account-lockout', org);
      assert.equal(outcome.status, 'fail');
      assert.equal(outcome.summary, 'Lockout policy version 1 has 2 settings below the baseline.');
      const subject = { type: 'lockout_policy', id: `${org}:1` };
      assert.deepEqual(outcome.exceptions, [
        {
          message: 'lockout policy version 1 locks an account only after 11 failures (at most 10)',
          subject,
        },
        {
          message: 'lockout policy version 1 locks an account for only 4 minutes (at least 5)',
          subject,
        },
      ]);

      await setPolicy(org, services.lockout, { ...lax, threshold: 10, lockMinutes: 5 });
      const fixed = await check('account-lockout', org);
      assert.equal(fixed.status, 'pass');
      assert.equal(
        fixed.summary,
        'Lockout policy version 2 locks an account after 10 failures for 5 minutes.',
      );
    });
  });

  describe('session-limits', () => {
    it('fails sessions that live too long or stay open unused too long', async () => {
      const org = await core.createOrg('long-sessions');
      await setPolicy(org, services.sessions, { absoluteHours: 25, idleMinutes: 61 });
      const outcome = await check('session-limits', org);
      assert.equal(outcome.status, 'fail');
      const subject = { type: 'session_policy', id: `${org}:1` };
      assert.deepEqual(outcome.exceptions, [
        { message: 'session policy version 1 lets a session last 25 hours (at most 24)', subject },
        {
          message:
            'session policy version 1 ends an unused session only after 61 minutes (at most 60)',
          subject,
        },
      ]);

      await setPolicy(org, services.sessions, { absoluteHours: 24, idleMinutes: 60 });
      assert.equal((await check('session-limits', org)).status, 'pass');
    });
  });

  describe('mfa-enforcement', () => {
    it('names every privileged role without MFA and every privileged user without a factor', async () => {
      const org = await core.createOrg('globex');
      const admin = await createUser(org, 'ann@globex.test', 'org-admin');
      const owner = await createUser(org, 'bob@globex.test', 'org-owner');
      await enrollTotp(owner);
      await createUser(org, 'cat@globex.test', 'member');
      const suspended = await createUser(org, 'dan@globex.test', 'org-admin');
      await inOrg(org, (tx) =>
        services.identity.setStatus(tx, suspended.id, 'suspended', operatorActor),
      );
      // Privileged (reviewed quarterly) yet signing in with a password alone.
      await inOrg(org, (tx) =>
        services.rbac.createRole(
          tx,
          org,
          {
            key: 'support-lead',
            name: 'Support lead',
            description: 'Reads users to answer escalations.',
            purpose: 'Second-line support.',
            permissions: ['users.read'],
            ownerUserId: owner.id,
            privileged: true,
            requireMfa: false,
          },
          null,
          operatorActor,
        ),
      );
      const lead = await createUser(org, 'eve@globex.test');
      await inOrg(org, (tx) => assign(org, tx, lead, 'support-lead'));

      const outcome = await check('mfa-enforcement', org);
      assert.equal(outcome.status, 'fail');
      assert.equal(
        outcome.summary,
        'globex: 2 privileged users have no second factor; 1 privileged role does not require one.',
      );
      assert.deepEqual(outcome.exceptions, [
        {
          message:
            'role support-lead (Support lead) is privileged but does not require a second factor',
          subject: { type: 'role', id: 'support-lead' },
        },
        {
          message:
            'ann@globex.test has no second factor but holds a role that calls for one: org-admin',
          subject: { type: 'user', id: admin.id },
        },
        {
          message:
            'eve@globex.test has no second factor but holds a role that calls for one: support-lead',
          subject: { type: 'user', id: lead.id },
        },
      ]);
    });

    it('holds every member to the MFA policy once their grace period is over', async () => {
      const org = await core.createOrg('initrode');
      const owner = await createUser(org, 'owner@initrode.test', 'org-owner');
      await enrollTotp(owner);
      const member = await createUser(org, 'zed@initrode.test', 'member');
      await setPolicy(org, services.mfa, { required: true, gracePeriodDays: 7 });

      const during = await check('mfa-enforcement', org, new Date(clock.now().getTime() + 6 * day));
      assert.equal(during.status, 'pass', 'within the grace period');

      const later = await check('mfa-enforcement', org, new Date(clock.now().getTime() + 7 * day));
      assert.equal(later.status, 'fail');
      assert.equal(later.summary, 'initrode: 1 member is past the grace period without one.');
      assert.deepEqual(later.exceptions, [
        {
          message:
            'zed@initrode.test has no second factor although MFA policy version 1 of initrode requires one of every member',
          subject: { type: 'user', id: member.id },
        },
      ]);
    });
  });

  describe('pkce', () => {
    it('names every grant outside the code flow and every unsafe URI of an active client', async () => {
      const org = await core.createOrg('umbrella');
      const create = (input: Record<string, unknown>) =>
        inOrg(
          org,
          async (tx) => (await services.oauth.clients.create(tx, org, input, operatorActor)).client,
        );
      await create({ name: 'Shop', kind: 'spa', redirectUris: ['https://shop.example/cb'] });
      await create({ name: 'CLI', kind: 'native', redirectUris: ['http://127.0.0.1:8765/cb'] });
      await create({ name: 'Batch', kind: 'machine' });
      const legacy = await create({
        name: 'Legacy',
        kind: 'web',
        redirectUris: ['https://legacy.example/cb'],
      });
      const retired = await create({
        name: 'Retired',
        kind: 'web',
        redirectUris: ['https://retired.example/cb'],
      });
      // Rows the registration API refuses: written as an older version (or a hand edit) would.
      const rewrite = (id: string, columns: Record<string, unknown>) =>
        withPlatform(core.database, (tx) =>
          tx.updateTable('oauth_clients').set(columns).where('id', '=', id).execute(),
        );
      await rewrite(legacy.id, {
        grant_types: ['authorization_code', 'password', 'implicit'],
        redirect_uris: ['https://legacy.example/cb', 'http://legacy.example/cb'],
        post_logout_redirect_uris: ['http://localhost:8080/bye', 'https://legacy.example/bye#x'],
      });
      await rewrite(retired.id, { grant_types: ['implicit'] });
      await inOrg(org, (tx) => services.oauth.clients.disable(tx, retired.id, operatorActor));

      const outcome = await check('pkce', org);
      assert.equal(outcome.status, 'fail');
      assert.equal(
        outcome.summary,
        '1 active OAuth client of umbrella breaks the login-flow rules (4 exceptions).',
      );
      const subject = { type: 'oauth_client', id: legacy.id };
      const name = `OAuth client "Legacy" (${legacy.id})`;
      assert.deepEqual(outcome.exceptions, [
        {
          message: `${name} may use the implicit grant, which bypasses the PKCE-protected code flow`,
          subject,
        },
        {
          message: `${name} may use the password grant, which bypasses the PKCE-protected code flow`,
          subject,
        },
        {
          message: `${name} registers the redirect URI http://legacy.example/cb, which is neither HTTPS nor a loopback address`,
          subject,
        },
        {
          message: `${name} registers the post-logout redirect URI https://legacy.example/bye#x, which has a fragment`,
          subject,
        },
      ]);

      await inOrg(org, (tx) => services.oauth.clients.disable(tx, legacy.id, operatorActor));
      const rest = await check('pkce', org);
      assert.equal(rest.status, 'pass');
      assert.equal(
        rest.summary,
        '3 active OAuth clients of umbrella use only the PKCE-protected code flow or client credentials, with HTTPS or loopback URIs.',
      );
    });
  });
});
