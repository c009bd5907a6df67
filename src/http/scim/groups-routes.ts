import {
  listRequestOf,
  listResponse,
  project,
  projectionOf,
  scimSchemas,
  wantsMembers,
} from '../../scim/index.ts';
import { callOf, ifMatchOf, paramOf, queryOf, sendScim } from './call.ts';
import type { ScimRouteGroup } from './route-group.ts';

/**
 * /Groups (RFC 7644 §3): create, read, replace, PATCH, delete and list with filters. A read
 * that leaves the members out (`excludedAttributes=members`, as Entra asks) does not read them.
 */
export const groupsRoutes: ScimRouteGroup = (scope, { scim }) => {
  const shown = (query: Record<string, unknown>, resource: Record<string, unknown>) =>
    project(resource, projectionOf(query), scimSchemas.group);

  scope.get('/Groups', async (request, reply) => {
    const list = listRequestOf(queryOf(request));
    const page = await scim.groups.list(callOf(request), list);
    const resources = page.resources.map((r) => project(r, list, scimSchemas.group));
    return sendScim(reply, 200, listResponse(resources, page.total, list.startIndex));
  });

  scope.post('/Groups', async (request, reply) => {
    const query = queryOf(request);
    projectionOf(query);
    const created = await scim.groups.create(callOf(request), request.body);
    reply.header('location', (created.resource.meta as { location: string }).location);
    return sendScim(reply, 201, shown(query, created.resource), created.version);
  });

  scope.get('/Groups/:id', async (request, reply) => {
    const query = queryOf(request);
    const members = wantsMembers(projectionOf(query));
    const found = await scim.groups.get(callOf(request), paramOf(request, 'id'), { members });
    return sendScim(reply, 200, shown(query, found.resource), found.version);
  });

  scope.put('/Groups/:id', async (request, reply) => {
    const query = queryOf(request);
    const call = callOf(request);
    const id = paramOf(request, 'id');
    const replaced = await scim.groups.replace(call, id, request.body, ifMatchOf(request));
    return sendScim(reply, 200, shown(query, replaced.resource), replaced.version);
  });

  scope.patch('/Groups/:id', async (request, reply) => {
    const query = queryOf(request);
    const call = callOf(request);
    const id = paramOf(request, 'id');
    const patched = await scim.groups.patch(call, id, request.body, ifMatchOf(request));
    return sendScim(reply, 200, shown(query, patched.resource), patched.version);
  });

  scope.delete('/Groups/:id', async (request, reply) => {
    await scim.groups.remove(callOf(request), paramOf(request, 'id'), ifMatchOf(request));
    return reply.code(204).send();
  });
};
