import type { ClientInput } from './clients.ts';

/** The admin console's client id: fixed, so the console's build needs no configuration. */
export const consoleClientId = 'vigil-console';

/** Where the console is served, under the public URL (docs/console.md). */
export const consolePath = '/admin';

/**
 * The admin console's registration (docs/console.md#sign-in): a first-party public client of
 * the platform (code + PKCE, refresh-token rotation) whose access tokens are for the admin API.
 */
export function consoleClientInput(publicUrl: string, apiAudience: string) {
  return {
    name: 'Vigil admin console',
    kind: 'spa',
    firstParty: true,
    redirectUris: [`${publicUrl}${consolePath}/callback`],
    postLogoutRedirectUris: [`${publicUrl}${consolePath}/`],
    resources: [apiAudience],
    grantTypes: ['authorization_code', 'refresh_token'],
  } satisfies ClientInput;
}
