import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import type { AuditLog } from '../../audit/index.ts';
import type { Client, PasswordReset, SignInFlow, StepResult } from '../../auth/flows/index.ts';
import type { MfaService, Webauthn } from '../../auth/mfa/index.ts';
import type { PasswordService } from '../../auth/password/index.ts';
import type { IdentityService } from '../../identity/index.ts';
import {
  AppError,
  type AuditActor,
  type Database,
  isAppError,
  platformOrgId,
  withOrg,
} from '../../platform/index.ts';
import type { Session, SessionService } from '../../sessions/index.ts';
import type { TenancyService } from '../../tenancy/index.ts';
import { pageCsp, passkeyPageCsp } from '../security-headers.ts';
import {
  clearCookie,
  cookieNames,
  csrfToken,
  csrfValid,
  setFlowCookie,
  setSessionCookie,
} from './cookies.ts';
import * as pages from './pages.ts';

export interface AccountDeps {
  database: Database;
  audit: AuditLog;
  signIn: SignInFlow;
  passwordReset: PasswordReset;
  sessions: SessionService;
  mfa: MfaService;
  webauthn: Webauthn;
  passwords: PasswordService;
  identity: IdentityService;
  tenancy: TenancyService;
  flowMinutes: number;
}

type Body = Record<string, string | undefined>;
const failedSignIn = 'The email or password is not right, or the account cannot sign in now.';

const clientOf = (request: FastifyRequest): Client => ({
  ip: request.ip,
  userAgent: request.headers['user-agent'],
});
const html = (reply: FastifyReply, status = 200) =>
  reply.code(status).type('text/html; charset=utf-8').header('content-security-policy', pageCsp);
const problemsOf = (err: unknown): string[] | null => {
  if (!isAppError(err) || (err.kind !== 'invalid' && err.kind !== 'conflict')) return null;
  return Array.isArray(err.details.problems) ? (err.details.problems as string[]) : [err.message];
};

async function qrDataUri(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

export function registerAccountRoutes(app: FastifyInstance, deps: AccountDeps): void {
  const { signIn, sessions, mfa } = deps;

  /** Sets the cookies a sign-in step's result calls for and says where the browser goes next. */
  function nextLocation(reply: FastifyReply, result: StepResult): string {
    if (result.kind === 'signed_in') {
      clearCookie(reply, cookieNames.flow);
      setSessionCookie(reply, result.token);
      return '/account';
    }
    if (result.kind === 'continue') {
      setFlowCookie(reply, result.flowToken, deps.flowMinutes);
      return { mfa: '/login/mfa', enroll: '/login/enroll', password_change: '/login/password' }[
        result.stage
      ];
    }
    return '/login';
  }

  const follow = (reply: FastifyReply, result: StepResult) =>
    reply.redirect(nextLocation(reply, result), 303);

  /** POST handlers check the CSRF field first; a mismatch changes nothing. */
  function guard(request: FastifyRequest, reply: FastifyReply): boolean {
    if (csrfValid(request, (request.body as Body | undefined)?.csrf)) return true;
    html(reply, 403).send(
      pages.signInPage({
        csrf: csrfToken(request, reply),
        problems: ['Your form expired. Please try again.'],
      }),
    );
    return false;
  }

  const flowToken = (request: FastifyRequest) => request.cookies[cookieNames.flow] ?? '';

  /**
   * Refused steps are audited too. Their transaction rolled back, so the event goes through
   * `append`, on its own (after the failed transaction has ended).
   */
  async function auditRefusal(
    request: FastifyRequest,
    subject: { orgId: string; userId: string } | null,
    action: string,
    err: unknown,
  ): Promise<void> {
    if (!subject) return;
    await deps.audit.append({
      orgId: subject.orgId,
      action,
      outcome: 'failure',
      actor: {
        type: 'user',
        id: subject.userId,
        ip: request.ip,
        userAgent: request.headers['user-agent'],
      },
      target: { type: 'user', id: subject.userId },
      details: { reason: isAppError(err) ? err.code : 'error' },
    });
  }
  const sessionSubject = (s: Session) => ({ orgId: s.orgId, userId: s.userId });

  async function current(request: FastifyRequest): Promise<Session | undefined> {
    const token = request.cookies[cookieNames.session];
    return token ? sessions.authenticate(token) : undefined;
  }

  // --- Sign in -----------------------------------------------------------------------------

  app.get('/login', async (request, reply) => {
    if (await current(request)) return reply.redirect('/account', 303);
    return html(reply).send(pages.signInPage({ csrf: csrfToken(request, reply) }));
  });

  app.post<{ Body: Body }>('/login', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const email = (request.body.email ?? '').slice(0, 320);
    const result = await signIn.passwordStep(
      { email, password: request.body.password ?? '', orgSlug: request.body.org },
      clientOf(request),
    );
    const csrf = csrfToken(request, reply);
    if (result.kind === 'failed')
      return html(reply, 401).send(pages.signInPage({ csrf, email, problems: [failedSignIn] }));
    if (result.kind === 'choose_org')
      return html(reply).send(pages.signInPage({ csrf, email, orgs: result.orgs }));
    return follow(reply, result);
  });

  app.get('/login/mfa', async (request, reply) => {
    if ((await signIn.stageOf(flowToken(request))) !== 'mfa') return reply.redirect('/login', 303);
    return html(reply)
      .header('content-security-policy', passkeyPageCsp)
      .send(pages.secondFactorPage({ csrf: csrfToken(request, reply) }));
  });

  app.post<{ Body: Body }>('/login/mfa', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    try {
      const result = await signIn.secondFactorStep(
        flowToken(request),
        request.body.code ?? '',
        clientOf(request),
      );
      if (result.kind === 'continue' && result.stage === 'mfa') {
        return html(reply, 401).send(
          pages.secondFactorPage({
            csrf: csrfToken(request, reply),
            problems: ['That code is not right. Try the current code, or a recovery code.'],
          }),
        );
      }
      return follow(reply, result);
    } catch (err) {
      if (isAppError(err) && err.code === 'signin.flow_invalid')
        return reply.redirect('/login', 303);
      throw err;
    }
  });

  // Passkey ceremonies answer JSON to the page's script; the CSRF value travels in the body.
  const json = (reply: FastifyReply, status: number, body: unknown) =>
    reply.code(status).type('application/json').send(body);
  const refuse = (reply: FastifyReply, status: number, detail: string) =>
    json(reply, status, { detail });

  app.post<{ Body: Body }>('/login/mfa/passkey/options', async (request, reply) => {
    if (!csrfValid(request, request.body?.csrf))
      return refuse(reply, 403, 'Your form expired. Reload the page.');
    try {
      const options = await signIn.passkeyOptions(flowToken(request));
      return options
        ? json(reply, 200, options)
        : refuse(reply, 404, 'You have no passkey; use a code instead.');
    } catch (err) {
      if (isAppError(err) && err.code === 'signin.flow_invalid')
        return refuse(reply, 401, err.message);
      throw err;
    }
  });

  app.post<{ Body: Record<string, unknown> }>('/login/mfa/passkey', async (request, reply) => {
    if (!csrfValid(request, request.body?.csrf))
      return refuse(reply, 403, 'Your form expired. Reload the page.');
    try {
      const result = await signIn.passkeyStep(
        flowToken(request),
        String(request.body.challengeId ?? ''),
        request.body.response,
        clientOf(request),
      );
      if (result.kind === 'continue' && result.stage === 'mfa')
        return refuse(reply, 401, 'The passkey was not accepted.');
      return json(reply, 200, { redirect: nextLocation(reply, result) });
    } catch (err) {
      if (isAppError(err) && err.code === 'signin.flow_invalid')
        return refuse(reply, 401, err.message);
      throw err;
    }
  });

  app.get('/login/enroll', async (request, reply) => {
    if ((await signIn.stageOf(flowToken(request))) !== 'enroll')
      return reply.redirect('/login', 303);
    const { uri, secret } = await signIn.enrollStart(flowToken(request));
    return html(reply).send(
      pages.enrollPage({
        csrf: csrfToken(request, reply),
        qrSvgDataUri: await qrDataUri(uri),
        secret,
        action: '/login/enroll',
        intro: 'Your organization requires a second step at sign-in. Set it up now to continue.',
      }),
    );
  });

  app.post<{ Body: Body }>('/login/enroll', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    try {
      const { result, recoveryCodes } = await signIn.enrollConfirm(
        flowToken(request),
        request.body.code ?? '',
        clientOf(request),
      );
      const next = nextLocation(reply, result);
      if (!recoveryCodes) return reply.redirect(next, 303);
      // Show the codes once, then continue where the flow leads.
      return html(reply).send(
        pages.recoveryCodesPage({
          codes: recoveryCodes,
          next,
          nextLabel: 'I saved them — continue',
        }),
      );
    } catch (err) {
      const problems = problemsOf(err);
      await auditRefusal(
        request,
        await signIn.subjectOf(flowToken(request)),
        'mfa.factor.enroll_failed',
        err,
      );
      if (!problems) {
        if (isAppError(err) && err.code === 'signin.flow_invalid')
          return reply.redirect('/login', 303);
        throw err;
      }
      const { uri, secret } = await signIn.enrollStart(flowToken(request));
      return html(reply, 400).send(
        pages.enrollPage({
          csrf: csrfToken(request, reply),
          qrSvgDataUri: await qrDataUri(uri),
          secret,
          action: '/login/enroll',
          problems,
          intro: 'That code did not match; the app has a new key below. Scan it again.',
        }),
      );
    }
  });

  app.get('/login/password', async (request, reply) => {
    if ((await signIn.stageOf(flowToken(request))) !== 'password_change')
      return reply.redirect('/login', 303);
    return html(reply).send(
      pages.passwordChangePage({
        csrf: csrfToken(request, reply),
        action: '/login/password',
        reason: 'Your password is temporary or has expired. Choose a new one to continue.',
      }),
    );
  });

  app.post<{ Body: Body }>('/login/password', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    try {
      return follow(
        reply,
        await signIn.passwordChangeStep(
          flowToken(request),
          request.body.password ?? '',
          request.body.confirmation ?? '',
          clientOf(request),
        ),
      );
    } catch (err) {
      const problems = problemsOf(err);
      await auditRefusal(
        request,
        await signIn.subjectOf(flowToken(request)),
        'user.password.change_failed',
        err,
      );
      if (!problems) {
        if (isAppError(err) && err.code === 'signin.flow_invalid')
          return reply.redirect('/login', 303);
        throw err;
      }
      return html(reply, 400).send(
        pages.passwordChangePage({
          csrf: csrfToken(request, reply),
          action: '/login/password',
          reason: 'Choose a new password to continue.',
          problems,
        }),
      );
    }
  });

  app.post<{ Body: Body }>('/logout', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const session = await current(request);
    if (session) {
      await withOrg(deps.database, session.orgId, (tx) =>
        sessions.endOne(tx, session.userId, session.id, 'logout', {
          type: 'user',
          id: session.userId,
          ip: request.ip,
          userAgent: request.headers['user-agent'],
        }),
      );
    }
    clearCookie(reply, cookieNames.session);
    return html(reply).send(pages.signedOutPage());
  });

  // --- Password reset ------------------------------------------------------------------------

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

  // --- Account -----------------------------------------------------------------------------

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

  /** A new session id after a change of factors or password (DESIGN: fixation-proof). */
  async function renew(reply: FastifyReply, session: Session, actor: AuditActor): Promise<Session> {
    return withOrg(deps.database, session.orgId, async (tx) => {
      const next = await sessions.create(
        tx,
        {
          user: { id: session.userId, orgId: session.orgId },
          amr: session.amr,
          acr: session.acr,
          ip: actor.ip,
          userAgent: actor.userAgent,
        },
        actor,
      );
      await sessions.endOne(tx, session.userId, session.id, 'privilege_change', actor);
      setSessionCookie(reply, next.token);
      return next.session;
    });
  }

  async function renderAccount(
    request: FastifyRequest,
    reply: FastifyReply,
    session: Session,
    extra: { notice?: string; problems?: string[] } = {},
    status = 200,
  ) {
    const view = await withOrg(deps.database, session.orgId, async (tx) => {
      const user = await deps.identity.findUser(tx, session.userId);
      const org = await deps.tenancy.getOrganization(tx, session.orgId);
      const activity = await deps.audit.query(tx, { subjectId: session.userId, limit: 20 });
      return {
        csrf: csrfToken(request, reply),
        email: user?.email ?? '',
        displayName: user?.displayName ?? '',
        orgName: org?.name ?? '',
        currentSessionId: session.id,
        sessions: await sessions.listForUser(tx, session.userId),
        factors: await mfa.factors(tx, session.userId),
        recoveryCodesLeft: await mfa.remainingRecoveryCodes(tx, session.userId),
        activity: activity.events.map((e) => ({
          at: e.occurredAt,
          action: e.action,
          outcome: e.outcome,
          ip: e.actor.ip,
        })),
        ...extra,
      };
    });
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
        await withOrg(deps.database, session.orgId, (tx) =>
          sessions.endOne(tx, session.userId, target, 'user', actor),
        );
      }
      return renderAccount(request, reply, session, { notice: 'The session was ended.' });
    }),
  );

  app.post<{ Body: Body }>('/account/sessions/end-others', (request, reply) =>
    withSession(request, reply, async (session, actor) => {
      const ended = await withOrg(deps.database, session.orgId, (tx) =>
        sessions.endAllForUser(tx, session.userId, 'user', actor, session.id),
      );
      return renderAccount(request, reply, session, {
        notice: `${ended.length} other session(s) ended.`,
      });
    }),
  );

  app.get('/account/totp', (request, reply) =>
    withSession(request, reply, async (session) => {
      const started = await withOrg(deps.database, session.orgId, async (tx) => {
        const user = await deps.identity.findUser(tx, session.userId);
        return mfa.startTotp(tx, {
          id: session.userId,
          orgId: session.orgId,
          email: user?.email ?? '',
        });
      });
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
          const { recoveryCodes } = await withOrg(deps.database, session.orgId, async (tx) => {
            const user = await deps.identity.findUser(tx, session.userId);
            return mfa.confirmTotp(
              tx,
              { id: session.userId, orgId: session.orgId, email: user?.email ?? '' },
              request.params.factorId,
              request.body.code ?? '',
              actor,
            );
          });
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
        await withOrg(deps.database, session.orgId, async (tx) => {
          const user = await deps.identity.findUser(tx, session.userId);
          const required = user ? (await signIn.mfaRequired(tx, user)).required : true;
          await mfa.removeFactor(
            tx,
            { id: session.userId, orgId: session.orgId, email: user?.email ?? '' },
            request.body.factor ?? '',
            required,
            actor,
          );
        });
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
    const options = await withOrg(deps.database, session.orgId, async (tx) => {
      const user = await deps.identity.findUser(tx, session.userId);
      return deps.webauthn.registrationOptions(tx, {
        id: session.userId,
        orgId: session.orgId,
        email: user?.email ?? '',
      });
    });
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
      await withOrg(deps.database, session.orgId, async (tx) => {
        const user = await deps.identity.findUser(tx, session.userId);
        await deps.webauthn.finishRegistration(
          tx,
          { id: session.userId, orgId: session.orgId, email: user?.email ?? '' },
          String(request.body.challengeId ?? ''),
          request.body.response as never,
          String(request.body.label ?? 'Passkey'),
          actor,
        );
      });
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
      const codes = await withOrg(deps.database, session.orgId, async (tx) => {
        const user = await deps.identity.findUser(tx, session.userId);
        return mfa.regenerateRecoveryCodes(
          tx,
          { id: session.userId, orgId: session.orgId, email: user?.email ?? '' },
          actor,
        );
      });
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
        await withOrg(deps.database, session.orgId, async (tx) => {
          const user = await deps.identity.findUser(tx, session.userId);
          if (!user) throw new Error('session without user');
          const check = await deps.passwords.verify(
            tx,
            user,
            body.current ?? '',
            session.amr.includes('mfa'),
          );
          const problems = check.ok ? [] : ['The current password is not right.'];
          if ((body.password ?? '') !== (body.confirmation ?? ''))
            problems.push('The two new passwords differ.');
          if (problems.length > 0) {
            throw new AppError('invalid', 'password.change_refused', problems.join(' '), {
              details: { problems },
            });
          }
          await deps.passwords.set(tx, user, body.password ?? '', {
            actor,
            temporary: false,
            byOwner: true,
          });
          await sessions.endAllForUser(tx, session.userId, 'password_change', actor, session.id);
        });
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
