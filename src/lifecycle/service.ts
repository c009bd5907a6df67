import type { ApiKeys } from '../apikeys/index.ts';
import type { TrustedDevices } from '../auth/lockout/index.ts';
import { type PasswordService, temporaryPassword } from '../auth/password/index.ts';
import type { IdentityService, User } from '../identity/index.ts';
import {
  type AuditActor,
  afterCommit,
  type Clock,
  type Database,
  type DeprovisioningSource,
  newId,
  type SessionEndReason,
  type Tx,
  withOrg,
  withPlatform,
} from '../platform/index.ts';
import type { Rbac } from '../rbac/index.ts';
import type { SessionService } from '../sessions/index.ts';
import type { Organization, TenancyService } from '../tenancy/index.ts';
import { actorLabel, insertDeprovisioning, markOAuthRevoked } from './deprovisionings.store.ts';
import { defaultLifecyclePolicy } from './policy.ts';
import { createSlaReport } from './sla-report.ts';

export interface LifecycleDeps {
  database: Database;
  clock: Clock;
  identity: IdentityService;
  tenancy: Pick<TenancyService, 'setStatus'>;
  passwords: Pick<PasswordService, 'policy' | 'set'>;
  sessions: SessionService;
  /** Browsers the user signed in from (device cookies). */
  devices: Pick<TrustedDevices, 'revokeAll'>;
  apiKeys: ApiKeys;
  rbac: Pick<Rbac, 'assignRole' | 'unassignAll' | 'unassignBySource'>;
  /**
   * Revokes the users' OAuth grants, tokens and provider sessions and tells their clients
   * (back-channel logout); called once the deactivation committed.
   */
  revokeOAuth(users: readonly { userId: string; orgId: string }[], reason: string): Promise<void>;
  /** Where a failed revocation is reported (the status change itself already holds). */
  onRevokeError(err: unknown, userId: string): void;
  /**
   * Gives a user active again the roles their SCIM groups map to, in the reactivation's
   * transaction: a suspension took the directory's roles back, and the directory does not
   * re-send a membership that never changed (docs/scim.md#groups-and-roles).
   */
  restoreDirectoryRoles(tx: Tx, user: User, actor: AuditActor): Promise<unknown>;
}

/**
 * What asked for a deactivation, and when: the schedule passes the end date, the others the
 * moment they asked (the default, now). The deprovisioning record keeps both for the SLA report.
 */
export interface DeactivationRequest {
  source: DeprovisioningSource;
  requestedAt?: Date;
}

/** A report's period as asked for (ISO strings from the API and the CLI); see `reportRange`. */
export interface ReportPeriod {
  from?: string | Date;
  to?: string | Date;
}

/** A joiner: who they are, the roles they start with, and why they get them. */
export interface ProvisionInput {
  email: string;
  displayName: string;
  roleKeys: string[];
  reason: string;
}

/**
 * A joiner's start (`provision`), and deactivation, the one path every trigger takes (admin,
 * SCIM, HR date, access review): docs/architecture.md#invariant-6 — the status, every session,
 * device cookie, API key, refresh token, grant and provider session, at once; deprovisioning
 * also removes every role. An organization's suspension ends the same for each of its users.
 */
export function createLifecycle(deps: LifecycleDeps) {
  /**
   * Everything a user is signed in with: sessions, device cookies, and, once `tx` committed,
   * OAuth grants, tokens and provider sessions.
   */
  // Before an organization sets its lifecycle policy, the default SLA is in force.
  const slaReport = createSlaReport({
    clock: deps.clock,
    defaultSlaHours: defaultLifecyclePolicy.slaHours,
  });

  /**
   * The deprovisioning record of a deactivation in `tx` (its `denied_at` is now: the commit that
   * ends sessions, cookies, keys and roles), and what sets its `oauth_revoked_at` afterwards, in
   * a small transaction of its own: the deactivation stands whether or not that is recorded.
   */
  async function record(
    tx: Tx,
    user: User,
    status: 'suspended' | 'deprovisioned',
    actor: AuditActor,
    request: DeactivationRequest,
  ): Promise<() => Promise<void>> {
    const now = deps.clock.now();
    const id = newId(now.getTime());
    await insertDeprovisioning(tx, {
      id,
      org_id: user.orgId,
      user_id: user.id,
      status,
      source: request.source,
      requested_at: request.requestedAt ?? now,
      actor_type: actor.type,
      actor_id: actor.id ?? null,
      actor_label: await actorLabel(tx, actor),
      denied_at: now,
    });
    return () =>
      withOrg(deps.database, user.orgId, (done) => markOAuthRevoked(done, id, deps.clock.now()));
  }

  /**
   * Signs these users out everywhere: sessions and device cookies in `tx`, then, once it
   * committed, their OAuth grants, tokens and provider sessions, all of them at once.
   */
  async function signOutEverywhere(
    tx: Tx,
    users: readonly User[],
    ended: { session: SessionEndReason; revocation: string },
    actor: AuditActor,
    onOAuthRevoked?: () => Promise<void>,
  ): Promise<void> {
    for (const user of users) {
      await deps.sessions.endAllForUser(tx, user.id, ended.session, actor);
      await deps.devices.revokeAll(tx, user, ended.revocation, actor);
    }
    if (users.length === 0) return;
    afterCommit(tx, async () => {
      try {
        const revoked = users.map((u) => ({ userId: u.id, orgId: u.orgId }));
        await deps.revokeOAuth(revoked, ended.revocation);
        await onOAuthRevoked?.();
      } catch (err) {
        for (const user of users) deps.onRevokeError(err, user.id);
      }
    });
  }

  /**
   * Suspends a customer organization (`tx` in platform scope): its users are signed out
   * everywhere at once, and while it is suspended none of them can sign in and neither their
   * access tokens nor the organization's API keys are accepted.
   */
  async function suspendOrganization(
    tx: Tx,
    orgId: string,
    reason: string,
    actor: AuditActor,
  ): Promise<Organization> {
    const org = await deps.tenancy.setStatus(tx, orgId, 'suspended', reason, actor);
    const ended = { session: 'admin', revocation: 'organization_suspended' } as const;
    // A suspended or deprovisioned user was signed out when they were deactivated.
    const active = (await deps.identity.listUsers(tx, orgId)).filter((u) => u.status === 'active');
    await signOutEverywhere(tx, active, ended, actor);
    return org;
  }

  /** Lifts an organization's suspension; its users sign in again (nothing revoked comes back). */
  const reactivateOrganization = (
    tx: Tx,
    orgId: string,
    reason: string | undefined,
    actor: AuditActor,
  ): Promise<Organization> => deps.tenancy.setStatus(tx, orgId, 'active', reason, actor);

  return {
    /**
     * A new user with a temporary password they must change at their first sign-in, and their
     * roles, in one transaction: a refused part (a taken email, a conflict of the roles) leaves
     * nothing behind. Each role goes through rbac's `assign` and its rules, by no principal
     * (nobody can be the joiner's own requester). The password is in the answer, shown once.
     */
    async provision(orgId: string, input: ProvisionInput, actor: AuditActor) {
      return withOrg(deps.database, orgId, async (tx) => {
        const { email, displayName, roleKeys, reason } = input;
        const user = await deps.identity.createUser(tx, orgId, { email, displayName }, actor);
        const { policy } = await deps.passwords.policy(tx, orgId);
        const password = temporaryPassword(policy.minLength);
        await deps.passwords.set(tx, user, password, { actor, temporary: true, byOwner: false });
        const roles = [];
        for (const roleKey of roleKeys) {
          const assignment = { orgId, userId: user.id, roleKey, reason };
          roles.push(await deps.rbac.assignRole(tx, assignment, null, actor));
        }
        return { user, temporaryPassword: password, roles };
      });
    },

    /**
     * The one deactivation path (docs/lifecycle.md#one-path): the status, sessions, device
     * cookies, the API keys the user created and roles in `tx`, with the deprovisioning record
     * whose `denied_at` is that moment; once `tx` committed, OAuth grants, tokens and provider
     * sessions (back-channel logout), and then the record's `oauth_revoked_at`.
     */
    async deactivate(
      tx: Tx,
      userId: string,
      status: 'suspended' | 'deprovisioned',
      actor: AuditActor,
      request: DeactivationRequest,
    ): Promise<User> {
      const before = await deps.identity.findUser(tx, userId);
      const user = await deps.identity.setStatus(tx, userId, status, actor, request.source);
      // A repeated request (the directory sends `active: false` again) signs out again but is
      // no new leaver: only a change of status is recorded for the SLA report.
      const recordRevoked =
        before?.status === status ? undefined : await record(tx, user, status, actor, request);
      const session = status === 'deprovisioned' ? 'deprovisioned' : 'admin';
      const revocation = `user_${status}`;
      await signOutEverywhere(tx, [user], { session, revocation }, actor, recordRevoked);
      await deps.apiKeys.revokeAllCreatedBy(tx, user.orgId, userId, actor);
      // A leaver holds no role. A suspended user keeps an administrator's grants for when they
      // come back, but not the directory's: those follow group membership, and `reactivate`
      // gives them back (restoreDirectoryRoles).
      if (status === 'deprovisioned')
        await deps.rbac.unassignAll(tx, userId, 'deprovisioned', actor);
      else await deps.rbac.unassignBySource(tx, userId, 'scim', 'suspended', actor);
      return user;
    },

    /**
     * Lifts a suspension; the user signs in again (nothing that was revoked comes back). The
     * source (an administrator, or the directory's `active: true`) is in the audit event.
     */
    async reactivate(
      tx: Tx,
      userId: string,
      actor: AuditActor,
      source: 'admin' | 'scim' = 'admin',
    ): Promise<User> {
      const user = await deps.identity.setStatus(tx, userId, 'active', actor, source);
      await deps.restoreDirectoryRoles(tx, user, actor);
      return user;
    },

    /**
     * The deprovisioning SLA report of a period (docs/lifecycle.md#sla-report); a bad period is
     * refused before anything is read.
     */
    deprovisioningReport: async (tx: Tx, orgId: string, period: ReportPeriod) =>
      slaReport.report(tx, orgId, slaReport.reportRange(period)),
    /** `deprovisioningReport` in a transaction of its own (the CLI's). */
    async deprovisioningReportOf(orgId: string, period: ReportPeriod) {
      const range = slaReport.reportRange(period);
      return withOrg(deps.database, orgId, (tx) => slaReport.report(tx, orgId, range));
    },

    /**
     * Signs users out everywhere without deactivating them: sessions and device cookies in `tx`,
     * and once it committed OAuth grants, tokens and provider sessions. An access review that took
     * roles away ends what relied on them (docs/reviews.md#close); the accounts stay active.
     */
    async signOutUsers(tx: Tx, userIds: readonly string[], revocation: string, actor: AuditActor) {
      const users = await deps.identity.findUsers(tx, userIds);
      await signOutEverywhere(tx, users, { session: 'privilege_change', revocation }, actor);
    },

    suspendOrganization,
    reactivateOrganization,
    /** `suspendOrganization` in its own platform-scope transaction (the operator's). */
    suspendOrganizationNow: (orgId: string, reason: string, actor: AuditActor) =>
      withPlatform(deps.database, (tx) => suspendOrganization(tx, orgId, reason, actor)),
    /** `reactivateOrganization` in its own platform-scope transaction (the operator's). */
    reactivateOrganizationNow: (orgId: string, reason: string | undefined, actor: AuditActor) =>
      withPlatform(deps.database, (tx) => reactivateOrganization(tx, orgId, reason, actor)),
  };
}

export type Lifecycle = ReturnType<typeof createLifecycle>;
