import type { FastifyInstance } from 'fastify';
import { type OAuth, oauthPathPrefixes } from '../oauth/index.ts';
import { isCleanText } from '../platform/index.ts';
import { httpErrors } from './errors.ts';
import { baseSecurityHeaders, oauthStartCsp } from './security-headers.ts';

/**
 * oidc-provider answers its own routes (`/oauth2/*` and discovery) on the raw request, before
 * Fastify reads the body; the headers every response carries are set on the way in. Pages that
 * lead to a relying party get their final policy from the provider (`pages.policy`).
 */
export function mountOAuthProvider(
  app: FastifyInstance,
  oauth: OAuth,
  options: { hstsMaxAge: number; https: boolean },
): void {
  const headers = { ...baseSecurityHeaders(options), 'content-security-policy': oauthStartCsp };
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (!oauthPathPrefixes.some((prefix) => path.startsWith(prefix))) return;
    // oidc-provider keeps some parameters (a logout's `state`) in stored sessions, where a NUL
    // cannot go: such a query is refused here, through Vigil's own error answer.
    const query = new URLSearchParams(request.url.slice(path.length + 1));
    if ([...query].some(([name, value]) => !isCleanText(name) || !isCleanText(value)))
      throw httpErrors.oauthInvalidRequest();
    reply.hijack();
    const res = reply.raw;
    res.setHeader('x-request-id', String(request.id));
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    oauth.handle(request.raw, res);
  });
}
