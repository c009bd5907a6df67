import { z } from 'zod';
import {
  builtInRoleKeys,
  permissionIds,
  permissions,
  platformPermissionIds,
  type RoleDefinition,
} from './catalog.ts';

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
    /** Default: any high- or critical-risk permission makes the role privileged. */
    privileged: z.boolean().optional(),
    /** Default: privileged roles require MFA. */
    requireMfa: z.boolean().optional(),
    /** Default: privileged roles need approval. */
    requiresApproval: z.boolean().optional(),
  })
  .strict();

/** What can change on an existing custom role (its key cannot). */
export const roleUpdateSchema = roleInputSchema.omit({ key: true }).partial().strict();

export type RoleInput = z.input<typeof roleInputSchema>;

/** The flags a role gets from its permissions when the input leaves them out. */
export function withDefaultFlags(input: z.output<typeof roleInputSchema>) {
  const privileged = input.privileged ?? input.permissions.some((p) => highRisk.has(p));
  return {
    ...input,
    permissions: [...new Set(input.permissions)].sort(),
    privileged,
    requireMfa: input.requireMfa ?? privileged,
    requiresApproval: input.requiresApproval ?? privileged,
  };
}

/** Platform permissions stay in the platform organization (least privilege across tenants). */
export function platformPermissionsIn(permissionList: string[]): string[] {
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
