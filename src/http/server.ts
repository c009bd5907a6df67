import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { Registry } from '@prometheus-io/client';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { BootstrapService } from '../auth/flows/index.ts';
import { constantTimeEqual } from '../crypto/index.ts';
import { type Config, type Logger, newId } from '../platform/index.ts';
import { type AccountDeps, registerAccountRoutes } from './account/routes.ts';
import { type AdminApiDeps, registerAdminApi } from './api/index.ts';
import { registerBootstrapRoutes } from './bootstrap-routes.ts';
import { registerConsoleRoutes } from './console-routes.ts';
import { httpErrors } from './errors.ts';
import { formFields } from './form-body.ts';
import { type Readiness, registerHealthRoutes } from './health-routes.ts';
import { registerHttpMetrics } from './metrics.ts';
import { mountOAuthProvider } from './oauth-mount.ts';
import { problemOf, sendError } from './problem.ts';
import { registerSamlRoutes, type SamlHttpDeps } from './saml/routes.ts';
import { registerScim, type ScimHttpDeps } from './scim/index.ts';
import { apiCsp, baseSecurityHeaders, registerSecurityHeaders } from './security-headers.ts';
import { tlsCipherSuites } from './tls-ciphers.ts';

export interface TlsMaterial {
  key: string | Buffer;
  cert: string | Buffer;
}

export interface HttpDeps {
  config: Config;
  logger: Logger;
  /** Absent only when a TLS-terminating proxy fronts Vigil (VIGIL_BEHIND_TLS_PROXY). */
  tls?: TlsMaterial;
  bootstrap: BootstrapService;
  account: AccountDeps;
  api: AdminApiDeps;
  /** The SCIM service provider (bearer tokens only, none of the admin API's auth). */
  scim: ScimHttpDeps;
  /** Vigil as a SAML identity provider (/saml/…). */
  saml?: SamlHttpDeps;
  readiness: Readiness;
  metrics: Registry;
}

const requestIdPattern = /^[A-Za-z0-9._:-]{1,64}$/;
const stylesheet = readFileSync(new URL('./pages/vigil.css', import.meta.url), 'utf8');
const passkeyScript = readFileSync(new URL('./pages/passkey.js', import.meta.url), 'utf8');
/** The browser half of WebAuthn, served from the npm package (no CDN, nothing fetched at run time). */
const webauthnBundle = readFileSync(
  join(
    dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser')),
    '..',
    'dist',
    'bundle',
    'index.umd.min.js',
  ),
  'utf8',
);

const servedRoutes = new WeakMap<FastifyInstance, { method: string; url: string }[]>();

/** Every route a server answers (the OpenAPI test compares them with the document). */
export function routesOf(app: FastifyInstance): { method: string; url: string }[] {
  return [...(servedRoutes.get(app) ?? [])];
}

export async function createHttpServer(deps: HttpDeps): Promise<FastifyInstance> {
  const { config } = deps;
  if (!deps.tls && !config.VIGIL_BEHIND_TLS_PROXY) {
    throw httpErrors.tlsMissing();
  }
  const headerOptions = {
    hstsMaxAge: config.VIGIL_HSTS_MAX_AGE,
    https: Boolean(deps.tls) || config.VIGIL_BEHIND_TLS_PROXY,
  };
  const app = Fastify({
    loggerInstance: deps.logger,
    // Our own access line (below) replaces Fastify's, which would log query strings.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.VIGIL_BODY_LIMIT,
    // Wrong types are errors, not something to coerce into shape.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
    trustProxy: config.VIGIL_TRUSTED_PROXIES.length > 0 ? config.VIGIL_TRUSTED_PROXIES : false,
    // A caller's request id is kept when it is well-formed, so traces join across services.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && requestIdPattern.test(given) ? given : newId();
    },
    // A malformed %-escape (400) or an over-long path parameter (414) is refused by the router
    // before any hook runs, so this answer sets what the hooks would have: a problem (or page)
    // with the request id and every security header.
    frameworkErrors: (err, request, reply) => {
      reply.headers({
        ...baseSecurityHeaders(headerOptions),
        'content-security-policy': apiCsp,
        'cache-control': 'no-store',
        'x-request-id': request.id,
      });
      return sendError(request, reply, problemOf(err, request));
    },
    ...(deps.tls
      ? {
          https: {
            key: deps.tls.key,
            cert: deps.tls.cert,
            minVersion: config.VIGIL_TLS_MIN_VERSION,
            ciphers: tlsCipherSuites,
            // Prefer the server's cipher order: the strongest suites first.
            honorCipherOrder: true,
          },
        }
      : {}),
  }) as unknown as FastifyInstance;

  const served: { method: string; url: string }[] = [];
  servedRoutes.set(app, served);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) served.push({ method, url: route.url });
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // One access-log line per request; the query string is left out because links carry tokens.
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        path: request.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        ip: request.ip,
      },
      'request',
    );
  });

  registerSecurityHeaders(app, headerOptions);
  await app.register(formbody, { bodyLimit: config.VIGIL_BODY_LIMIT, parser: formFields });
  await app.register(cookie);

  app.setErrorHandler(async (err, request, reply) => {
    const problem = problemOf(err, request);
    if (problem.status >= 500) request.log.error({ err }, 'request failed');
    return sendError(request, reply, problem);
  });
  app.setNotFoundHandler(async (request, reply) =>
    sendError(request, reply, {
      type: 'https://vigil.dev/problems/not_found',
      title: 'Not Found',
      status: 404,
      code: 'not_found',
      detail: `No route ${request.method} ${request.url.split('?')[0]}`,
      requestId: String(request.id),
    }),
  );

  app.get('/assets/vigil.css', async (_request, reply) =>
    reply
      .type('text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(stylesheet),
  );

  for (const [path, body] of [
    ['/assets/passkey.js', passkeyScript],
    ['/assets/webauthn.js', webauthnBundle],
  ] as const) {
    app.get(path, async (_request, reply) =>
      reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=3600')
        .send(body),
    );
  }

  registerHealthRoutes(app, deps.readiness);
  // Metrics reveal load and internals: a bearer token when configured, otherwise loopback only.
  app.addHook('onRequest', async (request) => {
    if (request.url.split('?')[0] !== '/metrics') return;
    const token = config.VIGIL_METRICS_TOKEN;
    const auth = request.headers.authorization ?? '';
    const allowed = token
      ? constantTimeEqual(auth, `Bearer ${token}`)
      : request.ip === '127.0.0.1' || request.ip === '::1' || request.ip === '::ffff:127.0.0.1';
    if (!allowed) {
      throw httpErrors.metricsForbidden();
    }
  });
  registerHttpMetrics(app, deps.metrics);
  mountOAuthProvider(app, deps.account.oauth, headerOptions);
  registerBootstrapRoutes(app, deps.bootstrap);
  registerAccountRoutes(app, deps.account);
  if (deps.saml) registerSamlRoutes(app, deps.saml);
  registerAdminApi(app, deps.api);
  await registerScim(app, deps.scim);
  await registerConsoleRoutes(app);
  app.get('/', async (_request, reply) => reply.redirect('/account', 303));
  return app;
}
