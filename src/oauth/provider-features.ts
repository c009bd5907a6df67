import { type Configuration, errors } from 'oidc-provider';
import { apiScopesOf, orgOf, resourcesOf, serves, vigilClient } from './provider-clients.ts';
import type { ProviderDeps } from './provider-deps.ts';
import { lifetimeOf } from './provider-lifetimes.ts';

type Features = NonNullable<Configuration['features']>;

/**
 * The oidc-provider features Vigil turns on (docs/oidc.md), each with Vigil's policy: who may
 * introspect or revoke what, the logout pages, pushed requests and resource indicators.
 */
export function providerFeatures(deps: Pick<ProviderDeps, 'pages' | 'platformOrgId'>): Features {
  return {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: {
      enabled: true,
      // Only a confidential client may ask, and only about its own organization's tokens.
      allowedPolicy: async (ctx, caller, token) => {
        if (caller.clientAuthMethod === 'none') return false;
        if (!token.clientId || token.clientId === caller.clientId) return true;
        const owner = await ctx.oidc.provider.Client.find(token.clientId);
        const org = orgOf(vigilClient(owner));
        return org !== undefined && serves(deps.platformOrgId, vigilClient(caller), org);
      },
    },
    // RFC 7009 §2.1: a client may revoke only tokens issued to it.
    revocation: {
      enabled: true,
      allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
    },
    backchannelLogout: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = deps.pages.logoutConfirm(form);
      },
      postLogoutSuccessSource: async (ctx) => {
        ctx.body = deps.pages.loggedOut();
      },
    },
    userinfo: { enabled: true },
    // RFC 9126, at `oauthRoutes.pushed_authorization_request`; optional for clients, and a
    // pushed redirect URI must be registered exactly like any other.
    pushedAuthorizationRequests: {
      enabled: true,
      requirePushedAuthorizationRequests: false,
      allowUnregisteredRedirectUris: false,
    },
    resourceIndicators: resourceIndicators(),
  };
}

/**
 * Access tokens for a client's resource servers are ES256 JWTs (ADR 0008); tokens for userinfo
 * stay opaque, introspectable and revocable.
 */
const resourceIndicators = (): Features['resourceIndicators'] => ({
  enabled: true,
  // Machine clients get their first resource when they name none; users' tokens do not.
  defaultResource: async (ctx, client, oneOf) => {
    if (oneOf) return oneOf;
    if (ctx.oidc.params?.grant_type !== 'client_credentials') return undefined;
    return resourcesOf(vigilClient(client))[0];
  },
  useGrantedResource: async () => true,
  getResourceServerInfo: async (_ctx, resource, client) => {
    if (!resourcesOf(vigilClient(client)).includes(resource)) throw new errors.InvalidTarget();
    return {
      audience: resource,
      scope: apiScopesOf(vigilClient(client)).join(' '),
      accessTokenTTL: lifetimeOf(client, 'accessTokenSeconds'),
      accessTokenFormat: 'jwt',
      jwt: { sign: { alg: 'ES256' } },
    };
  },
});
