import { z } from 'zod';
import type { ApiKeys } from '../../apikeys/index.ts';
import type { AccessExports } from '../../compliance/index.ts';
import type { IdentityService, User } from '../../identity/index.ts';
import type { Lifecycle } from '../../lifecycle/index.ts';
import { AppError, type AuditActor, type Tx } from '../../platform/index.ts';
import {
  type Principal,
  type Rbac,
  roleInputSchema,
  type UserPrincipal,
} from '../../rbac/index.ts';
import type { TenancyService } from '../../tenancy/index.ts';

/** Path ids are UUIDs; the one other path parameter, a role key, is a slug. */
export const roleKeyPattern = /^[a-z][a-z0-9-]{1,62}$/;

export interface ApiServices {
  identity: IdentityService;
  lifecycle: Lifecycle;
  rbac: Rbac;
  tenancy: TenancyService;
  accessExports: AccessExports;
  apiKeys: ApiKeys;
}

/** What a handler gets: its transaction is scoped to the route's organization (or platform). */
export interface ApiCall {
  tx: Tx;
  orgId: string;
  params: Record<string, string>;
  /** Already checked against the route's `query` schema. */
  query: unknown;
  /** Already checked against the route's `body` schema. */
  body: unknown;
  principal: Principal;
  actor: AuditActor;
  services: ApiServices;
  /** The request's `If-Match`, if any. */
  ifMatch?: string;
}

export interface ApiResult {
  status?: number;
  body: unknown;
  /** For `text/csv` answers. */
  type?: string;
  etag?: string;
}

/** One admin route: the route table is the API, its OpenAPI document and its access matrix. */
export interface ApiRoute {
  method: 'GET' | 'POST' | 'PATCH';
  /** OpenAPI form: `/orgs/{orgId}/users`. */
  path: string;
  summary: string;
  /** The permission the central check demands (DESIGN §5, docs/access-control.md). */
  permission: string;
  /** `org` routes act on `{orgId}`; `platform` routes on the platform itself. */
  scope: 'org' | 'platform';
  query?: z.ZodObject;
  body?: z.ZodType;
  /** A valid body, shown in OpenAPI (and sent by the access-matrix test). */
  example?: unknown;
  response: z.ZodType;
  handler(call: ApiCall): Promise<ApiResult>;
}

const userSchema = z.object({
  id: z.uuid(),
  orgId: z.uuid(),
  email: z.email(),
  displayName: z.string(),
  status: z.enum(['active', 'suspended', 'deprovisioned']),
  createdAt: z.iso.datetime(),
  deactivatedAt: z.iso.datetime().nullable(),
});

const userOut = (u: User) => ({
  id: u.id,
  orgId: u.orgId,
  email: u.email,
  displayName: u.displayName,
  status: u.status,
  createdAt: u.createdAt.toISOString(),
  deactivatedAt: u.deactivatedAt?.toISOString() ?? null,
});

/** A weak validator over what a client can change or see change. */
const etagOf = (u: User) => `W/"${u.status}-${u.deactivatedAt?.getTime() ?? 0}-${u.displayName}"`;

const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

const pageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.uuid().optional(),
  })
  .strict();

async function userIn(call: ApiCall): Promise<User> {
  const user = await call.services.identity.findUser(call.tx, call.params.userId ?? '');
  if (user?.orgId !== call.orgId)
    throw new AppError('not_found', 'user.not_found', 'No such user in this organization');
  return user;
}

const statusChange = (
  action: 'suspend' | 'reactivate' | 'deprovision',
  summary: string,
): ApiRoute => ({
  method: 'POST',
  path: `/orgs/{orgId}/users/{userId}/${action}`,
  summary,
  permission: 'users.deactivate',
  scope: 'org',
  response: userSchema,
  async handler(call) {
    const user = await userIn(call);
    const { lifecycle } = call.services;
    const changed =
      action === 'reactivate'
        ? await lifecycle.reactivate(call.tx, user.id, call.actor)
        : await lifecycle.deactivate(
            call.tx,
            user.id,
            action === 'suspend' ? 'suspended' : 'deprovisioned',
            call.actor,
          );
    return { body: userOut(changed), etag: etagOf(changed) };
  },
});

/** Approving and creating keys need a person: segregation of duties names who did it. */
function userOnly(call: ApiCall): UserPrincipal {
  if ('apiKeyId' in call.principal)
    throw new AppError(
      'forbidden',
      'api.user_required',
      'This needs a signed-in user, not an API key',
    );
  return call.principal;
}

const roleEtag = (version: number) => `W/"v${version}"`;

/** The version an `If-Match` names; required for updates (RFC 6585 428 without one). */
function versionOf(ifMatch: string | undefined): number {
  if (!ifMatch)
    throw new AppError(
      'precondition_required',
      'api.if_match_required',
      'Send If-Match with the ETag you read',
    );
  const version = /^W\/"v(\d{1,9})"$/.exec(ifMatch)?.[1];
  if (!version)
    throw new AppError(
      'precondition_failed',
      'api.if_match_invalid',
      'If-Match is not an ETag of this resource',
    );
  return Number(version);
}

const looseList = z.object({ items: z.array(z.object({}).loose()) });

const decision = (verdict: 'approve' | 'deny'): ApiRoute => ({
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
    const { note } = call.body as { note: string };
    const result = await call.services.rbac.decide(
      call.tx,
      call.params.requestId ?? '',
      verdict === 'approve' ? 'approved' : 'denied',
      approver,
      note,
      call.actor,
    );
    return { status: result.status === 'refused' ? 403 : 200, body: result };
  },
});

const exportQuery = z.object({ format: z.enum(['json', 'csv']).default('json') }).strict();

export const apiRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/orgs',
    summary: 'Every organization',
    permission: 'platform.orgs',
    scope: 'platform',
    response: z.object({
      items: z.array(
        z.object({ id: z.uuid(), slug: z.string(), name: z.string(), status: z.string() }),
      ),
    }),
    async handler(call) {
      const orgs = await call.services.tenancy.listOrganizations(call.tx);
      return {
        body: {
          items: orgs.map((o) => ({ id: o.id, slug: o.slug, name: o.name, status: o.status })),
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/orgs/{orgId}/users',
    summary: 'The users of an organization, by id (cursor pagination)',
    permission: 'users.read',
    scope: 'org',
    query: pageQuery,
    response: page(userSchema),
    async handler(call) {
      const { limit, cursor } = call.query as z.output<typeof pageQuery>;
      const users = await call.services.identity.listUsersPage(call.tx, call.orgId, {
        after: cursor,
        limit: limit + 1,
      });
      const items = users.slice(0, limit);
      return {
        body: {
          items: items.map(userOut),
          nextCursor: users.length > limit ? (items.at(-1)?.id ?? null) : null,
        },
      };
    },
  },
  {
    method: 'POST',
    path: '/orgs/{orgId}/users',
    summary: 'Create a user',
    permission: 'users.write',
    scope: 'org',
    body: z.object({ email: z.email(), displayName: z.string() }).strict(),
    example: { email: 'new.hire@example.com', displayName: 'New Hire' },
    response: userSchema,
    async handler(call) {
      const user = await call.services.identity.createUser(
        call.tx,
        call.orgId,
        call.body as { email: string; displayName: string },
        call.actor,
      );
      return { status: 201, body: userOut(user), etag: etagOf(user) };
    },
  },
  {
    method: 'GET',
    path: '/orgs/{orgId}/users/{userId}',
    summary: 'One user (with an ETag)',
    permission: 'users.read',
    scope: 'org',
    response: userSchema,
    async handler(call) {
      const user = await userIn(call);
      return { body: userOut(user), etag: etagOf(user) };
    },
  },
  statusChange('suspend', 'Suspend a user: sessions, API keys and OAuth access end at once'),
  statusChange('reactivate', 'Lift a suspension'),
  statusChange('deprovision', 'Deprovision a user for good: everything ends at once'),
  {
    method: 'GET',
    path: '/orgs/{orgId}/roles',
    summary: 'Built-in and custom roles with purpose, flags and permissions',
    permission: 'roles.read',
    scope: 'org',
    response: z.object({ items: z.array(z.object({ key: z.string() }).loose()) }),
    async handler(call) {
      return { body: { items: await call.services.rbac.rolesOf(call.tx, call.orgId) } };
    },
  },
  {
    method: 'POST',
    path: '/orgs/{orgId}/roles',
    summary: 'Create a custom role (purpose required)',
    permission: 'roles.manage',
    scope: 'org',
    body: roleInputSchema.omit({ ownerUserId: true }).extend({ ownerUserId: z.uuid().optional() }),
    example: {
      key: 'support',
      name: 'Support',
      description: 'Answers tickets.',
      purpose: 'First-line support reads users to help them.',
      permissions: ['users.read'],
    },
    response: z.object({ key: z.string(), version: z.number() }).loose(),
    async handler(call) {
      const input = call.body as { ownerUserId?: string };
      const owner =
        input.ownerUserId ?? ('userId' in call.principal ? call.principal.userId : undefined);
      const role = await call.services.rbac.createRole(
        call.tx,
        call.orgId,
        { ...input, ownerUserId: owner },
        call.actor,
      );
      return { status: 201, body: role, etag: roleEtag(role.version) };
    },
  },
  {
    method: 'PATCH',
    path: '/orgs/{orgId}/roles/{roleKey}',
    summary: 'Change a custom role (If-Match required)',
    permission: 'roles.manage',
    scope: 'org',
    body: roleInputSchema.omit({ key: true }).partial().strict(),
    example: { description: 'Answers tickets, reads users.' },
    response: z.object({ key: z.string(), version: z.number() }).loose(),
    async handler(call) {
      const role = await call.services.rbac.updateRole(
        call.tx,
        call.orgId,
        call.params.roleKey ?? '',
        call.body,
        call.actor,
        versionOf(call.ifMatch),
      );
      return { body: role, etag: roleEtag(role.version) };
    },
  },
  {
    method: 'GET',
    path: '/orgs/{orgId}/assignments',
    summary: 'Who holds which role, granted by whom, why, until when',
    permission: 'roles.read',
    scope: 'org',
    response: looseList,
    async handler(call) {
      return { body: { items: await call.services.rbac.assignmentsIn(call.tx, call.orgId) } };
    },
  },
  {
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
      const input = call.body as {
        userId: string;
        roleKey: string;
        reason: string;
        expiresAt?: string;
      };
      const requester = 'userId' in call.principal ? call.principal : null;
      const result = await call.services.rbac.assign(
        call.tx,
        {
          orgId: call.orgId,
          userId: input.userId,
          roleKey: input.roleKey,
          reason: input.reason,
          expiresAt: input.expiresAt ? new Date(input.expiresAt) : undefined,
        },
        requester,
        call.actor,
      );
      return { status: result.status === 'pending' ? 202 : 201, body: result };
    },
  },
  {
    method: 'GET',
    path: '/orgs/{orgId}/access-requests',
    summary: 'Pending access requests',
    permission: 'roles.read',
    scope: 'org',
    response: looseList,
    async handler(call) {
      return { body: { items: await call.services.rbac.pendingRequests(call.tx, call.orgId) } };
    },
  },
  decision('approve'),
  decision('deny'),
  {
    method: 'GET',
    path: '/orgs/{orgId}/conflict-rules',
    summary: 'Segregation-of-duties rules',
    permission: 'roles.read',
    scope: 'org',
    response: looseList,
    async handler(call) {
      return { body: { items: await call.services.rbac.conflictRules(call.tx, call.orgId) } };
    },
  },
  {
    method: 'POST',
    path: '/orgs/{orgId}/conflict-rules',
    summary: 'Add a rule: roles and permissions one user must not hold together',
    permission: 'roles.manage',
    scope: 'org',
    body: z.object({}).loose(),
    example: {
      name: 'Auditors do not grant',
      description: 'Whoever audits access must not grant it.',
      roles: ['org-auditor'],
      permissions: ['roles.assign'],
    },
    response: z.object({ id: z.uuid() }).loose(),
    async handler(call) {
      const rule = await call.services.rbac.addConflictRule(
        call.tx,
        call.orgId,
        call.body,
        call.actor,
      );
      return { status: 201, body: rule };
    },
  },
  {
    method: 'GET',
    path: '/orgs/{orgId}/conflict-rules/violations',
    summary: 'Users who hold what a rule forbids together',
    permission: 'roles.read',
    scope: 'org',
    response: looseList,
    async handler(call) {
      return { body: { items: await call.services.rbac.violations(call.tx, call.orgId) } };
    },
  },
  {
    method: 'GET',
    path: '/orgs/{orgId}/api-keys',
    summary: 'API keys of the organization (never their secrets)',
    permission: 'apikeys.manage',
    scope: 'org',
    response: looseList,
    async handler(call) {
      return { body: { items: await call.services.apiKeys.list(call.tx, call.orgId) } };
    },
  },
  {
    method: 'POST',
    path: '/orgs/{orgId}/api-keys',
    summary: 'Create an API key: shown once, no wider than yours',
    permission: 'apikeys.manage',
    scope: 'org',
    body: z.object({}).loose(),
    example: { name: 'HR sync', permissions: ['users.read'], expiresInDays: 30 },
    response: z.object({ key: z.object({}).loose(), token: z.string() }),
    async handler(call) {
      const creator = userOnly(call);
      const created = await call.services.apiKeys.create(
        call.tx,
        call.orgId,
        call.body,
        creator,
        call.actor,
      );
      return { status: 201, body: created };
    },
  },
  {
    method: 'POST',
    path: '/orgs/{orgId}/api-keys/{keyId}/revoke',
    summary: 'Revoke an API key',
    permission: 'apikeys.manage',
    scope: 'org',
    body: z.object({ reason: z.string().trim().min(1).max(500) }).strict(),
    example: { reason: 'no longer used' },
    response: z.object({ revoked: z.boolean() }),
    async handler(call) {
      const { reason } = call.body as { reason: string };
      await call.services.apiKeys.revoke(
        call.tx,
        call.orgId,
        call.params.keyId ?? '',
        reason,
        call.actor,
      );
      return { body: { revoked: true } };
    },
  },
  {
    method: 'GET',
    path: '/orgs/{orgId}/exports/permission-matrix',
    summary: 'The permission matrix, for the auditor (JSON or CSV)',
    permission: 'audit.read',
    scope: 'org',
    query: exportQuery,
    response: z.object({
      permissions: z.array(z.object({}).loose()),
      roles: z.array(z.object({}).loose()),
    }),
    async handler(call) {
      const { format } = call.query as z.output<typeof exportQuery>;
      const exports = call.services.accessExports;
      return format === 'csv'
        ? { type: 'text/csv', body: await exports.permissionMatrixCsv(call.tx, call.orgId) }
        : { body: await exports.permissionMatrix(call.tx, call.orgId) };
    },
  },
  {
    method: 'GET',
    path: '/orgs/{orgId}/exports/user-access',
    summary: 'Every user with status, roles, privilege, MFA and last sign-in (JSON or CSV)',
    permission: 'audit.read',
    scope: 'org',
    query: exportQuery,
    response: z.object({ items: z.array(z.object({}).loose()) }),
    async handler(call) {
      const { format } = call.query as z.output<typeof exportQuery>;
      const exports = call.services.accessExports;
      return format === 'csv'
        ? { type: 'text/csv', body: await exports.userAccessCsv(call.tx, call.orgId) }
        : { body: { items: await exports.userAccess(call.tx, call.orgId) } };
    },
  },
];
