import Provider, { type Configuration, type FindAccount } from 'oidc-provider';
import { withPlatform } from '../platform/index.ts';
import { createAdapterClass } from './adapter.ts';
import { oidcScopes } from './clients.ts';
import { auditEvents } from './provider-audit.ts';
import {
  acceptPreviousSecret,
  serves,
  vigilClient,
  vigilClientProperties,
} from './provider-clients.ts';
import type { ProviderDeps } from './provider-deps.ts';
import { providerFeatures } from './provider-features.ts';
import { emitAtHash, endVigilSessionOnLogout, pagePolicies } from './provider-hooks.ts';
import { loadExistingGrant, policyWithVigilSession } from './provider-interactions.ts';
import { artifactLifetimes } from './provider-lifetimes.ts';

/** Where oidc-provider answers (everything else is Fastify's). */
export const oauthRoutes = {
  authorization: '/oauth2/authorize',
  token: '/oauth2/token',
  userinfo: '/oauth2/userinfo',
  jwks: '/oauth2/jwks',
  introspection: '/oauth2/introspect',
  revocation: '/oauth2/revoke',
  end_session: '/oauth2/logout',
  // oidc-provider's default (`/request`) would sit outside the paths handed to it.
  pushed_authorization_request: '/oauth2/par',
} as const;
/** Everything oidc-provider answers: its routes and both discovery documents (RFC 8414 too). */
export const oauthPathPrefixes = [
  '/oauth2/',
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
];

/**
 * What Vigil speaks of OAuth 2.0 and OpenID Connect, the same for every deployment; a fresh
 * object per provider, since oidc-provider rewrites parts of its configuration (claims).
 */
const protocol = (): Configuration => ({
  routes: oauthRoutes,
  responseTypes: ['code'],
  scopes: oidcScopes,
  claims: {
    // acr and amr (from the Vigil session) ride with openid, so every ID token carries them.
    openid: ['sub', 'org_id', 'acr', 'amr', 'auth_time'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    roles: ['roles'],
    sid: null,
  },
  clientDefaults: {
    grant_types: ['authorization_code'],
    id_token_signed_response_alg: 'ES256',
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  },
  enabledJWA: {
    idTokenSigningAlgValues: ['ES256', 'RS256'],
    userinfoSigningAlgValues: ['ES256', 'RS256'],
    introspectionSigningAlgValues: ['ES256', 'RS256'],
    authorizationSigningAlgValues: ['ES256', 'RS256'],
  },
  clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
  extraClientMetadata: { properties: vigilClientProperties },
  pkce: { required: () => true },
  rotateRefreshToken: () => true,
  loadExistingGrant,
  clientBasedCORS: (ctx, origin, client) =>
    client.clientAuthMethod === 'none' &&
    (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin) &&
    ctx.oidc.route !== 'authorization',
});

/** oidc-provider configured as docs/oidc.md describes; a new instance per signing-key set. */
export function createProvider(deps: ProviderDeps): Provider {
  const configuration: Configuration = {
    ...protocol(),
    adapter: createAdapterClass({
      database: deps.database,
      clock: deps.clock,
      refreshReuseGraceSeconds: deps.refreshReuseGraceSeconds,
      findClient: deps.findClient,
    }),
    jwks: { keys: deps.keys.keys as never },
    cookies: {
      keys: deps.cookieKeys,
      long: { signed: true, secure: true, sameSite: 'lax' },
      short: { signed: true, secure: true, sameSite: 'lax' },
    },
    features: providerFeatures(deps),
    ttl: artifactLifetimes(deps.clock),
    interactions: {
      policy: policyWithVigilSession(deps),
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    findAccount: accountFinder(deps),
    fetch: outgoingFetch(deps.allowLoopbackCalls),
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = deps.pages.error(
        String(out.error ?? 'error'),
        String(out.error_description ?? 'The request could not be completed.'),
      );
    },
  };

  const provider = new Provider(deps.issuer, configuration);
  provider.proxy = deps.behindProxy;
  acceptPreviousSecret(provider);
  emitAtHash(provider);
  pagePolicies(provider, deps);
  auditEvents(provider, deps);
  endVigilSessionOnLogout(provider, deps);
  return provider;
}

/**
 * An active user of an active organization, with their claims, to a client that serves the
 * user's organization.
 */
function accountFinder(
  deps: Pick<ProviderDeps, 'database' | 'identity' | 'platformOrgId'>,
): FindAccount {
  return async (ctx, sub) => {
    const found = await withPlatform(deps.database, async (tx) => {
      const user = await deps.identity.findActiveUser(tx, sub);
      if (!user) return undefined;
      return { user, roles: await deps.identity.roleKeysOf(tx, user.id) };
    });
    if (!found) return undefined;
    const client = vigilClient(ctx.oidc?.client);
    if (client && !serves(deps.platformOrgId, client, found.user.orgId)) return undefined;
    const { user, roles } = found;
    return {
      accountId: user.id,
      claims: async () => ({
        sub: user.id,
        email: user.email,
        // Vigil does not verify addresses yet: an administrator or SCIM sets them.
        email_verified: false,
        name: user.displayName,
        org_id: user.orgId,
        roles,
      }),
    };
  };
}

/** oidc-provider's outgoing calls; loopback ones without its SSRF guard when allowed. */
function outgoingFetch(allowLoopbackCalls: boolean): Configuration['fetch'] {
  return (url, options) => {
    const host = new URL(url instanceof Request ? url.url : url).hostname;
    if (allowLoopbackCalls && ['127.0.0.1', '[::1]', 'localhost'].includes(host)) {
      const { dispatcher: _ssrfGuard, ...rest } = options as RequestInit & {
        dispatcher?: unknown;
      };
      return globalThis.fetch(url, rest);
    }
    return globalThis.fetch(url, options);
  };
}
