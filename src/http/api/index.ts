import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  isAppError,
  isUuid,
  parseInput,
  platformOrgId,
  systemClock,
  type Tx,
  withOrg,
  withPlatform,
} from '../../platform/index.ts';
import { httpErrors } from '../errors.ts';
import { type ApiAuthDeps, principalOf } from './auth.ts';
import { openApiDocument } from './openapi.ts';
import { createRefusalLog, type Refusal } from './refusals.ts';
import { type ApiResult, type ApiRoute, type ApiServices, roleKeyPattern } from './route.ts';
import { apiRoutes } from './routes/index.ts';

export interface AdminApiDeps extends ApiAuthDeps, ApiServices {
  publicUrl: string;
}

export const apiPrefix = '/api/v1';
export { apiRoutes };

/** Fastify's form of an OpenAPI path: `{orgId}` → `:orgId`. */
const fastifyPath = (route: ApiRoute) => `${apiPrefix}${route.path.replace(/\{(\w+)\}/g, ':$1')}`;

/**
 * A JSON answer goes through the route's response schema: it maps the domain object (dates to
 * ISO strings) and drops every field the schema does not declare, so nothing undeclared (a
 * secret's hash, say) reaches the client. Inside the transaction: an answer that breaks its
 * schema is a bug, and the change it answers for is rolled back with it.
 */
export function answerOf(route: Pick<ApiRoute, 'response'>, result: ApiResult): ApiResult {
  if (result.type !== undefined || !route.response) return result;
  return { ...result, body: route.response.parse(result.body) };
}

function send(reply: FastifyReply, result: ApiResult) {
  if (result.etag) reply.header('etag', result.etag);
  if (result.filename)
    reply.header('content-disposition', `attachment; filename="${result.filename}"`);
  reply.code(result.status ?? 200);
  return result.type ? reply.type(result.type).send(result.body) : reply.send(result.body);
}

/**
 * The admin REST API (docs/admin-api.md): every route of the table, behind one authentication
 * and one permission check, its handler in a transaction scoped to the route's organization.
 */
export function registerAdminApi(app: FastifyInstance, deps: AdminApiDeps): void {
  const document = openApiDocument(apiRoutes, deps.publicUrl);
  app.get(`${apiPrefix}/openapi.json`, async () => document);
  const refusals = createRefusalLog({
    append: deps.audit.append,
    clock: systemClock,
    logger: app.log,
    platformOrgId,
  });
  // Closes the minute windows of refused calls, writing the counts of those that ended.
  const sweep = setInterval(() => void refusals.flush(), 60_000).unref();
  app.addHook('onClose', async () => {
    clearInterval(sweep);
    await refusals.flush(true);
  });

  for (const route of apiRoutes) {
    app.route({
      method: route.method,
      url: fastifyPath(route),
      handler: async (request, reply) => {
        const params = request.params as Record<string, string>;
        for (const [name, value] of Object.entries(params)) {
          const valid = name.endsWith('Id') ? isUuid(value) : roleKeyPattern.test(value);
          if (!valid) throw httpErrors.apiInvalidPath({ name, value });
        }
        let caller: Refusal['caller'];
        try {
          caller = await principalOf(deps, request);
          return await answer(request, reply, route, params, caller);
        } catch (err) {
          // Every refusal, the permission check's or a handler's, is audited (rate-limited).
          if (isAppError(err) && (err.kind === 'unauthenticated' || err.kind === 'forbidden'))
            await refusals.record({
              caller,
              ip: request.ip,
              userAgent: request.headers['user-agent'],
              requestId: String(request.id),
              method: route.method,
              route: route.path,
              permission: route.permission,
              targetOrgId: params.orgId,
              status: err.kind === 'unauthenticated' ? 401 : 403,
              code: err.code,
            });
          throw err;
        }
      },
    });
  }

  /** The call of an authenticated caller: the permission check, then the handler. */
  async function answer(
    request: FastifyRequest,
    reply: FastifyReply,
    route: ApiRoute,
    params: Record<string, string>,
    { principal, actor }: NonNullable<Refusal['caller']>,
  ) {
    const orgId = route.scope === 'platform' ? platformOrgId : (params.orgId ?? '');
    // In platform scope: a platform administrator's roles live in the platform organization.
    await withPlatform(deps.database, (tx) =>
      deps.rbac.authorize(tx, principal, route.permission, orgId),
    );
    const query = route.query
      ? parseInput(route.query, request.query ?? {}, httpErrors.apiInvalidQuery)
      : undefined;
    const body = route.body
      ? parseInput(route.body, request.body, httpErrors.apiInvalidBody)
      : undefined;
    const ifMatch = request.headers['if-match'];
    const call = { orgId, params, query, body, principal, actor, services: deps, ifMatch };
    // A platform user acts across organizations (their roles live in the platform one): in
    // platform scope. Anyone else: in a transaction only the route's organization is seen.
    const platformWide = orgId === platformOrgId || principal.orgId === platformOrgId;
    const run = async (tx: Tx) => answerOf(route, await route.handler({ ...call, tx }));
    const result = await (platformWide
      ? withPlatform(deps.database, run)
      : withOrg(deps.database, orgId, run));
    return send(reply, result);
  }
}
