import type { FastifyInstance } from 'fastify';

/** The strictest policy; pages that render HTML send their own (still strict) CSP. */
export const apiCsp = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
export const pageCsp =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/** Pages with a passkey button: the same, plus Vigil's own scripts and same-origin fetches. */
export const passkeyPageCsp = `${pageCsp}; script-src 'self'; connect-src 'self'`;
/**
 * The admin console (docs/console.md#content-security-policy): its own scripts only, its own
 * stylesheets plus the <style> elements Mantine injects carrying this response's nonce, and
 * requests to Vigil alone (the admin API, the token endpoint).
 */
export const consoleCsp = (nonce: string) =>
  `default-src 'none'; script-src 'self'; style-src 'self' 'nonce-${nonce}'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

/**
 * What oidc-provider's routes start with: the page policy with an explicit `script-src`, so that
 * oidc-provider adds the hash of its self-submitting form's script (form_post, logout) to it.
 */
export const oauthStartCsp = `${pageCsp}; script-src 'none'`;

/**
 * An origin a page's form may lead to, or undefined: only http(s) URLs, reduced to their origin
 * (which can carry nothing but scheme, host and port into the policy).
 */
function originOf(url: string): string | undefined {
  const parsed = URL.parse(url);
  return parsed && (parsed.protocol === 'https:' || parsed.protocol === 'http:')
    ? parsed.origin
    : undefined;
}

/**
 * `csp` with `form-action` widened to the origins of `targets`. Chromium applies `form-action` to
 * every redirect that follows a form POST (docs/architecture.md#pitfall-form-action): a page whose
 * form ends, through Vigil's redirects, at a relying party must name the relying party's origin,
 * and only that one.
 */
export function allowFormsTo(csp: string, targets: readonly string[]): string {
  const origins = [...new Set(targets.map(originOf).filter((o) => o !== undefined))];
  if (origins.length === 0) return csp;
  return csp.replace("form-action 'self'", `form-action 'self' ${origins.join(' ')}`);
}

/**
 * The policy of a page oidc-provider rendered: `form-action` for the relying party it ends at,
 * and `script-src` only the hashes of the inline scripts oidc-provider added (no script else).
 */
export function oauthPageCsp(formTargets: readonly string[], scriptHashes: readonly string[]) {
  const hashes = scriptHashes.filter((h) => /^'sha256-[A-Za-z0-9+/]+={0,2}'$/.test(h));
  const scripts = hashes.length > 0 ? hashes.join(' ') : "'none'";
  return `${allowFormsTo(pageCsp, formTargets)}; script-src ${scripts}`;
}

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
