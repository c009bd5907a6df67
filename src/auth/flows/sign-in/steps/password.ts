import { type Tx, withOrg, withPlatform } from '../../../../platform/index.ts';
import type { Attempt, Gate, TrustedDevice } from '../../../lockout/index.ts';
import type { StoredCredential } from '../../../password/index.ts';
import { platformAdminRole } from '../../bootstrap.ts';
import { type Check, firstRefusal } from '../checks.ts';
import { actorOf } from '../progress.ts';
import { defineStep, type StepKit } from '../step.ts';
import type { Client, StepResult } from '../types.ts';
import { type Account, createAccountReader } from './password-accounts.ts';

/** One account's password attempt, as its checks see it (in the organization's transaction). */
export interface PasswordAttempt {
  account: Account;
  /** Whether the password matches the stored hash (checked before the transaction). */
  matches: boolean;
  attempt: Gate;
  /** Accepts the matching password (the transparent rehash; whether it must be replaced). */
  accept(credential: StoredCredential): Promise<{ mustChange: boolean }>;
  /** Set by the password check. */
  accepted?: { mustChange: boolean };
  /**
   * The organization's SSO policy requires SSO (passwords are off); `breakGlass`: the user holds
   * the platform administrator role in the platform organization, and keeps the password.
   */
  sso: { required: boolean; breakGlass: boolean };
}

/**
 * The password step's checks, in order; the first refusal is the audited reason. The lock comes
 * first: a locked account's right password goes no further (no rehash), the lock answers.
 */
export const passwordChecks: readonly Check<PasswordAttempt>[] = [
  { name: 'not locked', check: ({ attempt }) => (attempt.open ? null : attempt.reason) },
  {
    // Before the password: with SSO required no password counts, right or wrong (the same
    // refusal, written back like a lock's, on the same statements).
    name: 'passwords allowed',
    check: ({ sso }) => (sso.required && !sso.breakGlass ? 'sso_required' : null),
  },
  {
    name: 'password matches',
    async check(a) {
      const { credential } = a.account;
      if (!a.matches || !credential) return 'bad_password';
      a.accepted = await a.accept(credential);
      return null;
    },
  },
  {
    name: 'account usable',
    check: ({ account: { user } }) => {
      if (!user.org.active) return 'organization_suspended';
      return user.status === 'active' ? null : `account_${user.status}`;
    },
  },
];

/** How one account's attempt ended. */
type Outcome =
  | { accepted: false; locked: 'temporary' | 'permanent' | null }
  | { accepted: true; mustChange: boolean; signedIn?: StepResult };

const failed: StepResult = { kind: 'failed' };

/**
 * Step 1: email (and organization, when asked) and password. Every branch (unknown email, wrong
 * password, locked, suspended or deactivated account, right password) sends the same sequence of
 * statements (docs/authentication.md#timing; test/sign-in.test.ts compares them).
 */
export const passwordStep = defineStep({
  name: 'password',
  create(kit: StepKit) {
    const { deps, progress } = kit;
    const readAccounts = createAccountReader(deps);

    /**
     * An unknown account still costs what a known one's refusal does: one password hash
     * verification, and a transaction with the same statements (docs/authentication.md#timing).
     */
    async function refuseWithoutAccount(
      email: string,
      password: string,
      found: boolean,
      client: Client,
    ): Promise<StepResult> {
      await deps.passwords.verifyWithoutAccount(password);
      await withPlatform(deps.database, async (tx) => {
        const ipAllowed = await deps.lockout.refusedWithoutAccount(
          tx,
          client.ip,
          client.deviceTokens ?? [],
        );
        // Accounts that were found were withheld only because the address is over its limit.
        const reason = found || !ipAllowed ? 'ip_limited' : 'unknown_account';
        await deps.audit.record(tx, {
          orgId: deps.platformOrgId,
          action: 'auth.login.failed',
          outcome: 'failure',
          actor: actorOf(client),
          details: { email: email.slice(0, 320), reason },
        });
      });
      await deps.lockout.recordIpFailure(client.ip);
      return failed;
    }

    /**
     * A refused attempt: a wrong password counts, a refusal for another reason writes the counter
     * back; audited either way. Answers whether this failure locked the account.
     */
    async function refuse(
      tx: Tx,
      user: Account['user'],
      attempt: Attempt,
      matches: boolean,
      reason: string | undefined,
      client: Client,
    ): Promise<'temporary' | 'permanent' | null> {
      let locked: 'temporary' | 'permanent' | null = null;
      if (attempt.open && !matches) locked = await attempt.failed(actorOf(client, user.id));
      else await attempt.refused();
      await deps.audit.record(tx, {
        orgId: user.orgId,
        action: 'auth.login.failed',
        outcome: 'failure',
        actor: actorOf(client),
        target: { type: 'user', id: user.id },
        details: { reason: reason ?? 'bad_password', factor: 'password' },
      });
      return locked;
    }

    /**
     * One account's attempt, in its organization's transaction, on one path for every outcome:
     * the counter is read and written back whatever the password and the lock. `proceed`: the
     * only account, so the step goes on in this same transaction.
     */
    async function attemptAccount(
      tx: Tx,
      account: Account,
      password: string,
      matches: boolean,
      client: Client,
      proceed: boolean,
    ): Promise<Outcome> {
      const { user } = account;
      // A browser the user signed in from before has a counter of its own (device cookie).
      const device: TrustedDevice | null = await deps.lockout.devices.presented(
        tx,
        user,
        client.deviceTokens ?? [],
      );
      const attempt = await deps.lockout.attempt(tx, user, 'password', device);
      const sso = await deps.ssoPolicy.policy(tx, user.orgId);
      const context: PasswordAttempt = {
        account,
        matches,
        attempt,
        accept: (credential) =>
          deps.passwords.accepted(tx, user, credential, password, account.hasFactor),
        sso: {
          required: sso.policy.required,
          breakGlass:
            user.orgId === deps.platformOrgId && account.roleKeys.includes(platformAdminRole),
        },
      };
      const refusal = await firstRefusal(passwordChecks, context);
      if (refusal || !context.accepted) {
        const locked = await refuse(tx, user, attempt, matches, refusal?.reason, client);
        return { accepted: false, locked };
      }
      await attempt.succeeded();
      if (context.sso.required) {
        // The break-glass path: a platform administrator's password although SSO is required.
        await deps.audit.record(tx, {
          orgId: user.orgId,
          action: 'auth.login.break_glass',
          actor: actorOf(client, user.id),
          target: { type: 'user', id: user.id },
          details: { breakGlass: true, ssoPolicyVersion: sso.version, factor: 'password' },
        });
      }
      const { mustChange } = context.accepted;
      if (!proceed) return { accepted: true, mustChange };
      const known = { hasFactor: account.hasFactor, roleKeys: account.roleKeys, device };
      const signedIn = await progress.advance(
        tx,
        user,
        { amr: ['pwd'], mustChange },
        client,
        undefined,
        known,
      );
      return { accepted: true, mustChange, signedIn };
    }

    /** With several accounts under the email: the one the password opened, or a choice. */
    async function afterPasswords(
      accepted: { account: Account; mustChange: boolean }[],
      client: Client,
    ): Promise<StepResult> {
      const [first] = accepted;
      if (!first) {
        await deps.lockout.recordIpFailure(client.ip);
        return failed;
      }
      // The password proved the person; only now may they see which organizations they are in.
      if (accepted.length > 1) {
        const orgs = accepted.map(({ account: { user } }) => ({
          slug: user.org.slug,
          name: user.org.name,
        }));
        return { kind: 'choose_org', orgs };
      }
      return withOrg(deps.database, first.account.user.orgId, (tx) =>
        progress.advance(
          tx,
          first.account.user,
          { amr: ['pwd'], mustChange: first.mustChange },
          client,
        ),
      );
    }

    return {
      /** Step 1: email (and organization, when asked) and password. */
      async passwordStep(
        input: { email: string; password: string; orgSlug?: string },
        client: Client,
      ): Promise<StepResult> {
        const email = input.email.trim();
        const orgSlug = input.orgSlug || undefined;
        const { accounts, found } = await readAccounts({ email, orgSlug }, client);
        if (accounts.length === 0) {
          return refuseWithoutAccount(email, input.password, found, client);
        }
        const accepted: { account: Account; mustChange: boolean }[] = [];
        const lockNotices: string[] = [];
        for (const account of accounts) {
          // The hash comes first, outside the transaction: a sign-in waiting for its turn at the
          // hash holds no pooled connection and no lock. It is checked even when the account
          // turns out to be locked, so a locked account costs the same time.
          const matches = await deps.passwords.matches(account.credential, input.password);
          const outcome = await withOrg(deps.database, account.user.orgId, (tx) =>
            attemptAccount(tx, account, input.password, matches, client, accounts.length === 1),
          );
          if (!outcome.accepted) {
            if (outcome.locked) lockNotices.push(account.user.email);
            continue;
          }
          if (outcome.signedIn) return outcome.signedIn;
          accepted.push({ account, mustChange: outcome.mustChange });
        }
        progress.notifyLocked(lockNotices);
        return afterPasswords(accepted, client);
      },
    };
  },
});
