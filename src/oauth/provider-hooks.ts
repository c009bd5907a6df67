import type { IncomingMessage } from 'node:http';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from '../platform/index.ts';

/** What the hooks below need of the provider's dependencies (a subset of `ProviderDeps`). */
export interface HookDeps {
  logger: Logger;
  pages: { policy(formTargets: readonly string[], scriptHashes: readonly string[]): string };
  endVigilSession(req: IncomingMessage, accountId: string): Promise<void>;
}

type ClientLike = {
  redirectUriAllowed(uri: string): boolean;
  postLogoutRedirectUriAllowed(uri: string): boolean;
};
type Params = Record<string, unknown>;

/**
 * The redirect URI an authorization request (its parameters) ends at, when its client registers
 * it exactly; undefined otherwise. A page's `form-action` names only such a URI's origin.
 */
export async function redirectTargetOf(
  provider: Provider,
  params: Params,
  client?: ClientLike,
): Promise<string | undefined> {
  const uri = params.redirect_uri;
  const clientId = params.client_id;
  if (typeof uri !== 'string') return undefined;
  let owner = client;
  // An unknown or malformed client (an error page is being answered) names no target.
  if (!owner && typeof clientId === 'string')
    owner = (await provider.Client.find(clientId).catch(() => undefined)) as unknown as
      | ClientLike
      | undefined;
  return owner?.redirectUriAllowed(uri) ? uri : undefined;
}

/** oidc-provider's routes whose HTML pages can lead the browser to a relying party. */
const pageRoutes = new Set(['authorization', 'resume', 'end_session']);

/**
 * The pages oidc-provider renders that lead to a relying party — the `form_post` page (its form
 * posts there), the logout confirmation (its POST is answered with a redirect there), the
 * auto-submitted logout of another account (which resumes the authorization) — get `form-action`
 * for that relying party's registered URI, and a `script-src` of just the hash oidc-provider
 * added for its inline script. Every other answer keeps the strict policy set on the way in.
 */
export function pagePolicies(provider: Provider, deps: HookDeps): void {
  provider.use(async (koa, next) => {
    await next();
    const ctx = koa as KoaContextWithOIDC;
    const route = ctx.oidc?.route;
    if (!route || !pageRoutes.has(route) || !ctx.response.is('html')) return;
    const client = ctx.oidc.client as unknown as ClientLike | undefined;
    // The resume of another account's sign-in stops before its parameters are restored.
    const params = (ctx.oidc.params ?? ctx.oidc.entities.Interaction?.params ?? {}) as Params;
    const targets: string[] = [];
    const redirect = await redirectTargetOf(ctx.oidc.provider, params, client);
    if (redirect) targets.push(redirect);
    const postLogout = params.post_logout_redirect_uri;
    if (typeof postLogout === 'string' && client?.postLogoutRedirectUriAllowed(postLogout))
      targets.push(postLogout);
    const pushed = String(ctx.response.get('content-security-policy') ?? '');
    const hashes = pushed.match(/'sha256-[A-Za-z0-9+/=]+'/g) ?? [];
    ctx.set('content-security-policy', deps.pages.policy(targets, hashes));
  });
}

/**
 * RP-initiated logout ends the Vigil session behind the provider session in the request, before
 * the redirect to the relying party leaves: the first request after it is signed out. Only the
 * confirmation that signs out everywhere (`logout=yes`) ends it; "stay signed in" leaves only the
 * relying party. The Vigil session ends only if it is the same account's (the automatic logout
 * of a provider session of another account, before a sign-in resumes, keeps the new session).
 */
export function endVigilSessionOnLogout(provider: Provider, deps: HookDeps): void {
  provider.use(async (koa, next) => {
    await next();
    const ctx = koa as KoaContextWithOIDC;
    if (ctx.oidc?.route !== 'end_session_confirm' || ctx.status !== 303) return;
    const accountId = ctx.oidc.session?.accountId;
    if (!ctx.oidc.params?.logout || !accountId) return;
    // A failure here must not keep the browser at Vigil: the provider session is gone already.
    await deps
      .endVigilSession(ctx.req, accountId)
      .catch((err: unknown) => deps.logger.error({ err }, 'ending the Vigil session failed'));
  });
}

/**
 * ID tokens from the token endpoint carry `at_hash` (OIDC Core §3.3.2.11; optional there, and it
 * costs one hash): oidc-provider sets it only on ID tokens of the authorization endpoint. The
 * access token's value is whatever its `save` returned (opaque id or JWT), kept for the request.
 */
export function emitAtHash(provider: Provider): void {
  const values = new WeakMap<object, string>();
  type Saving = { save(this: object, ...args: unknown[]): Promise<string> };
  const accessToken = provider.AccessToken.prototype as unknown as Saving;
  const save = accessToken.save;
  accessToken.save = async function (this: object, ...args: unknown[]) {
    const value = await save.apply(this, args);
    if (typeof value === 'string') values.set(this, value);
    return value;
  };
  type Issuing = {
    ctx?: KoaContextWithOIDC;
    extra: Record<string, unknown>;
    set(key: string, value: unknown): void;
    issue(this: Issuing, options?: { use?: string }): Promise<string>;
  };
  const idToken = provider.IdToken.prototype as unknown as Issuing;
  const issue = idToken.issue;
  idToken.issue = function (this: Issuing, options?: { use?: string }) {
    const token = this.ctx?.oidc?.entities.AccessToken;
    const value = token ? values.get(token) : undefined;
    if (options?.use === 'idtoken' && value && this.extra.at_hash === undefined)
      this.set('at_hash', value);
    return issue.call(this, options);
  };
}
