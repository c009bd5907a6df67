import type { MfaPolicy } from '../../../auth/mfa/index.ts';
import type { User } from '../../../identity/index.ts';
import type { RoleDefinition } from '../../../rbac/index.ts';
import type { CheckContext, CheckOutcome, ControlException } from '../control.ts';
import { plural, policyName } from './authentication-policies.ts';

const day = 86_400_000;

/** A role whose holders must prove a second factor: the ones marked so, and every privileged one. */
const demandsFactor = (role: RoleDefinition) => role.requireMfa || role.privileged;

/** Privileged roles that let their holders sign in with a password alone. */
function rolesWithoutMfa(roles: RoleDefinition[]): ControlException[] {
  return roles
    .filter((role) => role.privileged && !role.requireMfa)
    .sort((a, b) => a.key.localeCompare(b.key))
    .map((role) => ({
      message: `role ${role.key} (${role.name}) is privileged but does not require a second factor`,
      subject: { type: 'role', id: role.key },
    }));
}

/** When a member who holds no such role must have a factor under the policy (sign-in's rule). */
function graceEnds(user: User, policy: MfaPolicy): Date {
  return policy.gracePeriodDays === null
    ? user.createdAt
    : new Date(user.createdAt.getTime() + policy.gracePeriodDays * day);
}

/** `1 … has`, `2 … have` */
const count = (n: number, noun: string, one: string, many: string) =>
  `${plural(n, noun)} ${n === 1 ? one : many}`;

/**
 * The mfa-enforcement check: privileged roles require a second factor, every active holder of a
 * role that demands one has one enrolled, and, when the organization's MFA policy requires one of
 * everyone, every active member past the grace period has one too (sign-in would stop them at
 * enrollment, so a member without one still has a password-only account).
 */
export async function checkMfaEnforcement(ctx: CheckContext): Promise<CheckOutcome> {
  const reads = ctx.sources.authentication;
  // One after another: the reads share the check's transaction (one connection).
  const org = await reads.organizationName(ctx.tx, ctx.orgId);
  const roles = await reads.rolesOf(ctx.tx, ctx.orgId);
  const holders = await reads.holdersIn(ctx.tx, ctx.orgId);
  const users = await reads.usersOf(ctx.tx, ctx.orgId);
  const enrolled = await reads.usersWithFactor(ctx.tx, ctx.orgId);
  const mfa = await reads.mfaPolicy(ctx.tx, ctx.orgId);

  const active = users
    .filter((u) => u.status === 'active')
    .sort((a, b) => a.email.localeCompare(b.email) || a.id.localeCompare(b.id));
  const demandingRoles = (user: User) =>
    (holders.get(user.id) ?? [])
      .filter(demandsFactor)
      .map((r) => r.key)
      .sort();
  const privileged = active.filter((u) => demandingRoles(u).length > 0);
  const missing = active.filter((u) => !enrolled.has(u.id));
  const privilegedMissing = missing.filter((u) => demandingRoles(u).length > 0);
  const membersMissing = mfa.policy.required
    ? missing.filter((u) => demandingRoles(u).length === 0 && graceEnds(u, mfa.policy) <= ctx.now)
    : [];

  const policy = policyName('MFA', mfa.version);
  // Users by email, whichever rule they break: one line per user.
  const userExceptions = missing.flatMap((user): ControlException[] => {
    const subject = { type: 'user', id: user.id };
    if (privilegedMissing.includes(user))
      return [
        {
          message: `${user.email} has no second factor but holds a role that calls for one: ${demandingRoles(user).join(', ')}`,
          subject,
        },
      ];
    if (membersMissing.includes(user))
      return [
        {
          message: `${user.email} has no second factor although ${policy} of ${org} requires one of every member`,
          subject,
        },
      ];
    return [];
  });
  const roleExceptions = rolesWithoutMfa(roles);
  const exceptions = [...roleExceptions, ...userExceptions];
  if (exceptions.length === 0)
    return {
      status: 'pass',
      summary: `Every privileged role of ${org} requires a second factor, and ${count(privileged.length, 'active holder', 'has', 'have')} one${mfa.policy.required ? ', as every member past the grace period does' : ''}.`,
      exceptions: [],
    };
  const parts = [
    privilegedMissing.length > 0 &&
      `${count(privilegedMissing.length, 'privileged user', 'has', 'have')} no second factor`,
    membersMissing.length > 0 &&
      `${count(membersMissing.length, 'member', 'is', 'are')} past the grace period without one`,
    roleExceptions.length > 0 &&
      `${count(roleExceptions.length, 'privileged role', 'does', 'do')} not require one`,
  ].filter((part): part is string => typeof part === 'string');
  return { status: 'fail', summary: `${org}: ${parts.join('; ')}.`, exceptions };
}
