import * as oidc from 'openid-client';
import { constantTimeEqual, randomToken } from '../../crypto/index.ts';
import { type Clock, type Outbound, systemClock } from '../../platform/index.ts';
import { federationErrors } from '../errors.ts';
import type {
  Connection,
  FederationProtocol,
  PendingUpstream,
  UpstreamIdentity,
} from '../protocol.ts';
import { createDiscovery, type DiscoveredProvider } from './discovery.ts';
import { oidcRpErrors } from './errors.ts';
import { outboundErrorIn } from './fetch.ts';
import { authenticatedSince, identityFromClaims, issuedInTheFuture } from './identity.ts';

export const defaultOidcScopes = ['openid', 'email', 'profile'];

export interface OidcRelyingPartyDeps {
  /** The platform's outbound client (SSRF guard, VIGIL_OUTBOUND_ALLOW). */
  outbound: Outbound;
  /** VIGIL_PUBLIC_URL: the redirect URI is `${publicUrl}/sso/{connectionId}/callback`. */
  publicUrl: string;
  clock?: Clock;
  /** How long an issuer's discovery document is reused (default 5 minutes). */
  discoveryTtlMs?: number;
  /** Per call to the provider (default 10 s). */
  timeoutMs?: number;
}

/** What start() keeps for complete(): sealed by the federation core as the request's secret. */
interface Kept {
  verifier: string;
  nonce: string;
}

/**
 * Vigil as an OpenID Connect relying party of an organization's identity provider
 * (docs/sso.md#oidc): the authorization code flow with PKCE S256, state and nonce, the client
 * authenticated as the provider's discovery document allows, the ID token checked by
 * openid-client (signature against the provider's JWKS, issuer, audience, nonce, expiry).
 */
export function createOidcRelyingParty(deps: OidcRelyingPartyDeps) {
  const discovery = createDiscovery({
    outbound: deps.outbound,
    clock: deps.clock ?? systemClock,
    ttlMs: deps.discoveryTtlMs,
    timeoutMs: deps.timeoutMs,
  });
  const base = deps.publicUrl.replace(/\/+$/, '');
  const redirectUriOf = (connectionId: string) =>
    `${base}/sso/${encodeURIComponent(connectionId)}/callback`;

  /** The client at the provider, authenticated as its discovery document allows. */
  function clientOf(
    provider: DiscoveredProvider,
    settings: NonNullable<Connection['oidc']>,
    secret: string | null,
  ): oidc.Configuration {
    const config = new oidc.Configuration(
      provider.metadata,
      settings.clientId,
      undefined,
      secret ? secretAuthentication(provider.metadata, secret) : oidc.None(),
    );
    config[oidc.customFetch] = discovery.fetch;
    config.timeout = Math.ceil(discovery.timeoutMs / 1000);
    // http is for the outbound client to allow or refuse (only VIGIL_OUTBOUND_ALLOW targets).
    oidc.allowInsecureRequests(config);
    // The ID token's signature is checked too, although it came over TLS from the token
    // endpoint: the audit event names a proof anyone can verify against the provider's keys.
    oidc.enableNonRepudiationChecks(config);
    if (provider.jwks) oidc.setJwksCache(config, provider.jwks);
    return config;
  }

  const protocol: FederationProtocol = {
    protocol: 'oidc',

    async verifyConfiguration(connection) {
      const settings = oidcSettingsOf(connection);
      const provider = await discovery.discover(settings.issuer);
      const secret = await settings.clientSecret();
      const client = clientOf(provider, settings, secret);
      await probeClient(client, redirectUriOf(connection.id));
    },

    async start(connection, options) {
      const settings = oidcSettingsOf(connection);
      const provider = await discovery.provider(settings.issuer).catch(unavailable);
      // The secret is not needed to send the browser away: it is opened only for the exchange.
      const client = clientOf(provider, settings, null);
      const kept: Kept = { verifier: randomToken(32), nonce: randomToken(32) };
      const state = randomToken(32);
      const location = oidc.buildAuthorizationUrl(client, {
        redirect_uri: redirectUriOf(connection.id),
        scope: scopesOf(settings.scopes).join(' '),
        code_challenge: await oidc.calculatePKCECodeChallenge(kept.verifier),
        code_challenge_method: 'S256',
        state,
        nonce: kept.nonce,
        // A fresh authentication: prompt=login, and max_age=0 so that auth_time must come back.
        ...(options?.fresh ? { prompt: 'login', max_age: '0' } : {}),
      });
      return {
        departure: { kind: 'redirect', location: location.href },
        pending: { correlation: state, secret: JSON.stringify(kept) },
      };
    },

    correlationOf(answer) {
      const state = answer.query.state;
      return typeof state === 'string' && state.length > 0 && state.length <= 512 ? state : null;
    },

    async complete(connection, answer, pending) {
      const settings = oidcSettingsOf(connection);
      const kept = keptOf(pending);
      const state = answer.query.state;
      if (typeof state !== 'string' || !constantTimeEqual(state, pending.correlation))
        throw oidcRpErrors.stateMismatch();
      const refusal = answer.query.error;
      if (refusal !== undefined)
        throw oidcRpErrors.upstreamRefused({ error: errorCodeOf(refusal) });
      const provider = await discovery.provider(settings.issuer).catch(unavailable);
      const client = clientOf(provider, settings, await settings.clientSecret());
      // The callback as the provider addressed it: the registered redirect URI and the query.
      const callback = new URL(redirectUriOf(connection.id));
      for (const [name, value] of Object.entries(answer.query))
        callback.searchParams.append(name, value);
      const identity = await exchange(client, callback, kept, pending, connection);
      discovery.keepKeys(settings.issuer, oidc.getJwksCache(client));
      return identity;
    },
  };

  return Object.assign(protocol, {
    redirectUriOf,
    /** Drops an issuer's cached discovery document (its connection changed or was removed). */
    forgetIssuer: (issuer: string) => discovery.forget(issuer),
  });
}

export type OidcRelyingParty = ReturnType<typeof createOidcRelyingParty>;

async function exchange(
  client: oidc.Configuration,
  callback: URL,
  kept: Kept,
  pending: PendingUpstream,
  connection: Connection,
): Promise<UpstreamIdentity> {
  let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  try {
    tokens = await oidc.authorizationCodeGrant(client, callback, {
      pkceCodeVerifier: kept.verifier,
      expectedState: pending.correlation,
      expectedNonce: kept.nonce,
      idTokenExpected: true,
    });
  } catch (err) {
    throw exchangeRefusal(err);
  }
  const claims = tokens.claims();
  if (!claims || !tokens.id_token) throw oidcRpErrors.idTokenInvalid({ problem: 'no ID token' });
  if (issuedInTheFuture(claims, new Date()))
    throw oidcRpErrors.idTokenInvalid({ problem: 'the ID token was issued in the future (iat)' });
  if (pending.freshSince && !authenticatedSince(claims, pending.freshSince))
    throw federationErrors.notFresh();
  const mapping = connection.attributeMapping;
  let userinfo: Record<string, unknown> | null = null;
  // Providers that follow OIDC Core §5.4 strictly put profile claims in UserInfo only.
  const lacks = (claim: string) => claims[claim] === undefined;
  const wanted = [mapping.email ?? 'email', mapping.displayName ?? 'name'];
  if (wanted.some(lacks) && client.serverMetadata().userinfo_endpoint) {
    try {
      userinfo = { ...(await oidc.fetchUserInfo(client, tokens.access_token, claims.sub)) };
    } catch (err) {
      throw exchangeRefusal(err);
    }
  }
  return identityFromClaims({ ...claims }, userinfo, tokens.id_token, mapping);
}

/**
 * Whether the provider accepts the client: a token request with a code that cannot exist. A
 * provider authenticates the client before it looks at the code, so invalid_grant means the
 * client ID and secret were accepted; invalid_client or unauthorized_client mean they were not.
 */
async function probeClient(client: oidc.Configuration, redirectUri: string): Promise<void> {
  try {
    await oidc.genericGrantRequest(client, 'authorization_code', {
      code: `vigil-configuration-check-${randomToken(16)}`,
      redirect_uri: redirectUri,
      code_verifier: randomToken(32),
    });
  } catch (err) {
    const refused = outboundErrorIn(err);
    if (refused)
      throw oidcRpErrors.issuerNotAllowed({ url: 'token_endpoint', problem: refused.message });
    const error = tokenErrorOf(err);
    if (error === 'invalid_grant' || error === 'invalid_request') return;
    if (error === 'invalid_client' || error === 'unauthorized_client' || error === 'HTTP 401')
      throw oidcRpErrors.clientRejected({ problem: error });
    throw oidcRpErrors.discoveryInvalid({
      issuer: client.serverMetadata().issuer,
      problem: `the token endpoint answered unexpectedly (${problemOf(err)})`,
    });
  }
  // A token for a made-up code: nothing this provider says can be trusted.
  throw oidcRpErrors.discoveryInvalid({
    issuer: client.serverMetadata().issuer,
    problem: 'the token endpoint accepted a made-up authorization code',
  });
}

/**
 * client_secret_basic unless the provider lists only client_secret_post (RFC 8414: absent
 * means client_secret_basic).
 */
function secretAuthentication(metadata: oidc.ServerMetadata, secret: string): oidc.ClientAuth {
  const methods = metadata.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
  if (methods.includes('client_secret_basic')) return oidc.ClientSecretBasic(secret);
  if (methods.includes('client_secret_post')) return oidc.ClientSecretPost(secret);
  throw oidcRpErrors.clientAuthUnsupported();
}

function oidcSettingsOf(connection: Connection): NonNullable<Connection['oidc']> {
  if (connection.protocol !== 'oidc' || !connection.oidc)
    throw oidcRpErrors.issuerInvalid({ problem: 'the connection has no OIDC settings' });
  return connection.oidc;
}

/** The connection's scopes, openid always first (without it there is no ID token). */
export function scopesOf(scopes: readonly string[]): string[] {
  const chosen = scopes.length > 0 ? scopes : defaultOidcScopes;
  return ['openid', ...chosen.filter((scope) => scope !== 'openid')];
}

function keptOf(pending: PendingUpstream): Kept {
  try {
    const kept = JSON.parse(pending.secret ?? '') as Partial<Kept>;
    if (typeof kept.verifier === 'string' && typeof kept.nonce === 'string')
      return { verifier: kept.verifier, nonce: kept.nonce };
  } catch {
    // Not JSON: refused below like any other missing secret.
  }
  throw oidcRpErrors.pendingInvalid();
}

/** An RFC 6749 error code, or a placeholder: the provider's text is not shown to the browser. */
function errorCodeOf(value: string): string {
  return /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(value) ? value : 'error';
}

function unavailable(err: unknown): never {
  throw oidcRpErrors.upstreamUnavailable({ cause: causeOf(err) });
}

/**
 * Maps what openid-client refused to Vigil's refusals. The original error is not kept as the
 * cause when it may carry the token response (tokens must never reach a log), only its code.
 */
function exchangeRefusal(err: unknown) {
  if (outboundErrorIn(err)) return oidcRpErrors.upstreamUnavailable({ cause: causeOf(err) });
  const error = tokenErrorOf(err);
  if (error)
    return oidcRpErrors.responseInvalid({ problem: `the token endpoint answered ${error}` });
  const problem = problemOf(err);
  const code = (err as { code?: string }).code;
  if (/"state"|"iss" \(issuer\) response|"code"/.test(problem))
    return oidcRpErrors.responseInvalid({ problem });
  if (code === 'OAUTH_TIMEOUT' || code === 'OAUTH_ABORT')
    return oidcRpErrors.upstreamUnavailable({ cause: causeOf(err) });
  return oidcRpErrors.idTokenInvalid({ problem });
}

/**
 * The OAuth error code of a token endpoint's refusal: from its JSON body, or from the
 * WWW-Authenticate challenge a 401 carries (invalid_client), else `HTTP <status>`.
 */
function tokenErrorOf(err: unknown): string | null {
  if (err instanceof oidc.ResponseBodyError) return errorCodeOf(err.error);
  if (err instanceof oidc.WWWAuthenticateChallengeError) {
    const challenges = (err.cause ?? []) as { parameters?: { error?: unknown } }[];
    const error = challenges.map((c) => c.parameters?.error).find((e) => typeof e === 'string');
    return typeof error === 'string' ? errorCodeOf(error) : `HTTP ${err.status}`;
  }
  return null;
}

/** openid-client's message, and the check's own under "unexpected … value encountered". */
function problemOf(err: unknown): string {
  const failure = err as { message?: string; cause?: { message?: string } };
  const inner = failure.cause?.message;
  const message = inner && typeof inner === 'string' ? inner : (failure.message ?? String(err));
  return message.slice(0, 200);
}

/** A cause to log: the error's class, code and message, never its attached responses. */
function causeOf(err: unknown): Error {
  const failure = err as { name?: string; code?: string; message?: string };
  return new Error(`${failure.name ?? 'Error'} ${failure.code ?? ''}: ${problemOf(err)}`.trim());
}
