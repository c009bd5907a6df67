import type { FastifyInstance } from 'fastify';
import { isAppError, platformOrgId } from '../../platform/index.ts';
import { type Body, clientOf, html, type PageContext, problemsOf } from './context.ts';
import { csrfToken } from './cookies.ts';
import * as pages from './pages.ts';

/** Password reset by an emailed link. */
export function registerResetRoutes(app: FastifyInstance, ctx: PageContext): void {
  const { deps, guard } = ctx;

  app.get('/password-reset', async (request, reply) =>
    html(reply).send(pages.resetRequestPage({ csrf: csrfToken(request, reply) })),
  );

  app.post<{ Body: Body }>('/password-reset', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    await deps.passwordReset.request(request.body.email ?? '', clientOf(request));
    return html(reply).send(
      pages.resetRequestPage({ csrf: csrfToken(request, reply), sent: true }),
    );
  });

  app.get<{ Querystring: { token?: string } }>(
    '/password-reset/confirm',
    async (request, reply) => {
      const token = request.query.token ?? '';
      if (!(await deps.passwordReset.check(token)))
        return html(reply, 403).send(pages.resetInvalidPage());
      return html(reply).send(
        pages.passwordChangePage({
          csrf: csrfToken(request, reply),
          action: `/password-reset/confirm?token=${encodeURIComponent(token)}`,
          reason: 'Choose a new password. Every session of your account ends when you save it.',
        }),
      );
    },
  );

  app.post<{ Body: Body; Querystring: { token?: string } }>(
    '/password-reset/confirm',
    async (request, reply) => {
      if (!guard(request, reply)) return reply;
      const token = request.query.token ?? '';
      try {
        await deps.passwordReset.complete(
          token,
          request.body.password ?? '',
          request.body.confirmation ?? '',
          clientOf(request),
        );
        return html(reply).send(pages.resetDonePage());
      } catch (err) {
        await deps.audit.append({
          orgId: platformOrgId,
          action: 'auth.password_reset.failed',
          outcome: 'failure',
          actor: { type: 'anonymous', ip: request.ip, userAgent: request.headers['user-agent'] },
          details: { reason: isAppError(err) ? err.code : 'error' },
        });
        if (isAppError(err) && err.code === 'reset.link_invalid')
          return html(reply, 403).send(pages.resetInvalidPage());
        const problems = problemsOf(err);
        if (!problems) throw err;
        return html(reply, 400).send(
          pages.passwordChangePage({
            csrf: csrfToken(request, reply),
            action: `/password-reset/confirm?token=${encodeURIComponent(token)}`,
            reason: 'Choose a new password.',
            problems,
          }),
        );
      }
    },
  );
}
