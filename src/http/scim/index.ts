import type { FastifyInstance, FastifyRequest } from 'fastify';
import { scimErrors } from '../../scim/index.ts';
import { bulkRoutes } from './bulk-routes.ts';
import { setCall } from './call.ts';
import { discoveryRoutes } from './discovery-routes.ts';
import { sendScimError } from './errors.ts';
import { groupsRoutes } from './groups-routes.ts';
import type { ScimHttpDeps, ScimRouteGroup } from './route-group.ts';
import { usersRoutes } from './users-routes.ts';

export type { ScimHttpDeps, ScimRouteGroup } from './route-group.ts';

/** Where the SCIM service provider of an organization lives (docs/scim.md#endpoints). */
export const scimPrefix = '/scim/v2';

/** The route groups served under `/scim/v2/:orgSlug`; a resource type adds its own here. */
export const scimRouteGroups: ScimRouteGroup[] = [
  discoveryRoutes,
  usersRoutes,
  groupsRoutes,
  bulkRoutes,
];

const bearer = /^Bearer +([\x21-\x7e]+) *$/i;

/** The token of an `Authorization: Bearer …` header, or undefined. */
function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return typeof header === 'string' ? bearer.exec(header)?.[1] : undefined;
}

/**
 * The SCIM 2.0 service provider (RFC 7644) at `/scim/v2/<org-slug>/`: bearer tokens only (none
 * of the admin API's sessions, cookies or CSRF checks), `application/scim+json` or
 * `application/json` in, `application/scim+json` out, errors in SCIM's format. The token is
 * checked before the body is read; a token of another organization answers like a wrong one.
 */
export async function registerScim(app: FastifyInstance, deps: ScimHttpDeps): Promise<void> {
  await app.register(
    async (scope) => {
      const json = scope.getDefaultJsonParser('error', 'error');
      // JSON only (no forms, no text); an empty body is no body (a DELETE that still names a
      // JSON content type).
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(
        ['application/json', 'application/scim+json'],
        { parseAs: 'string' },
        (request, body, done) =>
          body === '' ? done(null, undefined) : json(request, body as string, done),
      );
      scope.setErrorHandler(async (err, request, reply) => sendScimError(request, reply, err));
      scope.setNotFoundHandler(async (request, reply) =>
        sendScimError(
          request,
          reply,
          scimErrors.resourceNotFound({
            detail: `No SCIM endpoint ${request.method} ${request.url.split('?')[0]}`,
          }),
        ),
      );
      scope.addHook('onRequest', async (request) => {
        const presented = presentedToken(request);
        const caller = presented ? await deps.authenticate(presented, request.ip) : null;
        if (!caller) throw scimErrors.unauthorized();
        const orgSlug = String((request.params as { orgSlug?: unknown }).orgSlug ?? '');
        setCall(request, {
          orgId: caller.orgId,
          orgSlug,
          actor: {
            type: 'scim_token',
            id: caller.tokenId,
            ip: request.ip,
            ...(request.headers['user-agent']
              ? { userAgent: request.headers['user-agent'].slice(0, 200) }
              : {}),
          },
          base: `${deps.publicUrl}${scimPrefix}/${encodeURIComponent(orgSlug)}`,
        });
      });
      for (const group of scimRouteGroups) group(scope, deps);
    },
    { prefix: `${scimPrefix}/:orgSlug` },
  );
}
