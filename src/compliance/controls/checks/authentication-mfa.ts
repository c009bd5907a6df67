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
  const byEmail = (a: User, b: User) => a.email.localeCompare(b.email) || a.id.localeCompare(b.id);
  const withoutFactor = users
    .filter((u) => u.status === 'active' && !enrolled.has(u.id))
    .sort(byEmail);

  const privilegedHolders = users.filter(
    (u) => u.status === 'active' && (holders.get(u.id) ?? []).some(demandsFactor),
  );
  const userExceptions: ControlException[] = [];
  let privilegedMissing = 0;
  for (const user of withoutFactor) {
    const demanding = (holders.get(user.id) ?? [])
      .filter(demandsFactor)
      .map((r) => r.key)
      .sort();
    if (demanding.length > 0) {
      privilegedMissing++;
      userExceptions.push({
        message: `${user.email} has no second factor but holds a role that calls for one: ${demanding.join(', ')}`,
        subject: { type: 'user', id: user.id },
      });
      continue;
    }
    if (!mfa.policy.required) continue;
    const graceEnds =
      mfa.policy.gracePeriodDays === null
        ? user.createdAt
        : new Date(user.createdAt.getTime() + mfa.policy.gracePeriodDays * day);
    if (graceEnds > ctx.now) continue;
    userExceptions.push({
      message: `${user.email} has no second factor although ${policyName('MFA', mfa.version)} of ${org} requires one of every member`,
      subject: { type: 'user', id: user.id },
    });
  }
  const roleExceptions = rolesWithoutMfa(roles);
  const exceptions = [...roleExceptions, ...userExceptions];
  if (exceptions.length === 0)
    return {
      status: 'pass',
      summary: `Every privileged role of ${org} requires a second factor, and ${plural(privilegedHolders.length, 'active holder')} of such roles ${privilegedHolders.length === 1 ? 'has' : 'have'} one${mfa.policy.required ? ', as every member past the grace period does' : ''}.`,
      exceptions: [],
    };
  const parts = [
    privilegedMissing > 0 &&
      `${plural(privilegedMissing, 'privileged user')} of ${org} ${privilegedMissing === 1 ? 'has' : 'have'} no second factor`,
    userExceptions.length > privilegedMissing &&
      `${plural(userExceptions.length - privilegedMissing, 'member')} past the grace period ${userExceptions.length - privilegedMissing === 1 ? 'has' : 'have'} none although ${org} requires it`,
    roleExceptions.length > 0 &&
      `${plural(roleExceptions.length, 'privileged role')} of ${org} ${roleExceptions.length === 1 ? 'does' : 'do'} not require one`,
  ].filter((part): part is string => typeof part === 'string');
  return { status: 'fail', summary: `${parts.join('; ')}.`, exceptions };
}
