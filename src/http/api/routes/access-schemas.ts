import { z } from 'zod';
import { isoDate } from '../route.ts';

/** A role as the API shows it: built in, or custom (with its organization, owner and version). */
export const roleSchema = z.object({
  key: z.string(),
  name: z.string(),
  description: z.string(),
  purpose: z.string(),
  permissions: z.array(z.string()),
  privileged: z.boolean(),
  requireMfa: z.boolean(),
  requiresApproval: z.boolean(),
  builtIn: z.boolean(),
  platformOnly: z.boolean(),
  orgId: z.uuid().optional(),
  ownerUserId: z.uuid().optional(),
  version: z.number().int().optional(),
});

export const customRoleSchema = roleSchema.extend({
  orgId: z.uuid(),
  ownerUserId: z.uuid(),
  version: z.number().int(),
});

/** Where a grant came from: an administrator (or the user asking) or the directory (SCIM). */
export const grantSourceSchema = z.enum(['admin', 'scim']);

/** Who holds which role, granted by whom, why, until when, and whether the directory gave it. */
export const assignmentSchema = z.object({
  userId: z.uuid(),
  roleKey: z.string(),
  grantedBy: z.uuid().nullable(),
  reason: z.string(),
  grantedAt: isoDate,
  expiresAt: isoDate.nullable(),
  source: grantSourceSchema,
});

/** An access request, as stored (the API has always shown its row's column names). */
export const accessRequestSchema = z.object({
  id: z.uuid(),
  org_id: z.uuid(),
  user_id: z.uuid(),
  role_key: z.string(),
  requested_by: z.uuid().nullable(),
  reason: z.string(),
  assignment_expires_at: isoDate.nullable(),
  status: z.enum(['pending', 'approved', 'denied', 'expired']),
  decided_by: z.uuid().nullable(),
  decided_at: isoDate.nullable(),
  decision_note: z.string().nullable(),
  created_at: isoDate,
  expires_at: isoDate,
  source: grantSourceSchema,
});

/** A segregation-of-duties rule, as stored (its row's column names, as the API always had). */
export const conflictRuleSchema = z.object({
  id: z.uuid(),
  org_id: z.uuid(),
  name: z.string(),
  description: z.string(),
  roles: z.array(z.string()),
  permissions: z.array(z.string()),
  created_by: z.uuid().nullable(),
  created_at: isoDate,
});

/** A user who holds what a rule forbids together. */
export const violationSchema = z.object({
  userId: z.uuid(),
  ruleId: z.uuid(),
  rule: z.string(),
});
