import { scimSchemas, wantsMembers } from '../../scim/index.ts';
import { resourceRoutes } from './resource-routes.ts';
import type { ScimRouteGroup } from './route-group.ts';

/**
 * /Groups (RFC 7644 §3): create, read, replace, PATCH, delete and list with filters. A read
 * that leaves the members out (`excludedAttributes=members`, as Entra asks) does not read them.
 */
export const groupsRoutes: ScimRouteGroup = (scope, { scim }) =>
  resourceRoutes(scope, {
    path: '/Groups',
    coreSchema: scimSchemas.group,
    service: {
      ...scim.groups,
      get: (call, id, projection) =>
        scim.groups.get(call, id, { members: wantsMembers(projection) }),
    },
  });
