import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InteractionResults } from 'oidc-provider';
import { unverifiedSubject } from '../../crypto/index.ts';
import { extendGrant, type OAuth } from '../../oauth/index.ts';
import { platformOrgId } from '../../platform/index.ts';
import type { Session } from '../../sessions/index.ts';
import { allowFormsTo, pageCsp } from '../security-headers.ts';
import { type Body, html, type PageContext } from './context.ts';
import { cookieNames, csrfToken, returnPathPattern, setReturnCookie } from './cookies.ts';
import * as oauthPages from './oauth-pages.ts';

/** Sign-in pages whose form can be the last step before the browser returns to an application. */
const signInFormRoutes = new Set(['/login', '/login/mfa', '/login/enroll', '/login/password']);

type InteractionDetails = Awaited<ReturnType<ReturnType<OAuth['provider']>['interactionDetails']>>;

/**
 * Whether the session began after the authorization request came (the user just signed in). The
 * interaction's `iat` counts whole seconds: a sign-in in the same second as the request counts
 * as after it.
 */
const signedInSince = (details: InteractionDetails, session: Session) =>
  session.createdAt.getTime() >= Number(details.iat) * 1000;

/**
 * Whether the client asks for a sign-in newer than the browser's session (OIDC Core §3.1.2.1):
 * `prompt=login`, or a `max_age` the session is older than, unless the user signed in after the
 * request came (oidc-provider's own clock, as it judges `max_age` by it too).
 */
function needsFreshSignIn(details: InteractionDetails, session: Session): boolean {
  if (signedInSince(details, session)) return false;
  const reasons = details.prompt.reasons;
  if (reasons.includes('login_prompt')) return true;
  const maxAge = Number(details.params.max_age);
  return reasons.includes('max_age') && Date.now() - session.createdAt.getTime() > maxAge * 1000;
}

/**
 * The user an `id_token_hint` names (its `sub`: subjects are public, the user's id), read
 * without a second check: oidc-provider verified the token before the interaction began.
 */
function hintedUser(details: InteractionDetails): string | undefined {
  const hint = details.params.id_token_hint;
  return typeof hint === 'string' ? unverifiedSubject(hint) : undefined;
}

/**
 * OAuth interactions (docs/oidc.md): oidc-provider sends the browser here to sign in and to
 * consent; the hosted sign-in does the signing in, and the result goes back to the provider.
 */
export function registerInteractionRoutes(app: FastifyInstance, ctx: PageContext): void {
  const { deps, current, guard } = ctx;

  /**
   * While an OAuth interaction waits for the sign-in (the return cookie), the sign-in pages'
   * forms may end, through Vigil's redirects, at the client's redirect URI: their `form-action`
   * names its origin (Chromium checks every redirect after a form POST against it).
   */
  app.addHook('onSend', async (request, reply, payload) => {
    if (!signInFormRoutes.has(request.routeOptions.url ?? '')) return payload;
    const back = request.cookies[cookieNames.returnTo];
    const csp = reply.getHeader('content-security-policy');
    if (!back || !returnPathPattern.test(back) || typeof csp !== 'string') return payload;
    // A SAML request returns to a Vigil page first (/saml/continue), which posts on: same origin.
    if (!back.startsWith('/interaction/')) return payload;
    // Without an answer (storage unavailable) the page keeps its strict policy: the sign-in
    // still works, only its return to the application would stop in the browser.
    const target = await deps.oauth
      .redirectTargetOf(back.slice('/interaction/'.length))
      .catch((err: unknown) => request.log.warn({ err }, 'the waiting interaction was not read'));
    if (target) reply.header('content-security-policy', allowFormsTo(csp, [target]));
    return payload;
  });

  async function detailsOf(request: FastifyRequest, reply: FastifyReply) {
    try {
      return await deps.oauth.provider().interactionDetails(request.raw, reply.raw);
    } catch {
      return undefined;
    }
  }

  /** oidc-provider answers the browser itself (a redirect back into the authorization flow). */
  async function finish(request: FastifyRequest, reply: FastifyReply, result: InteractionResults) {
    reply.hijack();
    await deps.oauth
      .provider()
      .interactionFinished(request.raw, reply.raw, result, { mergeWithLastSubmission: false });
  }

  app.get<{ Params: { uid: string } }>('/interaction/:uid', async (request, reply) => {
    const details = await detailsOf(request, reply);
    if (!details) return html(reply, 400).send(oauthPages.interactionExpiredPage());
    const clientId = String(details.params.client_id ?? '');
    const client = await deps.oauth.findClient(clientId);
    if (details.prompt.name === 'login') {
      const session = await current(request);
      // The client named another user (id_token_hint) than the one signed in: that user may sign
      // in now; after a sign-in that still is not them, the client hears login_required (OIDC
      // Core §3.1.2.1) rather than a code for someone it did not ask for.
      const hinted = hintedUser(details);
      const otherUser = session !== undefined && hinted !== undefined && hinted !== session.userId;
      if (otherUser && signedInSince(details, session))
        return finish(request, reply, {
          error: 'login_required',
          error_description: 'The signed-in user is not the one the application named.',
        });
      if (!session || otherUser || needsFreshSignIn(details, session)) {
        setReturnCookie(reply, `/interaction/${details.uid}`);
        return reply.redirect(session ? '/login?again=1' : '/login', 303);
      }
      // An organization's client signs in only that organization's users
      // (docs/architecture.md#data-and-tenancy).
      if (client?.org_id !== platformOrgId && client?.org_id !== session.orgId) {
        return finish(request, reply, {
          error: 'access_denied',
          error_description: 'This application is not available to your organization.',
        });
      }
      return finish(request, reply, {
        login: {
          accountId: session.userId,
          amr: session.amr,
          acr: session.acr,
          ts: Math.floor(session.createdAt.getTime() / 1000),
        },
      });
    }
    const missing = (details.prompt.details.missingOIDCScope as string[] | undefined) ?? [];
    // A first-party client is part of the product: asking again for consent (prompt=consent,
    // needed for offline_access) is answered for the user.
    if (client?.first_party === true && details.session) {
      const grant = await extendGrant(
        deps.oauth.provider(),
        { grantId: details.grantId, accountId: details.session.accountId, clientId },
        missing,
      );
      if (!grant?.jti) return html(reply, 400).send(oauthPages.interactionExpiredPage());
      return finish(request, reply, { consent: { grantId: grant.jti } });
    }
    // Allow and deny both end with a redirect to the client (a code, or access_denied).
    const target = await deps.oauth.redirectTargetOf(details.uid);
    return html(reply)
      .header('content-security-policy', allowFormsTo(pageCsp, target ? [target] : []))
      .send(
        oauthPages.consentPage({
          csrf: csrfToken(request, reply),
          uid: details.uid,
          clientName: String(client?.client_name ?? clientId),
          scopes: missing,
        }),
      );
  });

  app.post<{ Params: { uid: string }; Body: Body }>(
    '/interaction/:uid/consent',
    async (request, reply) => {
      if (!guard(request, reply)) return reply;
      const details = await detailsOf(request, reply);
      const session = await current(request);
      if (!details || !session || details.prompt.name !== 'consent' || !details.session)
        return html(reply, 400).send(oauthPages.interactionExpiredPage());
      const clientId = String(details.params.client_id ?? '');
      const actor = {
        type: 'user' as const,
        id: session.userId,
        ip: request.ip,
        userAgent: request.headers['user-agent'],
      };
      const scopes = (details.prompt.details.missingOIDCScope as string[] | undefined) ?? [];
      if (request.body.decision !== 'allow') {
        await deps.audit.append({
          orgId: session.orgId,
          action: 'oauth.consent.denied',
          outcome: 'denied',
          actor,
          details: { clientId, scopes },
        });
        return finish(request, reply, {
          error: 'access_denied',
          error_description: 'The user declined.',
        });
      }
      const grant = await extendGrant(
        deps.oauth.provider(),
        { grantId: details.grantId, accountId: details.session.accountId, clientId },
        scopes,
        (details.prompt.details.missingOIDCClaims as string[] | undefined) ?? [],
      );
      const grantId = grant?.jti;
      if (!grantId) return html(reply, 400).send(oauthPages.interactionExpiredPage());
      await deps.audit.append({
        orgId: session.orgId,
        action: 'oauth.consent.granted',
        actor,
        details: { clientId, scopes, grantId },
      });
      return finish(request, reply, { consent: { grantId } });
    },
  );
}
