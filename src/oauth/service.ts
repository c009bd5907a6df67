import type { IncomingMessage, ServerResponse } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import type Provider from 'oidc-provider';
import type { UnknownObject } from 'oidc-provider';
import type { AuditLog } from '../audit/index.ts';
import { type JWTPayload, jwtVerifier, type Keyring, type PlatformKeys } from '../crypto/index.ts';
import type { IdentityService } from '../identity/index.ts';
import {
  type AuditActor,
  afterCommit,
  type ChangeFeed,
  type Clock,
  type Database,
  type Logger,
  orgScopeRunner,
  platformStatement,
  type Tx,
  withOrg,
  withPlatform,
} from '../platform/index.ts';
import type { SessionService } from '../sessions/index.ts';
import * as clientStore from './clients.store.ts';
import { createClientService, isConfidentialKind, locationsOf } from './clients.ts';
import { consoleClientId, consoleClientInput } from './console-client.ts';
import { createLogout } from './logout.ts';
import * as models from './models.store.ts';
import { createProvider } from './provider.ts';
import { cacheClients } from './provider-clients.ts';
import type { ProviderDeps } from './provider-deps.ts';
import { redirectTargetOf } from './provider-hooks.ts';
import { defaultLifetimes } from './provider-lifetimes.ts';
import { createSigningKeys } from './signing-keys.ts';

export interface OAuthDeps {
  issuer: string;
  database: Database;
  keyring: Keyring;
  keys: PlatformKeys;
  audit: AuditLog;
  /** Tells every node that a client changed (src/platform/db/notify.ts). */
  changes?: ChangeFeed;
  identity: IdentityService;
  sessions: SessionService;
  /** The Vigil session cookie of a raw request. */
  sessionTokenOf(req: IncomingMessage): string | undefined;
  clock: Clock;
  logger: Logger;
  platformOrgId: string;
  behindProxy: boolean;
  /** Back-channel logout may call loopback addresses (never in production). */
  allowLoopbackCalls: boolean;
  refreshReuseGraceSeconds: number;
  clientSecretOverlapHours: number;
  signingKeyRotationDays: number;
  signingKeyPublishAheadSeconds: number;
  pages: ProviderDeps['pages'];
}

/** An application a user granted access to, as the account page shows it. */
export interface ConnectedApplication {
  grantId: string;
  clientId: string;
  clientName: string;
  scopes: string[];
  grantedAt: Date;
}

/**
 * How long a node keeps a client's metadata (docs/oidc.md#clients): the bound on a change that
 * reaches a node only while its listening connection is lost (docs/lifecycle.md#several-nodes).
 */
export const clientCacheMs = 3000;

const clientTopic = 'oauth.client';

/**
 * The OAuth 2.0 / OpenID Connect provider of docs/oidc.md: clients, signing keys and the
 * oidc-provider instance built from them (rebuilt when the signing keys change).
 */
export function createOAuth(deps: OAuthDeps) {
  const clients = createClientService({
    keyring: deps.keyring,
    audit: deps.audit.record,
    clock: deps.clock,
    secretOverlapHours: deps.clientSecretOverlapHours,
  });
  // A retired key stays published past the longest lifetime a token it signed can have.
  const longestTokenSeconds = 86_400;
  const signingKeys = createSigningKeys({
    database: deps.database,
    keyring: deps.keyring,
    audit: deps.audit.record,
    clock: deps.clock,
    platformOrgId: deps.platformOrgId,
    rotationDays: deps.signingKeyRotationDays,
    publishAheadSeconds: deps.signingKeyPublishAheadSeconds,
    keepAfterRetireSeconds: longestTokenSeconds + defaultLifetimes.accessTokenSeconds,
  });

  /** Client metadata as oidc-provider wants it; unknown and disabled clients do not exist. */
  async function findClient(id: string): Promise<UnknownObject | undefined> {
    const row = await platformStatement(deps.database, (tx) => clientStore.findClient(tx, id));
    if (row?.status !== 'active') return undefined;
    const [secret, previous] = await clients.secretsOf(row);
    const isPublic = !isConfidentialKind(row.kind);
    return {
      client_id: row.id,
      client_name: row.name,
      ...(secret ? { client_secret: secret } : {}),
      ...(previous ? { vigil_previous_secret: previous } : {}),
      token_endpoint_auth_method: isPublic ? 'none' : 'client_secret_basic',
      application_type: row.kind === 'native' ? 'native' : 'web',
      grant_types: row.grant_types,
      response_types: row.kind === 'machine' ? [] : ['code'],
      redirect_uris: row.redirect_uris,
      post_logout_redirect_uris: row.post_logout_redirect_uris,
      ...(row.backchannel_logout_uri
        ? {
            backchannel_logout_uri: row.backchannel_logout_uri,
            backchannel_logout_session_required: true,
          }
        : {}),
      org_id: row.org_id,
      first_party: row.first_party,
      vigil_resources: row.resources,
      vigil_api_scopes: row.api_scopes,
      vigil_lifetimes: row.token_lifetimes,
    };
  }

  let current:
    | {
        provider: Provider;
        /** Koa composes its middleware per `callback()`: once per provider, not per request. */
        handler: ReturnType<Provider['callback']>;
        clients: ReturnType<typeof cacheClients>;
        /** Verifies JWTs against the published public keys (the tokens this node issued). */
        verify: ReturnType<typeof jwtVerifier>;
        fingerprint: string;
        cookieKeyId: string;
      }
    | undefined;

  function provider(): Provider {
    if (!current) throw new Error('the OAuth provider is not loaded; call reload() first');
    return current.provider;
  }

  const logout = createLogout({
    database: deps.database,
    audit: deps.audit,
    logger: deps.logger,
    provider,
    revokesOnPasswordChange: async (orgId) =>
      (await withOrg(deps.database, orgId, (tx) => deps.sessions.policy(tx, orgId))).policy
        .revokeOAuthOnPasswordChange,
  });

  async function vigilSession(req: IncomingMessage) {
    const token = deps.sessionTokenOf(req);
    return token ? deps.sessions.authenticate(token) : undefined;
  }

  async function endVigilSession(req: IncomingMessage, accountId: string): Promise<void> {
    const session = await vigilSession(req);
    if (session?.userId !== accountId) return;
    const actor = { type: 'user' as const, id: session.userId, ip: req.socket.remoteAddress };
    await withOrg(deps.database, session.orgId, (tx) =>
      deps.sessions.endOne(tx, session.userId, session.id, 'logout', actor),
    );
  }

  /** Builds the provider, or rebuilds it when another node rotated the keys it signs with. */
  async function reload(): Promise<Provider> {
    const keys = await signingKeys.providerKeys();
    const cookieKey = await deps.keys.active('oidc-cookies');
    if (current?.fingerprint === keys.fingerprint && current.cookieKeyId === cookieKey.id)
      return current.provider;
    const provider = createProvider({
      ...deps,
      keys,
      cookieKeys: [cookieKey.secret.toString('base64url')],
      findClient,
      vigilSession,
      linkSession: logout.link,
      endVigilSession,
    });
    current = {
      provider,
      handler: provider.callback(),
      clients: cacheClients(provider, clientCacheMs),
      verify: jwtVerifier(keys.publicKeys),
      fingerprint: keys.fingerprint,
      cookieKeyId: cookieKey.id,
    };
    return provider;
  }

  // A change is seen on this node as soon as it commits, and on every other a moment later.
  deps.changes?.subscribe(clientTopic, (id) =>
    id === undefined ? current?.clients.forgetAll() : current?.clients.forget(id),
  );
  async function clientChanged(tx: Tx, id: string): Promise<void> {
    if (deps.changes) await deps.changes.publish(tx, clientTopic, id);
    else afterCommit(tx, async () => current?.clients.forget(id));
  }
  async function rotateSecret(tx: Tx, id: string, actor: AuditActor) {
    await clientChanged(tx, id);
    return clients.rotateSecret(tx, id, actor);
  }
  async function disable(tx: Tx, id: string, actor: AuditActor) {
    await clientChanged(tx, id);
    return clients.disable(tx, id, actor);
  }
  /**
   * Registers the admin console's client at start (docs/console.md#sign-in): once, and again
   * only where the public URL moved its redirect URIs or the admin API's audience. An operator's
   * decision to disable it stands. False when the public URL is not https, which no client may
   * be sent back to nor call (a development setting): the console then cannot sign in.
   */
  async function ensureConsoleClient(
    where: { publicUrl: string; apiAudience: string },
    actor: AuditActor,
  ): Promise<boolean> {
    if (!where.publicUrl.startsWith('https://')) return false;
    const input = consoleClientInput(where.publicUrl, where.apiAudience);
    return withPlatform(deps.database, async (tx) => {
      // Nodes starting together: the first registers it, the others then find it.
      await clientStore.lockOwnClients(tx);
      const existing = await clients.get(tx, consoleClientId);
      if (!existing) {
        await clients.create(tx, deps.platformOrgId, input, actor, consoleClientId);
        return true;
      }
      const wanted = locationsOf(input);
      if (isDeepStrictEqual(locationsOf(existing), wanted)) return true;
      await clientChanged(tx, consoleClientId);
      await clients.updateLocations(tx, consoleClientId, wanted, actor);
      return true;
    });
  }

  const inOrgScope = orgScopeRunner(deps.database, deps.platformOrgId);

  return {
    clients: {
      ...clients,
      rotateSecret,
      disable,
      /** `create`, by the operator, in the organization's own transaction. */
      createInOrg: (
        orgId: string,
        input: Parameters<typeof clients.create>[2],
        actor: AuditActor,
      ) => inOrgScope(orgId, (tx) => clients.create(tx, orgId, input, actor)),
      /** The organization's clients; every organization's (platform scope) when `orgId` is undefined. */
      listInOrg: (orgId: string | undefined) =>
        orgId === undefined
          ? withPlatform(deps.database, (tx) => clients.list(tx))
          : inOrgScope(orgId, (tx) => clients.list(tx, orgId)),
      /** A new secret (the previous one stays valid for the overlap) and the client as it is now. */
      rotateSecretById: (id: string, actor: AuditActor) =>
        withPlatform(deps.database, async (tx) => {
          const secret = await rotateSecret(tx, id, actor);
          return { secret, client: await clients.get(tx, id) };
        }),
      /** Disables the client; false when it was disabled already. */
      disableById: (id: string, actor: AuditActor) =>
        withPlatform(deps.database, (tx) => disable(tx, id, actor)),
      ensureConsoleClient,
    },
    signingKeys,
    findClient,
    reload,
    provider,
    /** Hands a request to oidc-provider (its routes: `oauthPathPrefixes`). */
    handle(req: IncomingMessage, res: ServerResponse): void {
      if (!current) throw new Error('the OAuth provider is not loaded; call reload() first');
      current.handler(req, res);
    },
    /**
     * Where a pending interaction's authorization ends (its client's registered redirect URI),
     * for the `form-action` of the pages that finish it; undefined when it is unknown or gone.
     */
    async redirectTargetOf(interactionUid: string): Promise<string | undefined> {
      const interaction = await provider().Interaction.find(interactionUid);
      return interaction ? redirectTargetOf(provider(), interaction.params) : undefined;
    },
    /** The applications a user has granted access (the account page lists them). */
    async grantsOf(userId: string): Promise<ConnectedApplication[]> {
      const grants = await withPlatform(deps.database, (tx) =>
        models.grantsOfAccount(tx, userId, deps.clock.now()),
      );
      const applications = await Promise.all(
        grants.map(async ({ id, payload }) => {
          const clientId = String(payload.clientId ?? '');
          const client = await findClient(clientId);
          const openid = payload.openid as { scope?: string } | undefined;
          return {
            grantId: id,
            clientId,
            clientName: String(client?.client_name ?? clientId),
            scopes: (openid?.scope ?? '').split(' ').filter(Boolean),
            grantedAt: new Date(Number(payload.iat ?? 0) * 1000),
          };
        }),
      );
      return applications.sort((a, b) => b.grantedAt.getTime() - a.grantedAt.getTime());
    },

    /**
     * The user withdraws an application's access: its grant and every token issued under it
     * go at once (audited as `oauth.consent.revoked`).
     */
    async revokeGrant(
      user: { userId: string; orgId: string },
      grantId: string,
      actor: AuditActor,
    ): Promise<boolean> {
      return withPlatform(deps.database, async (tx) => {
        const mine = (await models.grantsOfAccount(tx, user.userId, deps.clock.now())).find(
          (g) => g.id === grantId,
        );
        if (!mine) return false;
        await models.deleteGrant(tx, grantId);
        await deps.audit.record(tx, {
          orgId: user.orgId,
          action: 'oauth.consent.revoked',
          actor,
          target: { type: 'user', id: user.userId },
          details: { clientId: mine.payload.clientId, grantId },
        });
        return true;
      });
    },

    /** The live grants given to one OAuth client, in the caller's (organization's) transaction. */
    clientGrants: (tx: Tx, clientId: string) =>
      models.grantsOfClient(tx, clientId, deps.clock.now()),

    /**
     * Takes away a user's access to one client, in the caller's transaction: each live grant the
     * user gave it goes with every token issued under it (audited `oauth.consent.revoked` with
     * the reason). False when the user held no live grant of that client.
     */
    async revokeClientAccess(
      tx: Tx,
      orgId: string,
      userId: string,
      clientId: string,
      reason: string,
      actor: AuditActor,
    ): Promise<boolean> {
      const grants = (await models.grantsOfAccount(tx, userId, deps.clock.now())).filter(
        (g) => g.payload.clientId === clientId,
      );
      for (const grant of grants) {
        await models.deleteGrant(tx, grant.id);
        await deps.audit.record(tx, {
          orgId,
          action: 'oauth.consent.revoked',
          actor,
          target: { type: 'user', id: userId },
          details: { clientId, grantId: grant.id, reason },
        });
      }
      return grants.length > 0;
    },

    /**
     * The claims of a JWT access token Vigil issued for `audience` (a resource server such as
     * the admin API), or undefined when it is not one: bad signature, expired, other audience.
     */
    async verifyAccessToken(token: string, audience: string): Promise<JWTPayload | undefined> {
      if (!current) throw new Error('the OAuth provider is not loaded; call reload() first');
      return current.verify(token, {
        issuer: deps.issuer,
        audience,
        typ: 'at+jwt',
        now: deps.clock.now(),
      });
    },

    revokeAllFor: logout.revokeAllFor,
    sessionsEnded: logout.sessionsEnded,
    /** Drops expired artifacts (housekeeping). */
    async sweep(): Promise<number> {
      await logout.sweep(deps.clock.now());
      return withPlatform(deps.database, (tx) => models.deleteExpired(tx, deps.clock.now()));
    },
  };
}

export type OAuth = ReturnType<typeof createOAuth>;
