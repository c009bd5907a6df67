import { z } from 'zod';
import { conflictRuleInputSchema, rbacErrors, roleInputSchema } from '../../../rbac/index.ts';
import { httpErrors } from '../../errors.ts';
import {
  defineRoute,
  page,
  reasonBody,
  userIn,
  userOnly,
  versionEtag,
  versionOf,
} from '../route.ts';
import {
  accessRequestSchema,
  assignmentSchema,
  conflictRuleSchema,
  customRoleSchema,
  roleSchema,
  violationSchema,
} from './access-schemas.ts';

/**
 * The assignment list's query: `userId` keeps one user's (the admin console reads its own user's
 * roles so, a page of 200 at a time), `roleKey` one role's holders.
 */
const assignmentListQuery = z
  .object({
    userId: z.uuid().optional(),
    roleKey: z.string().min(1).max(63).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    /** The previous page's `nextCursor`, as it was given. */
    cursor: z.string().min(1).max(200).optional(),
  })
  .strict();

const decision = (verdict: 'approve' | 'deny') =>
  defineRoute({
    method: 'POST',
    path: `/orgs/{orgId}/access-requests/{requestId}/${verdict}`,
    summary:
      verdict === 'approve' ? 'Approve an access request (not your own)' : 'Deny an access request',
    permission: 'access.approve',
    scope: 'org',
    body: z.object({ note: z.string().trim().min(1).max(2000) }).strict(),
    example: { note: 'agreed with the team lead' },
    response: z.object({ status: z.string(), reason: z.string().optional() }),
    async handler(call) {
      const approver = userOnly(call);
      const result = await call.services.rbac.decide(
        call.tx,
        call.params.requestId,
        verdict === 'approve' ? 'approved' : 'denied',
        approver,
        call.body.note,
        call.actor,
      );
      return { status: result.status === 'refused' ? 403 : 200, body: result };
    },
  });

/** Roles, who holds them, the requests for them and the rules that keep duties apart. */
export const accessRoutes = [
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/roles',
    summary: 'Built-in and custom roles with purpose, flags and permissions',
    permission: 'roles.read',
    scope: 'org',
    response: z.object({ items: z.array(roleSchema) }),
    async handler(call) {
      return { body: { items: await call.services.rbac.rolesOf(call.tx, call.orgId) } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/roles/{roleKey}',
    summary: 'One role (a custom role comes with its ETag)',
    permission: 'roles.read',
    scope: 'org',
    response: roleSchema,
    async handler(call) {
      const key = call.params.roleKey;
      const role = (await call.services.rbac.rolesOf(call.tx, call.orgId)).find(
        (r) => r.key === key,
      );
      if (!role) throw rbacErrors.roleNotFound({ key });
      const version =
        'version' in role && typeof role.version === 'number' ? role.version : undefined;
      return { body: role, etag: version === undefined ? undefined : versionEtag(version) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/roles',
    summary: 'Create a custom role (purpose required)',
    permission: 'roles.manage',
    scope: 'org',
    body: roleInputSchema.omit({ ownerUserId: true }).extend({
      ownerUserId: z.uuid().optional().meta({
        description:
          'The user of the organization accountable for the role. Defaults to the signed-in caller when they belong to the organization; an API key or a platform user must name one (400 `api.owner_required` otherwise, `rbac.owner_not_found` for a user not in the organization).',
      }),
    }),
    example: {
      key: 'support',
      name: 'Support',
      description: 'Answers tickets.',
      purpose: 'First-line support reads users to help them.',
      permissions: ['users.read'],
    },
    response: customRoleSchema,
    async handler(call) {
      const input = call.body;
      // By default the caller owns the role, when they are a user of its organization.
      const caller = 'userId' in call.principal ? call.principal : undefined;
      const owner = input.ownerUserId ?? (caller?.orgId === call.orgId ? caller.userId : undefined);
      if (!owner) throw httpErrors.apiOwnerRequired();
      const role = await call.services.rbac.createRole(
        call.tx,
        call.orgId,
        { ...input, ownerUserId: owner },
        call.principal,
        call.actor,
      );
      return { status: 201, body: role, etag: versionEtag(role.version) };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/orgs/{orgId}/roles/{roleKey}',
    summary: 'Change a custom role (If-Match required)',
    permission: 'roles.manage',
    scope: 'org',
    conditional: true,
    body: roleInputSchema.omit({ key: true }).partial().strict(),
    example: { description: 'Answers tickets, reads users.' },
    response: customRoleSchema,
    async handler(call) {
      const role = await call.services.rbac.updateRole(
        call.tx,
        call.orgId,
        call.params.roleKey,
        call.body,
        call.principal,
        call.actor,
        versionOf(call.ifMatch),
      );
      return { body: role, etag: versionEtag(role.version) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/assignments',
    summary:
      'Who holds which role, granted by whom, why, until when: by user, then role; of one user or one role (cursor pagination)',
    permission: 'roles.read',
    scope: 'org',
    query: assignmentListQuery,
    response: page(assignmentSchema),
    async handler(call) {
      return { body: await call.services.rbac.assignmentsPage(call.tx, call.orgId, call.query) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/assignments',
    summary: 'Give a user a role: at once, or as an access request when the role needs approval',
    permission: 'roles.assign',
    scope: 'org',
    body: z
      .object({
        userId: z.uuid(),
        roleKey: z.string().min(1).max(63),
        reason: z.string().trim().min(1).max(2000),
        expiresAt: z.iso.datetime().optional(),
      })
      .strict(),
    example: {
      userId: '00000000-0000-7000-8000-000000000000',
      roleKey: 'member',
      reason: 'joined',
    },
    response: z.object({ status: z.string(), requestId: z.string().optional() }),
    async handler(call) {
      const input = call.body;
      const result = await call.services.rbac.assign(
        call.tx,
        {
          orgId: call.orgId,
          userId: input.userId,
          roleKey: input.roleKey,
          reason: input.reason,
          expiresAt: input.expiresAt ? new Date(input.expiresAt) : undefined,
        },
        call.principal,
        call.actor,
      );
      return { status: result.status === 'pending' ? 202 : 201, body: result };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/orgs/{orgId}/users/{userId}/roles/{roleKey}',
    summary: 'Take a role away from a user (the reason is audited)',
    permission: 'roles.assign',
    scope: 'org',
    query: reasonBody,
    response: z.object({ removed: z.literal(true) }),
    async handler(call) {
      const user = await userIn(call);
      const { reason } = call.query;
      await call.services.rbac.unassign(
        call.tx,
        call.orgId,
        user.id,
        call.params.roleKey,
        reason,
        call.actor,
      );
      return { body: { removed: true as const } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/access-requests',
    summary: 'Ask for a role for yourself: always a request, which someone else approves',
    permission: 'access.request',
    scope: 'org',
    body: z
      .object({
        roleKey: z.string().min(1).max(63),
        reason: z.string().trim().min(1).max(2000),
        expiresAt: z.iso.datetime().optional(),
      })
      .strict(),
    example: { roleKey: 'support', reason: 'joining the support rota in March' },
    response: z.object({ status: z.literal('pending'), requestId: z.uuid() }),
    async handler(call) {
      const requester = userOnly(call);
      if (requester.orgId !== call.orgId) throw rbacErrors.ownOrgOnly();
      const input = call.body;
      const result = await call.services.rbac.requestAccess(
        call.tx,
        {
          roleKey: input.roleKey,
          reason: input.reason,
          expiresAt: input.expiresAt ? new Date(input.expiresAt) : undefined,
        },
        requester,
        call.actor,
      );
      return { status: 202, body: result };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/access-requests',
    summary: 'Pending access requests',
    permission: 'roles.read',
    scope: 'org',
    response: z.object({ items: z.array(accessRequestSchema) }),
    async handler(call) {
      return { body: { items: await call.services.rbac.pendingRequests(call.tx, call.orgId) } };
    },
  }),
  decision('approve'),
  decision('deny'),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/conflict-rules',
    summary: 'Segregation-of-duties rules',
    permission: 'roles.read',
    scope: 'org',
    response: z.object({ items: z.array(conflictRuleSchema) }),
    async handler(call) {
      return { body: { items: await call.services.rbac.conflictRules(call.tx, call.orgId) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/conflict-rules',
    summary: 'Add a rule: roles and permissions one user must not hold together',
    permission: 'roles.manage',
    scope: 'org',
    body: conflictRuleInputSchema,
    example: {
      name: 'Auditors do not grant',
      description: 'Whoever audits access must not grant it.',
      roles: ['org-auditor'],
      permissions: ['roles.assign'],
    },
    response: conflictRuleSchema,
    async handler(call) {
      const rule = await call.services.rbac.addConflictRule(
        call.tx,
        call.orgId,
        call.body,
        call.actor,
      );
      return { status: 201, body: rule };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/orgs/{orgId}/conflict-rules/{ruleId}',
    summary: 'Remove a rule',
    permission: 'roles.manage',
    scope: 'org',
    response: z.object({ removed: z.literal(true) }),
    async handler(call) {
      await call.services.rbac.removeConflictRule(
        call.tx,
        call.orgId,
        call.params.ruleId,
        call.actor,
      );
      return { body: { removed: true as const } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/conflict-rules/violations',
    summary: 'Users who hold what a rule forbids together',
    permission: 'roles.read',
    scope: 'org',
    response: z.object({ items: z.array(violationSchema) }),
    async handler(call) {
      return { body: { items: await call.services.rbac.violations(call.tx, call.orgId) } };
    },
  }),
];
