import type { FastifyInstance } from 'fastify';
import { type OAuth, oauthPathPrefixes } from '../oauth/index.ts';
import { pageCsp } from './security-headers.ts';

/**
 * oidc-provider answers its own routes (`/oauth2/*` and discovery) on the raw request, before
 * Fastify reads the body; the headers every response carries are set on the way in.
 */
export function mountOAuthProvider(
  app: FastifyInstance,
  oauth: OAuth,
  options: { hstsMaxAge: number; https: boolean },
): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (!oauthPathPrefixes.some((prefix) => path.startsWith(prefix))) return;
    reply.hijack();
    const res = reply.raw;
    res.setHeader('x-request-id', String(request.id));
    if (options.https && options.hstsMaxAge > 0)
      res.setHeader(
        'strict-transport-security',
        `max-age=${options.hstsMaxAge}; includeSubDomains`,
      );
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('content-security-policy', pageCsp);
    oauth.handle(request.raw, res);
  });
}
