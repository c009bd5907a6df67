import { scimSchemas } from '../../scim/index.ts';
import { resourceRoutes } from './resource-routes.ts';
import type { ScimRouteGroup } from './route-group.ts';

/**
 * /Users (RFC 7644 §3): create, read, replace, PATCH, delete and list with filters, and the list
 * by POST /Users/.search.
 */
export const usersRoutes: ScimRouteGroup = (scope, { scim }) =>
  resourceRoutes(scope, {
    path: '/Users',
    coreSchema: scimSchemas.user,
    service: scim.users,
    search: true,
  });
