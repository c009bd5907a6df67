import * as oidc from 'openid-client';
import type { Clock, Outbound } from '../../platform/index.ts';
import { oidcRpErrors } from './errors.ts';
import { outboundErrorIn, outboundFetch } from './fetch.ts';

/** What Vigil knows of one upstream provider: its metadata and the signing keys last fetched. */
export interface DiscoveredProvider {
  metadata: oidc.ServerMetadata;
  /** openid-client's JWKS cache, shared by every sign-in at this issuer until it expires. */
  jwks: oidc.ExportedJWKSCache | null;
}

export interface DiscoveryDeps {
  outbound: Outbound;
  clock: Clock;
  /** How long a discovery document is reused (default 5 minutes). */
  ttlMs?: number;
  /** Per call to the provider (default 10 s). */
  timeoutMs?: number;
}

/** Providers kept at most; the oldest is dropped first (one per connection in practice). */
const maxCached = 500;

/**
 * Issuer discovery (OpenID Connect Discovery 1.0) through the outbound client, kept briefly per
 * issuer: a sign-in should not cost a discovery round trip, and a provider that rotates its
 * endpoints or keys is followed within minutes.
 */
export function createDiscovery(deps: DiscoveryDeps) {
  const ttlMs = deps.ttlMs ?? 5 * 60_000;
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const fetch = outboundFetch(deps.outbound, timeoutMs);
  const cache = new Map<string, { provider: DiscoveredProvider; until: number }>();

  /** Fetches and checks the document, ignoring the cache; refusals are `oidcRpErrors.*`. */
  async function discover(issuer: string): Promise<DiscoveredProvider> {
    const url = issuerUrl(issuer);
    await reachable(deps.outbound, url.href);
    let found: oidc.Configuration;
    try {
      // The client ID is not used by discovery; only the server metadata is kept.
      found = await oidc.discovery(url, 'discovery', undefined, oidc.None(), {
        [oidc.customFetch]: fetch,
        // The outbound client decides which targets may be plain http (VIGIL_OUTBOUND_ALLOW).
        execute: [oidc.allowInsecureRequests],
        timeout: Math.ceil(timeoutMs / 1000),
      });
    } catch (err) {
      throw discoveryRefusal(issuer, err);
    }
    const metadata = JSON.parse(JSON.stringify(found.serverMetadata())) as oidc.ServerMetadata;
    await checkMetadata(deps.outbound, issuer, metadata);
    const provider = { metadata, jwks: null };
    remember(issuer, provider);
    return provider;
  }

  function remember(issuer: string, provider: DiscoveredProvider) {
    cache.delete(issuer);
    if (cache.size >= maxCached) cache.delete(cache.keys().next().value as string);
    cache.set(issuer, { provider, until: deps.clock.now().getTime() + ttlMs });
  }

  return {
    discover,
    /** The cached provider while it is fresh, else a new discovery. */
    async provider(issuer: string): Promise<DiscoveredProvider> {
      const hit = cache.get(issuer);
      if (hit && hit.until > deps.clock.now().getTime()) return hit.provider;
      return discover(issuer);
    },
    /** Keeps the keys a sign-in fetched for the next one (while the document is cached). */
    keepKeys(issuer: string, jwks: oidc.ExportedJWKSCache | undefined) {
      const hit = cache.get(issuer);
      if (hit && jwks) hit.provider.jwks = jwks;
    },
    /** Forgets an issuer (its connection changed). */
    forget(issuer: string) {
      cache.delete(issuer);
    },
    fetch,
    timeoutMs,
  };
}

export type Discovery = ReturnType<typeof createDiscovery>;

/** The issuer as a URL: absolute http(s), no credentials, query or fragment (OIDC Discovery §2). */
export function issuerUrl(issuer: string): URL {
  const url = URL.parse(issuer);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    throw oidcRpErrors.issuerInvalid({ problem: 'not an absolute http(s) URL' });
  if (url.username || url.password || url.search || url.hash)
    throw oidcRpErrors.issuerInvalid({ problem: 'credentials, a query or a fragment' });
  return url;
}

/** Checks a URL against the SSRF guard before any call, naming the refusal precisely. */
async function reachable(outbound: Outbound, url: string): Promise<void> {
  try {
    await outbound.checkUrl(url);
  } catch (err) {
    throw refusalOf(url, err) ?? err;
  }
}

function refusalOf(url: string, err: unknown) {
  const refused = outboundErrorIn(err);
  if (!refused) return null;
  if (refused.code === 'outbound.unresolvable' || refused.code === 'outbound.timed_out')
    return oidcRpErrors.issuerUnreachable({ url, problem: refused.message });
  if (refused.code === 'outbound.failed')
    return oidcRpErrors.issuerUnreachable({ url, problem: refused.message });
  return oidcRpErrors.issuerNotAllowed({ url, problem: refused.message });
}

function discoveryRefusal(issuer: string, err: unknown) {
  const refused = refusalOf(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, err);
  if (refused) return refused;
  const failure = err as { code?: string; message?: string; cause?: unknown };
  if (failure.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED') {
    const named = (failure.cause as { body?: { issuer?: unknown } } | undefined)?.body?.issuer;
    return oidcRpErrors.issuerMismatch({ issuer, named: String(named) });
  }
  const status = (failure.cause as { status?: unknown } | undefined)?.status;
  const problem =
    failure.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' && typeof status === 'number'
      ? `HTTP status ${status}`
      : (failure.message ?? 'unreadable');
  return oidcRpErrors.discoveryInvalid({ issuer, problem });
}

/**
 * What the authorization code flow with PKCE needs. A provider that lists its PKCE methods must
 * list S256; one that lists none gets PKCE anyway (it is ignored by servers that predate it, and
 * the nonce still binds the ID token to the sign-in).
 */
async function checkMetadata(outbound: Outbound, issuer: string, metadata: oidc.ServerMetadata) {
  const invalid = (problem: string) => oidcRpErrors.discoveryInvalid({ issuer, problem });
  for (const name of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
    const value = metadata[name];
    if (typeof value !== 'string') throw invalid(`${name} is missing`);
    // The browser goes to the authorization endpoint, Vigil calls the others: all must be
    // addresses the operator lets Vigil deal with, https unless allowed.
    await reachable(outbound, value);
  }
  if (typeof metadata.userinfo_endpoint === 'string')
    await reachable(outbound, metadata.userinfo_endpoint);
  const responseTypes = metadata.response_types_supported;
  if (Array.isArray(responseTypes) && !responseTypes.includes('code'))
    throw invalid('response_types_supported does not include code');
  const pkce = metadata.code_challenge_methods_supported;
  if (Array.isArray(pkce) && !pkce.includes('S256'))
    throw invalid('code_challenge_methods_supported does not include S256');
}
