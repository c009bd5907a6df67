import type { FastifyInstance } from 'fastify';

/** The strictest policy; pages that render HTML send their own (still strict) CSP. */
export const apiCsp = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
export const pageCsp =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/** Pages with a passkey button: the same, plus Vigil's own scripts and same-origin fetches. */
export const passkeyPageCsp = `${pageCsp}; script-src 'self'; connect-src 'self'`;

/** The headers every response carries (CSP and cache-control are set per response). */
export function baseSecurityHeaders(options: {
  hstsMaxAge: number;
  https: boolean;
}): Record<string, string> {
  return {
    // HSTS is only meaningful over HTTPS (direct or through the TLS proxy in front of Vigil).
    ...(options.https && options.hstsMaxAge > 0
      ? { 'strict-transport-security': `max-age=${options.hstsMaxAge}; includeSubDomains` }
      : {}),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
}

export function registerSecurityHeaders(
  app: FastifyInstance,
  options: { hstsMaxAge: number; https: boolean },
): void {
  const headers = baseSecurityHeaders(options);
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.headers(headers);
    if (!reply.hasHeader('content-security-policy')) {
      reply.header('content-security-policy', apiCsp);
    }
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}
