import { type User, UserManager, WebStorageStateStore } from 'oidc-client-ts';

/** Vigil serves the console, the provider and the admin API on one origin (docs/console.md). */
const origin = window.location.origin;

/** The admin API's resource indicator: the audience of the console's access tokens. */
export const apiResource = `${origin}/api/v1`;

/**
 * The console's OIDC client (registered by Vigil at start as `vigil-console`): code + PKCE,
 * tokens for the admin API, kept in this tab's sessionStorage (never in a cookie), renewed with
 * the rotating refresh token before they expire. `offline_access` with `prompt=consent` is what
 * earns a refresh token (docs/oidc.md#policy); a first-party client is never shown a consent page.
 */
export const userManager = new UserManager({
  authority: origin,
  client_id: 'vigil-console',
  redirect_uri: `${origin}/admin/callback`,
  post_logout_redirect_uri: `${origin}/admin/`,
  response_type: 'code',
  scope: 'openid offline_access',
  prompt: 'consent',
  resource: apiResource,
  extraTokenParams: { resource: apiResource },
  userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  automaticSilentRenew: true,
  loadUserInfo: false,
});

/** Where a sign-in started, to return there after the callback. */
interface ReturnState {
  returnTo: string;
}

const here = () => window.location.pathname + window.location.search + window.location.hash;

let leaving: Promise<void> | undefined;

/**
 * Sends the browser through Vigil's hosted sign-in, back to the page it is on now. Once: calls
 * refused together (a page's parallel reads) start one sign-in, not one each.
 */
export function signIn(): Promise<void> {
  leaving ??= userManager.signinRedirect({ state: { returnTo: here() } satisfies ReturnState });
  return leaving;
}

/** Finishes a sign-in on /admin/callback; the console path to go back to. */
export async function completeSignIn(): Promise<string> {
  const user = await userManager.signinRedirectCallback();
  const returnTo = (user.state as ReturnState | undefined)?.returnTo ?? '/admin/';
  // Only a path of the console: the state came back through the browser.
  return returnTo.startsWith('/admin') ? returnTo : '/admin/';
}

/** The current access token, renewed with the refresh token when it has expired. */
export async function accessToken(): Promise<string | undefined> {
  const user = await userManager.getUser();
  if (user && !user.expired) return user.access_token;
  if (user?.refresh_token) return (await renew())?.access_token;
  return undefined;
}

let renewing: Promise<User | undefined> | undefined;

/**
 * A new access token from the refresh token (which Vigil rotates); undefined when refused.
 * Calls refused together share one renewal: a second use of the refresh token it replaces
 * would be taken for a stolen one.
 */
export function renew(): Promise<User | undefined> {
  renewing ??= userManager
    .signinSilent()
    .then(
      (user) => user ?? undefined,
      async () => {
        await userManager.removeUser();
        return undefined;
      },
    )
    .finally(() => {
      renewing = undefined;
    });
  return renewing;
}

export function signOut(): Promise<void> {
  return userManager.signoutRedirect();
}
