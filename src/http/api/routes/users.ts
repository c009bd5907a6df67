import { z } from 'zod';
import type { User } from '../../../identity/index.ts';
import {
  type ApiCall,
  defineRoute,
  isoDate,
  page,
  userIn,
  versionEtag,
  versionOf,
} from '../route.ts';

/** A user as the API shows it: `parse` maps a domain `User` to it. */
const userSchema = z.object({
  id: z.uuid(),
  orgId: z.uuid(),
  email: z.email(),
  displayName: z.string(),
  status: z.enum(['active', 'suspended', 'deprovisioned']),
  createdAt: isoDate,
  updatedAt: isoDate,
  deactivatedAt: isoDate.nullable(),
});

/** The list's query. An empty `q` (a cleared search box) lists everyone. */
const userListQuery = z
  .object({
    q: z
      .string()
      .max(200)
      .transform((q) => q.trim() || undefined)
      .optional(),
    status: z.enum(['active', 'suspended', 'deprovisioned']).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    /** The previous page's `nextCursor`, as it was given. */
    cursor: z.string().min(1).max(200).optional(),
  })
  .strict();

/** Every change of a user moves `updatedAt`: its milliseconds are the version. */
const answer = (user: User, status = 200) => ({
  status,
  body: user,
  etag: versionEtag(user.updatedAt.getTime()),
});

const statusChange = (action: 'suspend' | 'reactivate' | 'deprovision', summary: string) =>
  defineRoute({
    method: 'POST',
    path: `/orgs/{orgId}/users/{userId}/${action}`,
    summary,
    permission: 'users.deactivate',
    scope: 'org',
    response: userSchema,
    async handler(call) {
      const user = await userIn(call);
      return answer(await changeStatus(call, user, action));
    },
  });

function changeStatus(
  { tx, services, actor }: ApiCall,
  user: User,
  action: 'suspend' | 'reactivate' | 'deprovision',
) {
  if (action === 'reactivate') return services.lifecycle.reactivate(tx, user.id, actor);
  const status = action === 'suspend' ? 'suspended' : 'deprovisioned';
  return services.lifecycle.deactivate(tx, user.id, status, actor, { source: 'admin' });
}

export const userRoutes = [
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/users',
    summary:
      'The users of an organization in creation order: search by email or name, filter by status (cursor pagination)',
    permission: 'users.read',
    scope: 'org',
    query: userListQuery,
    response: page(userSchema),
    async handler(call) {
      const { q, status, limit, cursor } = call.query;
      return {
        body: await call.services.identity.listUsersPage(call.tx, call.orgId, {
          search: q,
          status,
          limit,
          cursor,
        }),
      };
    },
  }),
  defineRoute({
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
        call.body,
        call.actor,
      );
      return answer(user, 201);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/users/{userId}',
    summary: 'One user (with an ETag)',
    permission: 'users.read',
    scope: 'org',
    response: userSchema,
    async handler(call) {
      return answer(await userIn(call));
    },
  }),
  defineRoute({
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
  }),
  statusChange('suspend', 'Suspend a user: sessions, API keys and OAuth access end at once'),
  statusChange('reactivate', 'Lift a suspension'),
  statusChange('deprovision', 'Deprovision a user for good: everything ends at once'),
];
