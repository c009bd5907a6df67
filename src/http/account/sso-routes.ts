import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { StepResult } from '../../auth/flows/index.ts';
import { federationErrors, type UpstreamAnswer } from '../../federation/index.ts';
import { isAppError, isUuid, statusOfKind } from '../../platform/index.ts';
import { errorPage } from '../pages/error.ts';
import { departurePage } from '../saml/pages.ts';
import { clientOf, html, type PageContext } from './context.ts';
import { clearCookie, cookieNames, setSsoRequestCookie } from './cookies.ts';

type Params = { connectionId: string };

/** Fastify's query or form values as the protocols take them: one string per name. */
function stringsOf(values: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!values || typeof values !== 'object') return out;
  for (const [name, value] of Object.entries(values)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') out[name] = first;
  }
  return out;
}

/** The marker of the ACS form Vigil posts to itself (see the ACS route). */
const hopField = 'vigil_hop';

/**
 * Federated sign-in through an organization's own identity provider (docs/sso.md): the start,
 * the SAML ACS, the OIDC callback and the SAML SP metadata. A refused answer gets one plain page
 * saying what failed (audited by the federation service), never a 500.
 */
export function registerSsoRoutes(app: FastifyInstance, ctx: PageContext): void {
  const { follow } = ctx;
  const federation = ctx.deps.federation;
  /** An id that is not even a UUID is refused like an unknown one. */
  const notFound = () => federationErrors.connectionNotFound();

  function refusedPage(request: FastifyRequest, reply: FastifyReply, err: unknown) {
    if (!isAppError(err) || err.kind === 'internal') throw err;
    const status = statusOfKind[err.kind];
    return html(reply, status).send(
      errorPage({
        title: 'Sign-in through your identity provider failed',
        status,
        detail: `${err.expose ? err.message : 'The sign-in could not be completed'}. Start again from the sign-in page, or ask your administrator.`,
        requestId: String(request.id),
      }),
    );
  }

  function answered(request: FastifyRequest, reply: FastifyReply, result: StepResult) {
    if (result.kind === 'failed' || result.kind === 'choose_org') {
      return html(reply, 403).send(
        errorPage({
          title: 'You cannot sign in with this account',
          status: 403,
          detail:
            'Your identity provider vouched for you, but this account may not sign in to Vigil now. Ask your administrator.',
          requestId: String(request.id),
        }),
      );
    }
    return follow(reply, result);
  }

  async function finish(
    request: FastifyRequest<{ Params: Params }>,
    reply: FastifyReply,
    answer: UpstreamAnswer,
  ) {
    const id = request.params.connectionId;
    try {
      if (!isUuid(id)) throw notFound();
      const startedHere = request.cookies[cookieNames.ssoRequest];
      const result = await federation.finish(id, answer, clientOf(request), startedHere);
      clearCookie(reply, cookieNames.ssoRequest);
      return answered(request, reply, result);
    } catch (err) {
      return refusedPage(request, reply, err);
    }
  }

  app.get<{ Params: Params }>('/sso/:connectionId/start', async (request, reply) => {
    const id = request.params.connectionId;
    try {
      if (!isUuid(id)) throw notFound();
      // Signing in over a live session happens only when an application asked for a fresh
      // sign-in (/login?again): the organization's IdP is asked for one too, and must show it.
      const fresh = (await ctx.current(request)) !== undefined;
      const { departure, correlation } = await federation.start(id, clientOf(request), { fresh });
      setSsoRequestCookie(reply, correlation);
      if (departure.kind === 'redirect') return reply.redirect(departure.location, 302);
      const { body, csp } = departurePage('Signing in', departure);
      return html(reply).header('content-security-policy', csp).send(body);
    } catch (err) {
      return refusedPage(request, reply, err);
    }
  });

  app.post<{ Params: Params }>('/sso/:connectionId/acs', async (request, reply) => {
    const body = stringsOf(request.body);
    // The IdP's POST comes from its site, so the browser leaves out Vigil's SameSite=Lax cookies
    // (the page waiting for this sign-in, the browser's device tokens). The form goes back to
    // this same address once from Vigil's own page, where they come along.
    if (request.headers['sec-fetch-site'] === 'cross-site' && body[hopField] === undefined) {
      const { body: page, csp } = departurePage('Signing in', {
        kind: 'form',
        action: `/sso/${encodeURIComponent(request.params.connectionId)}/acs`,
        fields: { ...body, [hopField]: '1' },
      });
      return html(reply).header('content-security-policy', csp).send(page);
    }
    const { [hopField]: _hop, ...fields } = body;
    return finish(request, reply, {
      url: request.url,
      query: stringsOf(request.query),
      body: fields,
    });
  });

  app.get<{ Params: Params }>('/sso/:connectionId/callback', async (request, reply) =>
    finish(request, reply, { url: request.url, query: stringsOf(request.query), body: {} }),
  );

  app.get<{ Params: Params }>('/sso/:connectionId/metadata', async (request, reply) => {
    const id = request.params.connectionId;
    try {
      if (!isUuid(id)) throw notFound();
      const xml = await federation.metadata(id);
      return reply
        .type('application/samlmetadata+xml; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .send(xml);
    } catch (err) {
      return refusedPage(request, reply, err);
    }
  });
}
