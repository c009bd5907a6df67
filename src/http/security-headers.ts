import type { FastifyInstance } from 'fastify';

/** The strictest policy; pages that render HTML send their own (still strict) CSP. */
export const apiCsp = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
export const pageCsp =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/** Pages with a passkey button: the same, plus Vigil's own scripts and same-origin fetches. */
export const passkeyPageCsp = `${pageCsp}; script-src 'self'; connect-src 'self'`;

export function registerSecurityHeaders(
  app: FastifyInstance,
  options: { hstsMaxAge: number; https: boolean },
): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    // HSTS is only meaningful over HTTPS (direct or through the TLS proxy in front of Vigil).
    if (options.https && options.hstsMaxAge > 0) {
      reply.header('strict-transport-security', `max-age=${options.hstsMaxAge}; includeSubDomains`);
    }
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    if (!reply.hasHeader('content-security-policy')) {
      reply.header('content-security-policy', apiCsp);
    }
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}
