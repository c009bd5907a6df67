import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { Clock } from '../platform/index.ts';
import type { TokenLifetimes } from './clients.ts';
import { lifetimesOf, vigilClient } from './provider-clients.ts';

export const defaultLifetimes = {
  accessTokenSeconds: 600,
  idTokenSeconds: 600,
  authorizationCodeSeconds: 60,
  refreshTokenAbsoluteDays: 30,
  refreshTokenIdleDays: 7,
  interactionSeconds: 600,
};

/** The client's own lifetime `name`, else Vigil's default. */
export const lifetimeOf = (client: unknown, name: keyof TokenLifetimes): number =>
  lifetimesOf(vigilClient(client))[name] ?? defaultLifetimes[name];

/** How long each artifact lives: the client's lifetimes where it sets them, else the defaults. */
export function artifactLifetimes(clock: Clock): Configuration['ttl'] {
  const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);
  return {
    AccessToken: (_ctx, _token, client) => lifetimeOf(client, 'accessTokenSeconds'),
    ClientCredentials: (_ctx, _token, client) => lifetimeOf(client, 'accessTokenSeconds'),
    IdToken: (_ctx, _token, client) => lifetimeOf(client, 'idTokenSeconds'),
    AuthorizationCode: () => defaultLifetimes.authorizationCodeSeconds,
    Interaction: () => defaultLifetimes.interactionSeconds,
    Session: () => 12 * 3600,
    Grant: (ctx: KoaContextWithOIDC) =>
      lifetimeOf(ctx?.oidc?.client, 'refreshTokenAbsoluteDays') * 86_400,
    // Idle lifetime per token, never past the absolute lifetime of the first one (`iiat`).
    RefreshToken: (_ctx, token, client) => {
      const idle = lifetimeOf(client, 'refreshTokenIdleDays') * 86_400;
      const absolute = lifetimeOf(client, 'refreshTokenAbsoluteDays') * 86_400;
      const firstIssued = (token as { iiat?: number }).iiat ?? nowSeconds();
      return Math.max(1, Math.min(idle, firstIssued + absolute - nowSeconds()));
    },
  };
}
