import {
  hashPassword,
  passwordNeedsRehash,
  randomToken,
  verifyPassword,
} from '../../crypto/index.ts';
import {
  type AuditActor,
  type AuditWriter,
  type ChangeFeed,
  type Clock,
  type Tx,
  type Versioned,
  versionedPolicy,
} from '../../platform/index.ts';
import { isCommonPassword } from './blocklist.ts';
import { passwordErrors } from './errors.ts';
import {
  compositionProblems,
  defaultPasswordPolicy,
  type PasswordContext,
  type PasswordPolicy,
  passwordExpired,
  passwordPolicySchema,
  passwordPresets,
  passwordTooYoung,
} from './model.ts';
import * as store from './store.ts';
import { strengthScore } from './strength.ts';

/** The longest history a policy can ask for: older hashes are deleted. */
const historyKept = 24;

export interface PasswordOwner {
  id: string;
  orgId: string;
  email: string;
  displayName: string;
}

export type VersionedPolicy = Versioned<PasswordPolicy>;

export interface SetPasswordOptions {
  actor: AuditActor;
  /** Set by an administrator (or a reset): the user must change it at next sign-in. */
  temporary: boolean;
  /** The owner changes their own password: the minimum-age rule applies. */
  byOwner: boolean;
  context?: Omit<PasswordContext, 'email' | 'displayName'>;
}

export interface VerifyResult {
  ok: boolean;
  /** The password must be replaced before a session is granted (temporary or expired). */
  mustChange: boolean;
}

/** What a sign-in checks of a user's password credential. */
export interface StoredCredential {
  hash: string;
  changedAt: Date;
  mustChange: boolean;
}

export interface PasswordDeps {
  audit: AuditWriter;
  clock: Clock;
  /** Tells every node of a policy change (src/platform/db/notify.ts). */
  changes?: ChangeFeed;
}

export function createPasswordService(deps: PasswordDeps) {
  const policies = versionedPolicy({
    kind: 'password',
    schema: passwordPolicySchema,
    defaults: defaultPasswordPolicy,
    presets: passwordPresets,
    audit: deps.audit,
    clock: deps.clock,
    changes: deps.changes,
  });
  const policyOf = (tx: Tx, orgId: string): Promise<VersionedPolicy> => policies.current(tx, orgId);
  // A hash no password matches, made once: checking against it costs what a real check costs.
  let equaliser: Promise<string> | undefined;

  /** Every rule the password breaks for this user, at once. */
  async function problems(
    tx: Tx,
    owner: PasswordOwner,
    password: string,
    policy: PasswordPolicy,
    options: Pick<SetPasswordOptions, 'byOwner' | 'context'>,
  ): Promise<string[]> {
    const ctx = { ...options.context, email: owner.email, displayName: owner.displayName };
    const found = compositionProblems(password, policy, ctx);
    if (policy.blockCommonPasswords && isCommonPassword(password)) {
      found.push('This password is on the list of common or breached passwords; choose another.');
    }
    if (policy.minStrengthScore !== null) {
      const words = [owner.email, owner.displayName, ctx.orgName ?? ''].filter(Boolean);
      if (strengthScore(password, words) < policy.minStrengthScore) {
        found.push(
          'This password is too easy to guess; a longer phrase of unrelated words works well.',
        );
      }
    }
    const current = await store.credential(tx, owner.id);
    if (
      current &&
      options.byOwner &&
      current.set_by_owner &&
      passwordTooYoung(policy, current.changed_at, deps.clock.now())
    ) {
      found.push(
        `The password was changed less than ${policy.minAgeHours} hours ago; try again later.`,
      );
    }
    for (const hash of await store.recentHashes(tx, owner.id, policy.history)) {
      if (await verifyPassword(hash, password)) {
        found.push(`Do not reuse any of your last ${policy.history} passwords.`);
        break;
      }
    }
    return found;
  }

  const service = {
    policy: policyOf,

    /** Stores a new policy version (a preset name, or full settings); audited with before and after. */
    setPolicy: policies.set,

    /** Checks a candidate password without storing it (for forms that explain the rules). */
    async check(
      tx: Tx,
      owner: PasswordOwner,
      password: string,
      options: Pick<SetPasswordOptions, 'byOwner' | 'context'>,
    ) {
      return problems(tx, owner, password, (await policyOf(tx, owner.orgId)).policy, options);
    },

    /**
     * Sets a password under the organization's policy, or throws `password.policy` listing every
     * broken rule. The hash joins the history; the change is audited (never the password).
     */
    async set(
      tx: Tx,
      owner: PasswordOwner,
      password: string,
      options: SetPasswordOptions,
    ): Promise<void> {
      const { policy, version } = await policyOf(tx, owner.orgId);
      const found = await problems(tx, owner, password, policy, options);
      if (found.length > 0) {
        throw passwordErrors.policy({
          problems: found.join(' '),
          details: { problems: found, policy: policy.preset, policyVersion: version },
        });
      }
      const at = deps.clock.now();
      const hadPassword = (await store.credential(tx, owner.id)) !== undefined;
      await store.saveCredential(tx, {
        userId: owner.id,
        orgId: owner.orgId,
        hash: await hashPassword(password),
        mustChange: options.temporary,
        byOwner: options.byOwner,
        at,
      });
      await store.trimHistory(tx, owner.id, historyKept);
      await deps.audit(tx, {
        orgId: owner.orgId,
        action: hadPassword ? 'user.password.changed' : 'user.password.set',
        actor: options.actor,
        target: { type: 'user', id: owner.id },
        details: {
          temporary: options.temporary,
          byOwner: options.byOwner,
          policy: policy.preset,
          policyVersion: version,
        },
      });
    },

    /**
     * The same argon2id work as `verify`, for an attempt on an account that does not exist, so
     * that the answer takes as long (docs/architecture.md#invariant-5). Always false.
     */
    async verifyWithoutAccount(password: string): Promise<false> {
      equaliser ??= hashPassword(`vigil-timing-equaliser-${randomToken(16)}`);
      await verifyPassword(await equaliser, password);
      return false;
    },

    /**
     * Checks a user's password (the account page's current-password check): `matches`, then
     * `accepted`, in `tx`.
     */
    async verify(
      tx: Tx,
      owner: PasswordOwner,
      password: string,
      hasMfa: boolean,
    ): Promise<VerifyResult> {
      const row = await store.credential(tx, owner.id);
      const current = row
        ? { hash: row.hash, changedAt: row.changed_at, mustChange: row.must_change }
        : null;
      if (!(await service.matches(current, password)) || !current) {
        return { ok: false, mustChange: false };
      }
      return { ok: true, ...(await service.accepted(tx, owner, current, password, hasMfa)) };
    },

    /**
     * Whether `password` matches a stored credential: the argon2id work alone, which needs no
     * transaction, so that a sign-in waiting for its turn at the hash holds no pooled connection
     * and no row lock. Without a credential it does the same work on the equaliser hash.
     */
    async matches(current: StoredCredential | null, password: string): Promise<boolean> {
      if (!current) return service.verifyWithoutAccount(password);
      return verifyPassword(current.hash, password);
    },

    /**
     * What follows a matching password, in the sign-in's transaction: the transparent rehash when
     * the hash parameters changed, and whether the password must be replaced first (temporary, or
     * expired by policy).
     */
    async accepted(
      tx: Tx,
      owner: PasswordOwner,
      current: StoredCredential,
      password: string,
      hasMfa: boolean,
    ): Promise<{ mustChange: boolean }> {
      if (passwordNeedsRehash(current.hash)) {
        await store.replaceHash(tx, owner.id, await hashPassword(password));
        await deps.audit(tx, {
          orgId: owner.orgId,
          action: 'user.password.rehashed',
          actor: { type: 'system', id: 'vigil' },
          target: { type: 'user', id: owner.id },
        });
      }
      const { policy } = await policyOf(tx, owner.orgId);
      const expired = passwordExpired(policy, current.changedAt, deps.clock.now(), hasMfa);
      return { mustChange: current.mustChange || expired };
    },
  };
  return service;
}

export type PasswordService = ReturnType<typeof createPasswordService>;
