import type { FastifyInstance } from 'fastify';
import { isAppError, isUuid } from '../../platform/index.ts';
import { passkeyPageCsp } from '../security-headers.ts';
import {
  type Body,
  clientOf,
  failedSignIn,
  html,
  type PageContext,
  problemsOf,
  qrDataUri,
} from './context.ts';
import { clearCookie, cookieNames, csrfToken, csrfValid, returnPathPattern } from './cookies.ts';
import * as pages from './pages.ts';

/** Sign-in pages: password, second factor (code or passkey), enrollment, forced password change, sign-out. */
export function registerSignInRoutes(app: FastifyInstance, ctx: PageContext): void {
  const { signIn, nextLocation, follow, guard, flowToken, auditRefusal, current, json, refuse } =
    ctx;

  // `?again`: an application asked for a fresh sign-in (SAML ForceAuthn, OIDC prompt=login or
  // max_age), so the form shows over the live session; otherwise a signed-in browser goes where
  // it was going (the waiting request), or to its account.
  app.get<{ Querystring: { again?: string } }>('/login', async (request, reply) => {
    const again = request.query.again !== undefined;
    if (!again && (await current(request))) {
      const back = request.cookies[cookieNames.returnTo];
      if (back !== undefined) clearCookie(reply, cookieNames.returnTo);
      return reply.redirect(back && returnPathPattern.test(back) ? back : '/account', 303);
    }
    const notice = again ? 'Sign in again to continue: the application asks for it.' : undefined;
    return html(reply).send(pages.signInPage({ csrf: csrfToken(request, reply), notice }));
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

  // Home-realm discovery (docs/sso.md#home-realm-discovery-and-domains): the email's verified
  // domain names the connection; the browser goes to its start through a page of Vigil's own.
  app.post<{ Body: Body }>('/login/sso', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const email = (request.body.email ?? '').trim().slice(0, 320);
    const found = email ? await ctx.deps.ssoDomains.connectionForEmail(email) : null;
    if (found) return reply.redirect(`/login/sso/${found.connectionId}`, 303);
    const problems = [
      email.includes('@')
        ? `Single sign-on is not set up for ${email.slice(email.lastIndexOf('@') + 1)}. Sign in with your password, or ask your administrator.`
        : 'Enter your work email address.',
    ];
    return html(reply, 404).send(
      pages.signInPage({ csrf: csrfToken(request, reply), sso: { email, problems } }),
    );
  });

  app.get<{ Params: { connectionId: string } }>(
    '/login/sso/:connectionId',
    async (request, reply) => {
      const id = request.params.connectionId;
      if (!isUuid(id)) return reply.redirect('/login', 303);
      const start = `/sso/${id}/start`;
      return html(reply).header('refresh', `0; url=${start}`).send(pages.ssoContinuePage(start));
    },
  );

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
    if (session) await signIn.signOut(session, clientOf(request));
    clearCookie(reply, cookieNames.session);
    // The SAML applications the session signed in to are told in turn, then the same page.
    const logout = session && (await ctx.deps.saml.signedOut(session));
    if (logout) return reply.redirect(logout, 303);
    return html(reply).send(pages.signedOutPage());
  });
}
