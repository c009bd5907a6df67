import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type BulkResource,
  type JsonObject,
  type ListRequest,
  listRequestOf,
  listResponse,
  type Projection,
  project,
  projectionOf,
  type ScimCall,
  searchRequestOf,
} from '../../scim/index.ts';
import { callOf, ifMatchOf, paramOf, queryOf, sendScim } from './call.ts';

/** What a SCIM resource type's use cases offer its routes (Users, Groups). */
export interface ScimResourceService extends BulkResource {
  list(call: ScimCall, request: ListRequest): Promise<{ resources: JsonObject[]; total: number }>;
  /** One resource; `projection` says which attributes the answer keeps (a read may skip others). */
  get(
    call: ScimCall,
    id: string,
    projection: Projection,
  ): Promise<{ resource: JsonObject; version: string }>;
}

/**
 * The routes of one resource type at `path` (RFC 7644 §3): list with filters, create, read,
 * replace, PATCH and delete, each answer shaped by the request's `attributes` or
 * `excludedAttributes`, which are read before anything runs so that a bad one changes nothing.
 * `search` adds POST `<path>/.search` (§3.4.3): the list's parameters in the body, a filter kept
 * out of URLs and logs.
 */
export function resourceRoutes(
  scope: FastifyInstance,
  spec: { path: string; coreSchema: string; service: ScimResourceService; search?: boolean },
): void {
  const { path, coreSchema, service } = spec;

  /** A page of resources as a ListResponse, each shaped by the request's attributes. */
  async function listed(request: FastifyRequest, reply: FastifyReply, list: ListRequest) {
    const page = await service.list(callOf(request), list);
    const resources = page.resources.map((r) => project(r, list, coreSchema));
    return sendScim(reply, 200, listResponse(resources, page.total, list.startIndex));
  }

  scope.get(path, async (request, reply) =>
    listed(request, reply, listRequestOf(queryOf(request))),
  );
  if (spec.search)
    scope.post(`${path}/.search`, async (request, reply) =>
      listed(request, reply, searchRequestOf(request.body)),
    );

  scope.post(path, async (request, reply) => {
    const projection = projectionOf(queryOf(request));
    const created = await service.create(callOf(request), request.body);
    reply.header('location', (created.resource.meta as { location: string }).location);
    return sendScim(reply, 201, project(created.resource, projection, coreSchema), created.version);
  });

  /** A route on one resource: its answer, shaped; the version as the ETag. */
  const onOne =
    (
      change: (
        call: ScimCall,
        id: string,
        request: FastifyRequest,
        projection: Projection,
      ) => Promise<{ resource: JsonObject; version: string }>,
    ) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const projection = projectionOf(queryOf(request));
      const answer = await change(callOf(request), paramOf(request, 'id'), request, projection);
      return sendScim(reply, 200, project(answer.resource, projection, coreSchema), answer.version);
    };

  scope.get(
    `${path}/:id`,
    onOne((call, id, _request, projection) => service.get(call, id, projection)),
  );
  scope.put(
    `${path}/:id`,
    onOne((call, id, request) => service.replace(call, id, request.body, ifMatchOf(request))),
  );
  scope.patch(
    `${path}/:id`,
    onOne((call, id, request) => service.patch(call, id, request.body, ifMatchOf(request))),
  );
  scope.delete(`${path}/:id`, async (request, reply) => {
    await service.remove(callOf(request), paramOf(request, 'id'), ifMatchOf(request));
    return reply.code(204).send();
  });
}
