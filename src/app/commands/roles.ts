import { operatorActor } from '../../platform/index.ts';
import type { RoleDefinition } from '../../rbac/index.ts';
import type { Organization } from '../../tenancy/index.ts';
import { createServices } from '../services.ts';
import {
  asUsage,
  type Command,
  date,
  findOrg,
  onlyOptions,
  positional,
  print,
  required,
  table,
  text,
  texts,
  UsageError,
  withCore,
} from './kit.ts';

/** What assigning a role answered: granted, or an access request waiting for an approver. */
export type AssignOutcome = { role: RoleDefinition } & (
  | { status: 'assigned' }
  | { status: 'pending'; requestId: string }
);

const invalidAssignment = asUsage(['rbac.reason_required', 'rbac.expiry_past'], {
  reason: '--reason',
  expiresAt: '--expires',
});

/** The reason recorded when the operator gives none (rbac requires one). */
const noReasonGiven = 'assigned by the operator at the CLI (no reason given)';

/**
 * An assignment's outcome for people and for machines. A role that needs approval and was
 * granted at once was granted by the operator, the one break-glass actor
 * (docs/access-control.md#segregation-of-duties): the output says so, as the audit event does.
 */
export function describeAssignment(outcome: AssignOutcome, email: string, org: Organization) {
  const { role } = outcome;
  const flags = { privileged: role.privileged, requiresApproval: role.requiresApproval };
  if (outcome.status === 'pending') {
    const { requestId } = outcome;
    const human = `${role.key} needs approval: access request ${requestId} opened for ${email}; an administrator holding access.approve in ${org.slug} approves it (POST /api/v1/orgs/${org.id}/access-requests/${requestId}/approve)`;
    return { human, machine: { role: role.key, ...flags, status: 'pending', requestId } };
  }
  const approval = role.requiresApproval ? 'operator' : 'not required';
  const human = role.requiresApproval
    ? `assigned ${role.key} to ${email}: a role that needs approval, granted by the operator at the CLI (break-glass, audited with approval: operator)`
    : `assigned ${role.key} to ${email}`;
  return { human, machine: { role: role.key, ...flags, status: 'assigned', approval } };
}

/** Roles from the command line: what an organization's roles are, and giving one to a user. */
export const roleCommands: Record<string, Command> = {
  async 'roles assign'(ctx) {
    const command = 'roles assign';
    onlyOptions(ctx, command, ['org', 'user', 'role', 'reason', 'expires']);
    positional(ctx, command, []);
    const slug = required(ctx, command, 'org', 'SLUG');
    const email = required(ctx, command, 'user', 'EMAIL');
    // --role is repeatable for `users create`; one assignment takes one.
    const [roleKey, ...more] = texts(ctx, 'role');
    if (!roleKey || more.length > 0) throw new UsageError(`${command} needs one --role KEY`);
    const reason = text(ctx, 'reason') ?? noReasonGiven;
    const expiresAt = date(ctx.options.expires, 'expires');
    return withCore(ctx, async (core) => {
      const { tenancy, identity, rbac } = createServices(core);
      const org = findOrg(await tenancy.organizations(), slug);
      const user = await identity.userByEmail(org.id, email);
      if (!user) throw new UsageError(`--user: there is no user ${email} in ${org.slug}`);
      const input = { orgId: org.id, userId: user.id, roleKey, reason, expiresAt };
      const described = describeAssignment(
        await rbac.assignIn(input, operatorActor).catch(invalidAssignment),
        user.email,
        org,
      );
      print(ctx, described.human, {
        ...described.machine,
        orgSlug: org.slug,
        user: { id: user.id, email: user.email },
        reason,
        expiresAt: expiresAt ?? null,
      });
      return 0;
    });
  },

  async 'roles list'(ctx) {
    const command = 'roles list';
    onlyOptions(ctx, command, ['org']);
    positional(ctx, command, []);
    const slug = required(ctx, command, 'org', 'SLUG');
    return withCore(ctx, async (core) => {
      const { tenancy, rbac } = createServices(core);
      const org = findOrg(await tenancy.organizations(), slug);
      const roles = await rbac.rolesIn(org.id);
      const yes = (flag: boolean) => (flag ? 'yes' : 'no');
      const rows = roles.map((r) => [
        r.key,
        r.name,
        r.builtIn ? 'built-in' : 'custom',
        yes(r.privileged),
        yes(r.requireMfa),
        yes(r.requiresApproval),
        String(r.holders),
      ]);
      const header = ['KEY', 'NAME', 'KIND', 'PRIVILEGED', 'MFA', 'APPROVAL', 'HOLDERS'];
      print(ctx, table(header, rows), { orgSlug: org.slug, roles });
      return 0;
    });
  },
};
