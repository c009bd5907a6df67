import { z } from 'zod';
import type { AccessExports } from '../../compliance/index.ts';
import type { IdentityService, User } from '../../identity/index.ts';
import type { Lifecycle } from '../../lifecycle/index.ts';
import { AppError, type AuditActor, type Tx } from '../../platform/index.ts';
import type { Principal, Rbac } from '../../rbac/index.ts';
import type { TenancyService } from '../../tenancy/index.ts';

export interface ApiServices {
  identity: IdentityService;
  lifecycle: Lifecycle;
  rbac: Rbac;
  tenancy: TenancyService;
  accessExports: AccessExports;
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
  method: 'GET' | 'POST';
  /** OpenAPI form: `/orgs/{orgId}/users`. */
  path: string;
  summary: string;
  /** The permission the central check demands (DESIGN §5, docs/access-control.md). */
  permission: string;
  /** `org` routes act on `{orgId}`; `platform` routes on the platform itself. */
  scope: 'org' | 'platform';
  query?: z.ZodObject;
  body?: z.ZodType;
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
