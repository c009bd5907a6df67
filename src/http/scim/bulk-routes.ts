import { runBulk } from '../../scim/index.ts';
import { callOf, sendScim } from './call.ts';
import type { ScimRouteGroup } from './route-group.ts';

/**
 * POST /Bulk (RFC 7644 §3.7): many operations on Users and Groups in one request, each run by
 * the resource's own use case in its own transaction; the answer says what each one did.
 */
export const bulkRoutes: ScimRouteGroup = (scope, { scim }) => {
  scope.post('/Bulk', async (request, reply) => {
    const call = callOf(request);
    // The token must be the organization's before any operation is tried.
    await scim.check(call);
    const resources = { Users: scim.users, Groups: scim.groups };
    const answer = await runBulk(call, request.body, resources, (err) =>
      request.log.error({ err }, 'a SCIM bulk operation failed'),
    );
    return sendScim(reply, 200, answer);
  });
};
