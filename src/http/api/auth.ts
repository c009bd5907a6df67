import type { FastifyRequest } from 'fastify';
import type { ApiKeys } from '../../apikeys/index.ts';
import type { IdentityService } from '../../identity/index.ts';
import type { OAuth } from '../../oauth/index.ts';
import type { AuditActor } from '../../platform/index.ts';
import type { Principal } from '../../rbac/index.ts';
import { httpErrors } from '../errors.ts';

export interface ApiAuthDeps {
  apiKeys: ApiKeys;
  oauth: OAuth;
  identity: IdentityService;
  /** The admin API's resource indicator: the audience its access tokens carry. */
  audience: string;
}

const unauthenticated = () => httpErrors.apiUnauthenticated();

/**
 * The caller of an admin route (docs/admin-api.md#authentication): an API key (`vigil_…`), or an
 * ES256 access token Vigil issued for this API's audience to an active user of an active
 * organization.
 */
export async function principalOf(
  deps: ApiAuthDeps,
  request: FastifyRequest,
): Promise<{ principal: Principal; actor: AuditActor }> {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer ([\x21-\x7e]{1,4096})$/.exec(header);
  if (!match?.[1]) throw unauthenticated();
  const token = match[1];
  const context = { ip: request.ip, userAgent: request.headers['user-agent'] };
  const key = await deps.apiKeys.authenticate(token, request.ip);
  if (key) return { principal: key, actor: { type: 'api_key', id: key.apiKeyId, ...context } };
  const claims = await deps.oauth.verifyAccessToken(token, deps.audience);
  if (typeof claims?.sub !== 'string') throw unauthenticated();
  const userId = claims.sub;
  // A deactivated user's token, or one of a suspended organization, stops at once, whatever its
  // expiry (docs/architecture.md#invariant-6).
  const user = await deps.identity.activeUserById(userId);
  if (!user) throw unauthenticated();
  return {
    principal: { userId: user.id, orgId: user.orgId },
    actor: { type: 'user', id: user.id, ...context },
  };
}
