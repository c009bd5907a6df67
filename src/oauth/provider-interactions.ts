import type Provider from 'oidc-provider';
import { type Configuration, interactionPolicy } from 'oidc-provider';
import { vigilClient } from './provider-clients.ts';
import type { ProviderDeps } from './provider-deps.ts';

/**
 * The provider's own session is only a cache of the Vigil session (docs/oidc.md#logout): every
 * authorization needs the browser's live Vigil session of the same account, or the user signs
 * in again. A confirmed provider session is linked to the Vigil session for back-channel logout.
 */
export function policyWithVigilSession(deps: Pick<ProviderDeps, 'vigilSession' | 'linkSession'>) {
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

/** First-party clients need no consent: their grant is made on the spot. */
export const loadExistingGrant: Configuration['loadExistingGrant'] = async (ctx) => {
  const { client, session } = ctx.oidc;
  if (!client || !session?.accountId) return undefined;
  const grantId =
    (ctx.oidc.result?.consent as { grantId?: string } | undefined)?.grantId ??
    session.grantIdFor(client.clientId);
  if (grantId) return ctx.oidc.provider.Grant.find(grantId);
  if (!vigilClient(client)?.first_party) return undefined;
  return extendGrant(
    ctx.oidc.provider,
    { accountId: session.accountId, clientId: client.clientId },
    [...ctx.oidc.requestParamScopes],
  );
};

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
