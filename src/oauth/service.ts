import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { UnknownObject } from 'oidc-provider';
import type { AuditLog } from '../audit/index.ts';
import type { Keyring, PlatformKeys } from '../crypto/index.ts';
import type { IdentityService } from '../identity/index.ts';
import { type Clock, type Database, type Logger, withPlatform } from '../platform/index.ts';
import * as clientStore from './clients.store.ts';
import { createClientService, isConfidentialKind } from './clients.ts';
import * as models from './models.store.ts';
import { createProvider, defaultLifetimes, type ProviderDeps } from './provider.ts';
import { createSigningKeys } from './signing-keys.ts';

export interface OAuthDeps {
  issuer: string;
  database: Database;
  keyring: Keyring;
  keys: PlatformKeys;
  audit: AuditLog;
  identity: IdentityService;
  clock: Clock;
  logger: Logger;
  platformOrgId: string;
  behindProxy: boolean;
  refreshReuseGraceSeconds: number;
  clientSecretOverlapHours: number;
  signingKeyRotationDays: number;
  signingKeyPublishAheadSeconds: number;
  pages: ProviderDeps['pages'];
}

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
    const row = await withPlatform(deps.database, (tx) => clientStore.findClient(tx, id));
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
      vigil_lifetimes: row.token_lifetimes,
    };
  }

  let current: { provider: Provider; fingerprint: string; cookieKeyId: string } | undefined;

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
    });
    current = { provider, fingerprint: keys.fingerprint, cookieKeyId: cookieKey.id };
    return provider;
  }

  function provider(): Provider {
    if (!current) throw new Error('the OAuth provider is not loaded; call reload() first');
    return current.provider;
  }

  return {
    clients,
    signingKeys,
    findClient,
    reload,
    provider,
    /** Hands a request to oidc-provider (its routes: `oauthPathPrefixes`). */
    handle(req: IncomingMessage, res: ServerResponse): void {
      provider().callback()(req, res);
    },
    /**
     * Deactivation (DESIGN §5.6): every grant, token, code and provider session of the user is
     * gone at once, so refresh fails and introspection answers `active: false`.
     */
    revokeAllFor: (userId: string) =>
      withPlatform(deps.database, (tx) => models.deleteByAccount(tx, userId)),
    /** Drops expired artifacts (housekeeping). */
    sweep: () => withPlatform(deps.database, (tx) => models.deleteExpired(tx, deps.clock.now())),
  };
}

export type OAuth = ReturnType<typeof createOAuth>;
