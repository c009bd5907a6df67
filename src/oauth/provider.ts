import type { IncomingMessage } from 'node:http';
import Provider, {
  type Configuration,
  errors,
  interactionPolicy,
  type KoaContextWithOIDC,
  type UnknownObject,
} from 'oidc-provider';
import type { AuditLog } from '../audit/index.ts';
import { constantTimeEqual } from '../crypto/index.ts';
import type { IdentityService } from '../identity/index.ts';
import { type Clock, type Database, type Logger, withPlatform } from '../platform/index.ts';
import { createAdapterClass } from './adapter.ts';
import { oidcScopes, type TokenLifetimes } from './clients.ts';
import { auditEvents } from './provider-audit.ts';
import { emitAtHash, endVigilSessionOnLogout, pagePolicies } from './provider-hooks.ts';
import type { ProviderKeys } from './signing-keys.ts';

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

export const defaultLifetimes = {
  accessTokenSeconds: 600,
  idTokenSeconds: 600,
  authorizationCodeSeconds: 60,
  refreshTokenAbsoluteDays: 30,
  refreshTokenIdleDays: 7,
  interactionSeconds: 600,
};

export interface ProviderDeps {
  issuer: string;
  database: Database;
  clock: Clock;
  logger: Logger;
  audit: AuditLog;
  identity: IdentityService;
  platformOrgId: string;
  keys: ProviderKeys;
  /** Keys that sign oidc-provider's cookies, newest first. */
  cookieKeys: string[];
  refreshReuseGraceSeconds: number;
  /** Client metadata for oidc-provider (null when unknown or disabled). */
  findClient(id: string): Promise<UnknownObject | undefined>;
  /** The live Vigil session of a browser request, if any. */
  vigilSession(req: IncomingMessage): Promise<VigilSession | undefined>;
  /** Remembers that a provider session was confirmed by a Vigil session. */
  linkSession(row: {
    oidcSessionId: string;
    vigilSessionId: string;
    accountId: string;
    expiresAt: Date;
  }): Promise<void>;
  /**
   * RP-initiated logout ended the provider session of `accountId`: the browser's Vigil session
   * ends too, if it is that account's.
   */
  endVigilSession(req: IncomingMessage, accountId: string): Promise<void>;
  /**
   * Outgoing calls (back-channel logout) may reach loopback addresses: development and tests
   * only; otherwise oidc-provider refuses special-use addresses (SSRF protection).
   */
  allowLoopbackCalls: boolean;
  /** Behind a TLS-terminating proxy: trust X-Forwarded-Proto. */
  behindProxy: boolean;
  /** Pages oidc-provider renders itself (errors, logout confirmation). */
  pages: {
    error(title: string, detail: string): string;
    logoutConfirm(form: string): string;
    loggedOut(): string;
    /** The CSP of a page that may lead to `formTargets`, running only `scriptHashes`. */
    policy(formTargets: readonly string[], scriptHashes: readonly string[]): string;
  };
}

export interface VigilSession {
  id: string;
  userId: string;
  absoluteExpiresAt: Date;
}

/** Client metadata Vigil adds to the standard fields. */
export const vigilClientProperties = [
  'org_id',
  'first_party',
  'vigil_resources',
  'vigil_api_scopes',
  'vigil_previous_secret',
  'vigil_lifetimes',
];

type VigilClient = { [key: string]: unknown; clientId: string };
const lifetimesOf = (client: VigilClient | undefined): TokenLifetimes =>
  (client?.vigil_lifetimes as TokenLifetimes | undefined) ?? {};

const resourcesOf = (client: VigilClient | undefined): string[] =>
  (client?.vigil_resources as string[] | undefined) ?? [];

/** oidc-provider configured as docs/oidc.md describes; a new instance per signing-key set. */
export function createProvider(deps: ProviderDeps): Provider {
  const { clock } = deps;
  const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);
  const clientOrg = (client: VigilClient | undefined) => client?.org_id as string | undefined;
  /** A platform client serves every organization; any other only its own. */
  const serves = (client: VigilClient | undefined, orgId: string) =>
    clientOrg(client) === deps.platformOrgId || clientOrg(client) === orgId;

  const configuration: Configuration = {
    adapter: createAdapterClass({
      database: deps.database,
      clock,
      refreshReuseGraceSeconds: deps.refreshReuseGraceSeconds,
      findClient: deps.findClient,
    }),
    jwks: { keys: deps.keys.keys as never },
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
    cookies: {
      keys: deps.cookieKeys,
      long: { signed: true, secure: true, sameSite: 'lax' },
      short: { signed: true, secure: true, sameSite: 'lax' },
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // Only a confidential client may ask, and only about its own organization's tokens.
        allowedPolicy: async (ctx, caller, token) => {
          if (caller.clientAuthMethod === 'none') return false;
          if (!token.clientId || token.clientId === caller.clientId) return true;
          const owner = await ctx.oidc.provider.Client.find(token.clientId);
          const org = clientOrg(owner as unknown as VigilClient);
          return org !== undefined && serves(caller as unknown as VigilClient, org);
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
      // Access tokens for a client's resource servers are ES256 JWTs (ADR 0008); tokens for
      // userinfo stay opaque, introspectable and revocable.
      resourceIndicators: {
        enabled: true,
        // Machine clients get their first resource when they name none; users' tokens do not.
        defaultResource: async (ctx, client, oneOf) => {
          if (oneOf) return oneOf;
          if (ctx.oidc.params?.grant_type !== 'client_credentials') return undefined;
          return resourcesOf(client as unknown as VigilClient)[0];
        },
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource, client) => {
          const vigilClient = client as unknown as VigilClient;
          if (!resourcesOf(vigilClient).includes(resource)) throw new errors.InvalidTarget();
          return {
            audience: resource,
            scope: ((vigilClient.vigil_api_scopes as string[] | undefined) ?? []).join(' '),
            accessTokenTTL:
              lifetimesOf(vigilClient).accessTokenSeconds ?? defaultLifetimes.accessTokenSeconds,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    ttl: {
      AccessToken: (_ctx, _token, client) =>
        lifetimesOf(client as unknown as VigilClient).accessTokenSeconds ??
        defaultLifetimes.accessTokenSeconds,
      ClientCredentials: (_ctx, _token, client) =>
        lifetimesOf(client as unknown as VigilClient).accessTokenSeconds ??
        defaultLifetimes.accessTokenSeconds,
      IdToken: (_ctx, _token, client) =>
        lifetimesOf(client as unknown as VigilClient).idTokenSeconds ??
        defaultLifetimes.idTokenSeconds,
      AuthorizationCode: () => defaultLifetimes.authorizationCodeSeconds,
      Interaction: () => defaultLifetimes.interactionSeconds,
      Session: () => 12 * 3600,
      Grant: (ctx: KoaContextWithOIDC) =>
        (lifetimesOf(ctx?.oidc?.client as unknown as VigilClient | undefined)
          .refreshTokenAbsoluteDays ?? defaultLifetimes.refreshTokenAbsoluteDays) * 86_400,
      // Idle lifetime per token, never past the absolute lifetime of the first one (`iiat`).
      RefreshToken: (_ctx, token, client) => {
        const lifetimes = lifetimesOf(client as unknown as VigilClient);
        const idle =
          (lifetimes.refreshTokenIdleDays ?? defaultLifetimes.refreshTokenIdleDays) * 86_400;
        const absolute =
          (lifetimes.refreshTokenAbsoluteDays ?? defaultLifetimes.refreshTokenAbsoluteDays) *
          86_400;
        const firstIssued = (token as { iiat?: number }).iiat ?? nowSeconds();
        return Math.max(1, Math.min(idle, firstIssued + absolute - nowSeconds()));
      },
    },
    rotateRefreshToken: () => true,
    interactions: {
      policy: policyWithVigilSession(deps),
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    // First-party clients need no consent: their grant is made on the spot.
    loadExistingGrant: async (ctx) => {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId =
        (ctx.oidc.result?.consent as { grantId?: string } | undefined)?.grantId ??
        session.grantIdFor(client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      if (!(client as unknown as VigilClient).first_party) return undefined;
      return extendGrant(
        ctx.oidc.provider,
        { accountId: session.accountId, clientId: client.clientId },
        [...ctx.oidc.requestParamScopes],
      );
    },
    findAccount: async (ctx, sub) => {
      const found = await withPlatform(deps.database, async (tx) => {
        const user = await deps.identity.findUser(tx, sub);
        if (user?.status !== 'active') return undefined;
        return { user, roles: await deps.identity.roleKeysOf(tx, user.id) };
      });
      if (!found) return undefined;
      const client = ctx.oidc?.client as unknown as VigilClient | undefined;
      if (client && !serves(client, found.user.orgId)) return undefined;
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
    },
    fetch: (url, options) => {
      const host = new URL(url).hostname;
      if (deps.allowLoopbackCalls && ['127.0.0.1', '[::1]', 'localhost'].includes(host)) {
        const { dispatcher: _ssrfGuard, ...rest } = options as RequestInit & {
          dispatcher?: unknown;
        };
        return globalThis.fetch(url, rest);
      }
      return globalThis.fetch(url, options);
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = deps.pages.error(
        String(out.error ?? 'error'),
        String(out.error_description ?? 'The request could not be completed.'),
      );
    },
    clientBasedCORS: (ctx, origin, client) =>
      client.clientAuthMethod === 'none' &&
      (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin) &&
      ctx.oidc.route !== 'authorization',
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
 * The provider's own session is only a cache of the Vigil session (docs/oidc.md#logout): every
 * authorization needs the browser's live Vigil session of the same account, or the user signs
 * in again. A confirmed provider session is linked to the Vigil session for back-channel logout.
 */
function policyWithVigilSession(deps: ProviderDeps) {
  const { Check, base } = interactionPolicy;
  const policy = base();
  policy.get('login')?.checks.add(
    new Check('vigil_session', 'End-User authentication is required', async (ctx) => {
      const { session } = ctx.oidc;
      if (!session?.accountId) return Check.NO_NEED_TO_PROMPT; // `no_session` asks already
      const live = await deps.vigilSession(ctx.req);
      if (live?.userId !== session.accountId) return Check.REQUEST_PROMPT;
      await deps.linkSession({
        oidcSessionId: session.jti,
        vigilSessionId: live.id,
        accountId: live.userId,
        expiresAt: live.absoluteExpiresAt,
      });
      return Check.NO_NEED_TO_PROMPT;
    }),
  );
  return policy;
}

/**
 * The grant an interaction names (or a new one for the account and client) with `scopes` and
 * `claims` added, saved; undefined when the named grant is gone.
 */
export async function extendGrant(
  provider: Provider,
  target: { grantId?: string; accountId: string; clientId: string },
  scopes: string[],
  claims: string[] = [],
): Promise<InstanceType<Provider['Grant']> | undefined> {
  const grant = target.grantId
    ? await provider.Grant.find(target.grantId)
    : new provider.Grant({ accountId: target.accountId, clientId: target.clientId });
  if (!grant) return undefined;
  grant.addOIDCScope(scopes.join(' '));
  if (claims.length > 0) grant.addOIDCClaims(claims);
  await grant.save();
  return grant;
}

/**
 * Keeps each client oidc-provider builds for `ttlMs`: the token, introspection and revocation
 * endpoints look clients up on every request (and oidc-provider hashes the metadata on every
 * lookup). A change reaches every node within `ttlMs`; `forget` drops one at once.
 */
export function cacheClients(provider: Provider, ttlMs: number): { forget(id: string): void } {
  type Found = Awaited<ReturnType<Provider['Client']['find']>>;
  const cache = new Map<string, { at: number; client: Found }>();
  const find = provider.Client.find.bind(provider.Client);
  provider.Client.find = async (id: string) => {
    const now = Date.now();
    const hit = cache.get(id);
    if (hit && now - hit.at < ttlMs) return hit.client;
    const client = await find(id);
    // Unknown ids are not kept: a client registered a moment ago must work at once.
    if (!client) return client;
    if (cache.size >= 10_000) cache.clear();
    cache.set(id, { at: now, client });
    return client;
  };
  return { forget: (id) => void cache.delete(id) };
}

/** During a rotation's overlap the client's previous secret is accepted too. */
function acceptPreviousSecret(provider: Provider): void {
  const client = provider.Client.prototype as unknown as {
    compareClientSecret(this: VigilClient, actual: string): boolean;
  };
  const current = client.compareClientSecret;
  client.compareClientSecret = function (this: VigilClient, actual: string) {
    const previous = this.vigil_previous_secret;
    return (
      current.call(this, actual) ||
      (typeof previous === 'string' && constantTimeEqual(previous, actual))
    );
  };
}
