import { z } from 'zod';
import type { User } from '../../../identity/index.ts';
import {
  type ApiCall,
  type ApiRoute,
  page,
  pageQuery,
  userIn,
  versionEtag,
  versionOf,
} from '../route.ts';

const userSchema = z.object({
  id: z.uuid(),
  orgId: z.uuid(),
  email: z.email(),
  displayName: z.string(),
  status: z.enum(['active', 'suspended', 'deprovisioned']),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  deactivatedAt: z.iso.datetime().nullable(),
});

const userOut = (u: User) => ({
  id: u.id,
  orgId: u.orgId,
  email: u.email,
  displayName: u.displayName,
  status: u.status,
  createdAt: u.createdAt.toISOString(),
  updatedAt: u.updatedAt.toISOString(),
  deactivatedAt: u.deactivatedAt?.toISOString() ?? null,
});

/** Every change of a user moves `updatedAt`: its milliseconds are the version. */
const answer = (user: User, status = 200) => ({
  status,
  body: userOut(user),
  etag: versionEtag(user.updatedAt.getTime()),
});

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
  async handler(call: ApiCall) {
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
    return answer(changed);
  },
});

export const userRoutes: ApiRoute[] = [
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
      return answer(user, 201);
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
      return answer(await userIn(call));
    },
  },
  {
    method: 'PATCH',
    path: '/orgs/{orgId}/users/{userId}',
    summary: 'Change email or display name (If-Match required)',
    permission: 'users.write',
    scope: 'org',
    conditional: true,
    body: z.object({ email: z.email().optional(), displayName: z.string().optional() }).strict(),
    example: { displayName: 'Ada Lovelace' },
    response: userSchema,
    async handler(call) {
      const version = versionOf(call.ifMatch);
      const user = await userIn(call);
      return answer(
        await call.services.identity.updateUser(call.tx, user.id, call.body, call.actor, version),
      );
    },
  },
  statusChange('suspend', 'Suspend a user: sessions, API keys and OAuth access end at once'),
  statusChange('reactivate', 'Lift a suspension'),
  statusChange('deprovision', 'Deprovision a user for good: everything ends at once'),
];
