import { z } from 'zod';
import {
  builtInRoleKeys,
  permissionIds,
  permissions,
  platformPermissionIds,
  type RoleDefinition,
} from './catalog.ts';
import { rbacErrors } from './errors.ts';

const highRisk = new Set(
  permissions.filter((p) => p.risk === 'high' || p.risk === 'critical').map((p) => p.id),
);

const roleKey = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,62}$/, 'use 2–63 lowercase letters, digits and hyphens')
  .refine((key) => !builtInRoleKeys.has(key), 'is the key of a built-in role');

const knownPermission = z
  .string()
  .refine((id) => permissionIds.has(id), 'is not a permission of the catalog');

const text = (max: number) => z.string().trim().min(1).max(max);

/** A custom role (docs/access-control.md#roles): name, description and purpose are required. */
export const roleInputSchema = z
  .object({
    key: roleKey,
    name: text(200),
    description: text(2000),
    purpose: text(2000),
    permissions: z.array(knownPermission).max(100),
    ownerUserId: z.uuid(),
    /** Always true with a high- or critical-risk permission (see privilegeFlags). */
    privileged: z.boolean().optional(),
    /** Default: privileged roles require MFA; always with a high-risk permission. */
    requireMfa: z.boolean().optional(),
    /** Default: privileged roles need approval; always with a high-risk permission. */
    requiresApproval: z.boolean().optional(),
  })
  .strict();

/** What can change on an existing custom role (its key cannot). */
export const roleUpdateSchema = roleInputSchema.omit({ key: true }).partial().strict();

export type RoleInput = z.input<typeof roleInputSchema>;

/** What a role demands of its holders besides its permissions. */
export interface PrivilegeFlags {
  /** Reviewed quarterly; held only through approval by default. */
  privileged: boolean;
  requireMfa: boolean;
  requiresApproval: boolean;
}

const flagNames = ['privileged', 'requireMfa', 'requiresApproval'] as const;

/**
 * The flags of a role. A role with a high- or critical-risk permission is privileged, requires
 * MFA and approval, whatever its flags say: otherwise a custom role could carry
 * `access.approve` or `roles.assign` without the controls of a built-in role. Other roles get
 * the flags chosen in `explicit`, else the role's `current` ones, else not privileged (and MFA
 * and approval follow `privileged`). Saying `false` for a high-risk role is refused, so the
 * caller learns that the flag cannot be lowered rather than seeing it silently ignored.
 */
export function privilegeFlags(
  permissionList: readonly string[],
  explicit: Partial<PrivilegeFlags>,
  current?: PrivilegeFlags,
): PrivilegeFlags {
  const risky = permissionList.filter((p) => highRisk.has(p));
  if (risky.length > 0) {
    const lowered = flagNames.filter((flag) => explicit[flag] === false);
    if (lowered.length > 0)
      throw rbacErrors.privilegeRequired({
        flags: lowered.join(', '),
        permissions: risky.join(', '),
        details: { flags: lowered, highRisk: risky },
      });
    return { privileged: true, requireMfa: true, requiresApproval: true };
  }
  const privileged = explicit.privileged ?? current?.privileged ?? false;
  return {
    privileged,
    requireMfa: explicit.requireMfa ?? current?.requireMfa ?? privileged,
    requiresApproval: explicit.requiresApproval ?? current?.requiresApproval ?? privileged,
  };
}

/** A permission list without repeats, in a stable order (what is stored and audited). */
export const normalized = (permissionList: readonly string[]) =>
  [...new Set(permissionList)].sort();

/** Platform permissions stay in the platform organization (least privilege across tenants). */
export function platformPermissionsIn(permissionList: readonly string[]): string[] {
  return permissionList.filter((p) => platformPermissionIds.has(p));
}

export const conflictRuleInputSchema = z
  .object({
    name: text(200),
    description: text(2000),
    roles: z.array(z.string().min(1).max(63)).max(20).default([]),
    permissions: z.array(knownPermission).max(20).default([]),
  })
  .strict()
  .refine((rule) => new Set([...rule.roles, ...rule.permissions]).size >= 2, {
    message: 'a rule needs at least two roles or permissions that must not be held together',
    path: ['roles'],
  });

export interface ConflictRule {
  id: string;
  name: string;
  roles: string[];
  permissions: string[];
}

/** What a user holds: role keys and the permissions those roles give. */
export interface Holdings {
  roles: Set<string>;
  permissions: Set<string>;
}

export function holdingsOf(roles: RoleDefinition[]): Holdings {
  return {
    roles: new Set(roles.map((r) => r.key)),
    permissions: new Set(roles.flatMap((r) => r.permissions)),
  };
}

/** The rules broken by holding all of `held`: every role and permission of a rule at once. */
export function brokenRules<R extends ConflictRule>(held: Holdings, rules: R[]): R[] {
  return rules.filter(
    (rule) =>
      rule.roles.every((r) => held.roles.has(r)) &&
      rule.permissions.every((p) => held.permissions.has(p)),
  );
}

/**
 * Why `approverId` may not decide a request (segregation of duties), or null when they may:
 * never the requester nor the beneficiary, and only someone holding `access.approve` in the org.
 */
export function approvalRefusal(
  request: { userId: string; requestedBy: string | null },
  approverId: string,
  approverHolds: Holdings,
): string | null {
  if (approverId === request.userId) return 'the beneficiary cannot approve their own access';
  if (approverId === request.requestedBy) return 'the requester cannot approve their own request';
  if (!approverHolds.permissions.has('access.approve'))
    return 'approving needs the access.approve permission';
  return null;
}
