import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type AuditActor, isAppError } from '../../platform/index.ts';
import type { Session } from '../../sessions/index.ts';
import { passkeyPageCsp } from '../security-headers.ts';
import { type Body, html, type PageContext, problemsOf, qrDataUri } from './context.ts';
import { csrfToken, csrfValid, deviceTokensOf, setSessionCookie } from './cookies.ts';
import * as pages from './pages.ts';

/** The signed-in user's account page and its actions. */
export function registerAccountPages(app: FastifyInstance, ctx: PageContext): void {
  const { deps, guard, auditRefusal, sessionSubject, current, json, refuse } = ctx;

  /** Account routes: a live session or back to sign-in. */
  async function withSession(
    request: FastifyRequest,
    reply: FastifyReply,
    fn: (session: Session, actor: AuditActor) => Promise<unknown>,
  ): Promise<unknown> {
    const session = await current(request);
    if (!session) return reply.redirect('/login', 303);
    if (request.method === 'POST' && !guard(request, reply)) return reply;
    return fn(session, {
      type: 'user',
      id: session.userId,
      ip: request.ip,
      userAgent: request.headers['user-agent'],
    });
  }

  /**
   * A new session id after a change of factors or password (fixation-proof:
   * docs/authentication.md#sessions).
   */
  async function renew(reply: FastifyReply, session: Session, actor: AuditActor): Promise<Session> {
    const next = await deps.account.renewSession(session, actor);
    setSessionCookie(reply, next.token);
    return next.session;
  }

  async function renderAccount(
    request: FastifyRequest,
    reply: FastifyReply,
    session: Session,
    extra: { notice?: string; problems?: string[] } = {},
    status = 200,
  ) {
    // Platform scope, so outside the organization's transaction (one connection on PGlite).
    const applications = await deps.oauth.grantsOf(session.userId);
    const {
      user,
      organization,
      activity,
      enrollBy,
      sessions,
      devices,
      factors,
      recoveryCodesLeft,
    } = await deps.account.overview(session);
    const view = {
      csrf: csrfToken(request, reply),
      email: user?.email ?? '',
      displayName: user?.displayName ?? '',
      orgName: organization?.name ?? '',
      currentSessionId: session.id,
      applications,
      sessions,
      devices,
      // The ids of this browser's device tokens, to mark its row (the id part only).
      currentDeviceIds: deviceTokensOf(request).map((t) => t.split('.')[0] ?? ''),
      factors,
      recoveryCodesLeft,
      activity: activity.events.map((e) => ({
        at: e.occurredAt,
        action: e.action,
        outcome: e.outcome,
        ip: e.actor.ip,
      })),
      // Within the grace period of a required second factor: the prompt to enroll before it ends.
      notice: enrollBy
        ? `Your organization requires a second factor: add one below before ${enrollBy.toISOString().slice(0, 10)}. From then on, signing in asks you to set one up first.`
        : undefined,
      ...extra,
    };
    return html(reply, status)
      .header('content-security-policy', passkeyPageCsp)
      .send(pages.accountPage(view));
  }

  app.get('/account', (request, reply) =>
    withSession(request, reply, (session) => renderAccount(request, reply, session)),
  );

  app.post<{ Body: Body }>('/account/sessions/end', (request, reply) =>
    withSession(request, reply, async (session, actor) => {
      const target = request.body.session ?? '';
      if (target !== session.id) {
        await deps.account.endSession(session, target, actor);
      }
      return renderAccount(request, reply, session, { notice: 'The session was ended.' });
    }),
  );

  app.post<{ Body: Body }>('/account/sessions/end-others', (request, reply) =>
    withSession(request, reply, async (session, actor) => {
      const ended = await deps.account.endOtherSessions(session, actor);
      return renderAccount(request, reply, session, {
        notice: `${ended.length} other session(s) ended.`,
      });
    }),
  );

  // Forgetting a browser makes its failed passwords count on the account's counter again, as an
  // unknown browser's do, until the user completes a sign-in from it (docs/authentication.md).
  app.post<{ Body: Body }>('/account/devices/forget', (request, reply) =>
    withSession(request, reply, async (session, actor) => {
      const forgotten = await deps.account.forgetDevice(session, request.body.device ?? '', actor);
      return forgotten
        ? renderAccount(request, reply, session, { notice: 'The browser was forgotten.' })
        : renderAccount(request, reply, session, { problems: ['No such browser.'] }, 400);
    }),
  );

  app.post<{ Body: Body }>('/account/devices/forget-all', (request, reply) =>
    withSession(request, reply, async (session, actor) => {
      const forgotten = await deps.account.forgetAllDevices(session, actor);
      return renderAccount(request, reply, session, {
        notice: `${forgotten} browser(s) forgotten.`,
      });
    }),
  );

  app.post<{ Body: Body }>('/account/applications/revoke', (request, reply) =>
    withSession(request, reply, async (session, actor) => {
      const revoked = await deps.oauth.revokeGrant(
        { userId: session.userId, orgId: session.orgId },
        request.body.grant ?? '',
        actor,
      );
      return revoked
        ? renderAccount(request, reply, session, {
            notice: 'The application no longer has access.',
          })
        : renderAccount(request, reply, session, { problems: ['No such application.'] }, 400);
    }),
  );

  app.get('/account/totp', (request, reply) =>
    withSession(request, reply, async (session) => {
      const started = await deps.account.startTotp(session);
      return html(reply).send(
        pages.enrollPage({
          csrf: csrfToken(request, reply),
          qrSvgDataUri: await qrDataUri(started.uri),
          secret: started.secret,
          action: `/account/totp/${started.factorId}`,
          intro: 'Add an authenticator app as a second step at sign-in.',
        }),
      );
    }),
  );

  app.post<{ Body: Body; Params: { factorId: string } }>(
    '/account/totp/:factorId',
    (request, reply) =>
      withSession(request, reply, async (session, actor) => {
        try {
          const { recoveryCodes } = await deps.account.confirmTotp(
            session,
            request.params.factorId,
            request.body.code ?? '',
            actor,
          );
          const renewed = await renew(reply, session, actor);
          if (recoveryCodes)
            return html(reply).send(
              pages.recoveryCodesPage({
                codes: recoveryCodes,
                next: '/account',
                nextLabel: 'Back to your account',
              }),
            );
          return renderAccount(request, reply, renewed, { notice: 'Authenticator app added.' });
        } catch (err) {
          const problems = problemsOf(err);
          await auditRefusal(request, sessionSubject(session), 'mfa.factor.enroll_failed', err);
          if (!problems) throw err;
          return renderAccount(request, reply, session, { problems }, 400);
        }
      }),
  );

  app.post<{ Body: Body }>('/account/factors/remove', (request, reply) =>
    withSession(request, reply, async (session, actor) => {
      try {
        await deps.account.removeFactor(session, request.body.factor ?? '', actor);
        const renewed = await renew(reply, session, actor);
        return renderAccount(request, reply, renewed, { notice: 'The factor was removed.' });
      } catch (err) {
        const problems =
          problemsOf(err) ?? (isAppError(err) && err.kind === 'not_found' ? [err.message] : null);
        if (!problems) throw err;
        return renderAccount(request, reply, session, { problems }, 409);
      }
    }),
  );

  app.post<{ Body: Body }>('/account/passkeys/options', async (request, reply) => {
    const session = await current(request);
    if (!session) return refuse(reply, 401, 'Sign in again.');
    if (!csrfValid(request, request.body?.csrf))
      return refuse(reply, 403, 'Your form expired. Reload the page.');
    const options = await deps.account.passkeyOptions(session);
    return json(reply, 200, options);
  });

  app.post<{ Body: Record<string, unknown> }>('/account/passkeys', async (request, reply) => {
    const session = await current(request);
    if (!session) return refuse(reply, 401, 'Sign in again.');
    if (!csrfValid(request, request.body?.csrf))
      return refuse(reply, 403, 'Your form expired. Reload the page.');
    const actor: AuditActor = {
      type: 'user',
      id: session.userId,
      ip: request.ip,
      userAgent: request.headers['user-agent'],
    };
    try {
      await deps.account.addPasskey(
        session,
        String(request.body.challengeId ?? ''),
        request.body.response as never,
        String(request.body.label ?? 'Passkey'),
        actor,
      );
    } catch (err) {
      const problems = problemsOf(err);
      await auditRefusal(request, sessionSubject(session), 'mfa.factor.enroll_failed', err);
      if (!problems) throw err;
      return refuse(reply, 400, problems.join(' '));
    }
    await renew(reply, session, actor);
    return json(reply, 200, { redirect: '/account' });
  });

  app.post<{ Body: Body }>('/account/recovery-codes', (request, reply) =>
    withSession(request, reply, async (session, actor) => {
      const codes = await deps.account.regenerateRecoveryCodes(session, actor);
      return html(reply).send(
        pages.recoveryCodesPage({ codes, next: '/account', nextLabel: 'Back to your account' }),
      );
    }),
  );

  app.get('/account/password', (request, reply) =>
    withSession(request, reply, async () =>
      html(reply).send(
        pages.passwordChangePage({
          csrf: csrfToken(request, reply),
          action: '/account/password',
          reason: 'Your other sessions end when you change it.',
          withCurrent: true,
        }),
      ),
    ),
  );

  app.post<{ Body: Body }>('/account/password', (request, reply) =>
    withSession(request, reply, async (session, actor) => {
      const body = request.body;
      try {
        await deps.account.changePassword(
          session,
          {
            current: body.current ?? '',
            password: body.password ?? '',
            confirmation: body.confirmation ?? '',
          },
          actor,
        );
        const renewed = await renew(reply, session, actor);
        return renderAccount(request, reply, renewed, {
          notice: 'Your password was changed and your other sessions were ended.',
        });
      } catch (err) {
        const problems = problemsOf(err);
        await auditRefusal(request, sessionSubject(session), 'user.password.change_failed', err);
        if (!problems) throw err;
        return html(reply, 400).send(
          pages.passwordChangePage({
            csrf: csrfToken(request, reply),
            action: '/account/password',
            reason: 'Your other sessions end when you change it.',
            withCurrent: true,
            problems,
          }),
        );
      }
    }),
  );
}
