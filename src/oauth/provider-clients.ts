import type Provider from 'oidc-provider';
import { constantTimeEqual } from '../crypto/index.ts';
import type { TokenLifetimes } from './clients.ts';

/** Client metadata Vigil adds to the standard fields. */
export const vigilClientProperties = [
  'org_id',
  'first_party',
  'vigil_resources',
  'vigil_api_scopes',
  'vigil_previous_secret',
  'vigil_lifetimes',
];

/** A client as oidc-provider holds it, Vigil's metadata included. */
export type VigilClient = { [key: string]: unknown; clientId: string };

/** oidc-provider's client (typed without Vigil's metadata) seen with it. */
export const vigilClient = (client: unknown) => client as VigilClient | undefined;

export const lifetimesOf = (client: VigilClient | undefined): TokenLifetimes =>
  (client?.vigil_lifetimes as TokenLifetimes | undefined) ?? {};

export const resourcesOf = (client: VigilClient | undefined): string[] =>
  (client?.vigil_resources as string[] | undefined) ?? [];

export const apiScopesOf = (client: VigilClient | undefined): string[] =>
  (client?.vigil_api_scopes as string[] | undefined) ?? [];

export const orgOf = (client: VigilClient | undefined) => client?.org_id as string | undefined;

/** A platform client serves every organization; any other only its own. */
export const serves = (platformOrgId: string, client: VigilClient | undefined, orgId: string) =>
  orgOf(client) === platformOrgId || orgOf(client) === orgId;

/**
 * Keeps each client oidc-provider builds for `ttlMs`: the token, introspection and revocation
 * endpoints look clients up on every request (and oidc-provider hashes the metadata on every
 * lookup). `forget` drops one when it changes (on every node: src/oauth/service.ts), `forgetAll`
 * every one; `ttlMs` bounds a change that went unheard.
 */
export function cacheClients(
  provider: Provider,
  ttlMs: number,
): { forget(id: string): void; forgetAll(): void } {
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
  return { forget: (id) => void cache.delete(id), forgetAll: () => cache.clear() };
}

/** During a rotation's overlap the client's previous secret is accepted too. */
export function acceptPreviousSecret(provider: Provider): void {
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
