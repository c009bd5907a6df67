import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../../platform/index.ts';
import type { SamlMessage, SamlOutcome, SamlService } from '../../saml/index.ts';
import type { Session } from '../../sessions/index.ts';
import { clearCookie, cookieNames, setReturnCookie } from '../account/cookies.ts';
import { pageCsp } from '../security-headers.ts';
import { departurePage, refusedPage } from './pages.ts';

export interface SamlHttpDeps {
  saml: SamlService;
  /** The browser's Vigil session, if it has one. */
  authenticate(token: string): Promise<Session | undefined>;
}

type Fields = Record<string, string | undefined>;
const htmlType = 'text/html; charset=utf-8';

/**
 * Vigil as a SAML identity provider, per organization (docs/sso.md#vigil-as-a-saml-identity-provider):
 * metadata, single sign-on (Redirect and POST bindings), IdP-initiated sign-in, single logout,
 * and the return from the hosted sign-in.
 */
export function registerSamlRoutes(app: FastifyInstance, deps: SamlHttpDeps): void {
  const { saml } = deps;

  async function current(request: FastifyRequest) {
    const token = request.cookies[cookieNames.session];
    return token ? deps.authenticate(token) : undefined;
  }
  const client = (request: FastifyRequest) => ({
    ip: request.ip,
    userAgent: request.headers['user-agent'],
  });

  /** The message as it came: the query (with its raw bytes) or the form fields. */
  function messageOf(request: FastifyRequest): SamlMessage {
    if (request.method === 'POST') {
      const body = (request.body ?? {}) as Fields;
      return { binding: 'post', fields: typeof body === 'object' ? body : {} };
    }
    const url = request.raw.url ?? '';
    const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
    return { binding: 'redirect', fields: request.query as Fields, rawQuery: query };
  }

  function answer(reply: FastifyReply, outcome: SamlOutcome) {
    switch (outcome.kind) {
      case 'login':
        setReturnCookie(reply, outcome.returnTo);
        return reply.redirect(outcome.again ? '/login?again=1' : '/login', 303);
      case 'refused':
        return reply
          .code(400)
          .type(htmlType)
          .header('content-security-policy', pageCsp)
          .send(refusedPage(outcome.reason));
      case 'signed_out': {
        if (outcome.next?.kind === 'redirect') return reply.redirect(outcome.next.location, 303);
        const { body, csp } = departurePage('You are signed out', outcome.next);
        return reply.type(htmlType).header('content-security-policy', csp).send(body);
      }
      case 'redirect':
        return reply.redirect(outcome.location, 303);
      default: {
        const { body, csp } = departurePage('Signing you in', outcome);
        return reply.type(htmlType).header('content-security-policy', csp).send(body);
      }
    }
  }

  /** An unknown organization is a plain 404 page (no audit: there is no organization to log to). */
  async function run(reply: FastifyReply, use: () => Promise<SamlOutcome>) {
    try {
      return answer(reply, await use());
    } catch (err) {
      if (isAppError(err) && err.code === 'saml.organization_unknown')
        return reply
          .code(404)
          .type(htmlType)
          .header('content-security-policy', pageCsp)
          .send(refusedPage('no such organization'));
      throw err;
    }
  }

  app.get<{ Params: { org: string } }>('/saml/:org/metadata', async (request, reply) => {
    try {
      const xml = await saml.metadata(request.params.org);
      return reply
        .type('application/samlmetadata+xml; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .send(xml);
    } catch (err) {
      if (isAppError(err) && err.code === 'saml.organization_unknown')
        return reply.code(404).type('text/plain; charset=utf-8').send('No such organization');
      throw err;
    }
  });

  for (const method of ['GET', 'POST'] as const) {
    app.route<{ Params: { org: string } }>({
      method,
      url: '/saml/:org/sso',
      handler: async (request, reply) =>
        // A POST from the application's site is cross-site: the browser withholds the
        // SameSite=Lax session cookie, so a signed-in user looks signed out here. A request not
        // answered at once goes on by GET to /saml/continue, where the cookie is sent and the
        // session seen (test/browser-saml.test.ts).
        run(reply, async () =>
          saml.authnRequest(
            request.params.org,
            messageOf(request),
            await current(request),
            client(request),
          ),
        ),
    });
    app.route<{ Params: { org: string } }>({
      method,
      url: '/saml/:org/slo',
      handler: async (request, reply) =>
        run(reply, async () => {
          const outcome = await saml.logout(
            request.params.org,
            messageOf(request),
            await current(request),
            client(request),
          );
          // The browser's session ended: its cookie goes too.
          if (outcome.kind === 'signed_out' && outcome.ended)
            clearCookie(reply, cookieNames.session);
          return outcome;
        }),
    });
  }

  app.get<{ Params: { org: string; applicationId: string } }>(
    '/saml/:org/apps/:applicationId/start',
    async (request, reply) =>
      run(reply, async () =>
        saml.idpInitiated(
          request.params.org,
          request.params.applicationId,
          await current(request),
          client(request),
        ),
      ),
  );

  // A logout begun at Vigil's own sign-out: on to the session's SAML applications.
  app.get<{ Params: { id: string } }>('/saml/logout/:id', async (request, reply) =>
    answer(reply, await saml.logoutStep(request.params.id)),
  );

  app.get<{ Params: { id: string } }>('/saml/continue/:id', async (request, reply) =>
    run(reply, async () => saml.resume(request.params.id, await current(request), client(request))),
  );
}
