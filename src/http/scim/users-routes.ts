import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  type ListRequest,
  listRequestOf,
  listResponse,
  project,
  projectionOf,
  scimSchemas,
  searchRequestOf,
} from '../../scim/index.ts';
import { callOf, ifMatchOf, paramOf, queryOf, sendScim } from './call.ts';
import type { ScimRouteGroup } from './route-group.ts';

/** /Users (RFC 7644 §3): create, read, replace, PATCH, delete and list with filters. */
export const usersRoutes: ScimRouteGroup = (scope, { scim }) => {
  const shown = (query: Record<string, unknown>, resource: Record<string, unknown>) =>
    project(resource, projectionOf(query), scimSchemas.user);

  /** A page of users as a ListResponse, each shaped by the request's attributes. */
  async function listed(request: FastifyRequest, reply: FastifyReply, list: ListRequest) {
    const page = await scim.users.list(callOf(request), list);
    const resources = page.resources.map((r) => project(r, list, scimSchemas.user));
    return sendScim(reply, 200, listResponse(resources, page.total, list.startIndex));
  }

  scope.get('/Users', async (request, reply) =>
    listed(request, reply, listRequestOf(queryOf(request))),
  );

  // The same list, its parameters in the body (RFC 7644 §3.4.3): a filter kept out of URLs and logs.
  scope.post('/Users/.search', async (request, reply) =>
    listed(request, reply, searchRequestOf(request.body)),
  );

  scope.post('/Users', async (request, reply) => {
    const query = queryOf(request);
    projectionOf(query);
    const created = await scim.users.create(callOf(request), request.body);
    reply.header('location', (created.resource.meta as { location: string }).location);
    return sendScim(reply, 201, shown(query, created.resource), created.version);
  });

  scope.get('/Users/:id', async (request, reply) => {
    const query = queryOf(request);
    const found = await scim.users.get(callOf(request), paramOf(request, 'id'));
    return sendScim(reply, 200, shown(query, found.resource), found.version);
  });

  scope.put('/Users/:id', async (request, reply) => {
    const query = queryOf(request);
    const call = callOf(request);
    const id = paramOf(request, 'id');
    const replaced = await scim.users.replace(call, id, request.body, ifMatchOf(request));
    return sendScim(reply, 200, shown(query, replaced.resource), replaced.version);
  });

  scope.patch('/Users/:id', async (request, reply) => {
    const query = queryOf(request);
    const call = callOf(request);
    const id = paramOf(request, 'id');
    const patched = await scim.users.patch(call, id, request.body, ifMatchOf(request));
    return sendScim(reply, 200, shown(query, patched.resource), patched.version);
  });

  scope.delete('/Users/:id', async (request, reply) => {
    await scim.users.remove(callOf(request), paramOf(request, 'id'), ifMatchOf(request));
    return reply.code(204).send();
  });
};
