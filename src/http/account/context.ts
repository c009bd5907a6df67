import type { FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import type { AuditLog } from '../../audit/index.ts';
import type {
  Account,
  Client,
  PasswordReset,
  SignInFlow,
  StepResult,
} from '../../auth/flows/index.ts';
import type { Federation, SsoDomains } from '../../federation/index.ts';
import type { OAuth } from '../../oauth/index.ts';
import { type AuditAction, type Database, isAppError } from '../../platform/index.ts';
import type { SamlService } from '../../saml/index.ts';
import type { Session, SessionService } from '../../sessions/index.ts';
import { pageCsp } from '../security-headers.ts';
import {
  addDeviceToken,
  clearCookie,
  cookieNames,
  csrfToken,
  csrfValid,
  deviceTokensOf,
  returnPathPattern,
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
  /** The signed-in user's own changes (/account): sessions, browsers, factors, password. */
  account: Account;
  oauth: OAuth;
  /** Home-realm discovery: the connection of an email's verified domain (/login/sso). */
  ssoDomains: Pick<SsoDomains, 'connectionForEmail'>;
  /** Sign-in through an organization's own identity provider (/sso/…). */
  federation: Federation;
  /** Vigil's sign-out goes on to the session's SAML applications (single logout). */
  saml: Pick<SamlService, 'signedOut'>;
  flowMinutes: number;
}

export type Body = Record<string, string | undefined>;
export const failedSignIn =
  'The email or password is not right, or the account cannot sign in now.';

export const clientOf = (request: FastifyRequest): Client => ({
  ip: request.ip,
  userAgent: request.headers['user-agent'],
  deviceTokens: deviceTokensOf(request),
});
export const html = (reply: FastifyReply, status = 200) =>
  reply.code(status).type('text/html; charset=utf-8').header('content-security-policy', pageCsp);
export const problemsOf = (err: unknown): string[] | null => {
  if (!isAppError(err) || (err.kind !== 'invalid' && err.kind !== 'conflict')) return null;
  return Array.isArray(err.details.problems) ? (err.details.problems as string[]) : [err.message];
};

export async function qrDataUri(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** What every page route shares: the services and the cookie, CSRF and audit helpers. */
export function createPageContext(deps: AccountDeps) {
  const { signIn, sessions } = deps;

  /** Sets the cookies a sign-in step's result calls for and says where the browser goes next. */
  function nextLocation(reply: FastifyReply, result: StepResult): string {
    if (result.kind === 'signed_in') {
      clearCookie(reply, cookieNames.flow);
      setSessionCookie(reply, result.token);
      if (result.deviceToken) addDeviceToken(reply, result.deviceToken);
      const back = reply.request.cookies[cookieNames.returnTo];
      if (back !== undefined) clearCookie(reply, cookieNames.returnTo);
      return back && returnPathPattern.test(back) ? back : '/account';
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
    action: AuditAction,
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

  // Passkey ceremonies answer JSON to the page's script; the CSRF value travels in the body.
  const json = (reply: FastifyReply, status: number, body: unknown) =>
    reply.code(status).type('application/json').send(body);
  const refuse = (reply: FastifyReply, status: number, detail: string) =>
    json(reply, status, { detail });

  return {
    deps,
    signIn,
    sessions,
    nextLocation,
    follow,
    guard,
    flowToken,
    auditRefusal,
    sessionSubject,
    current,
    json,
    refuse,
  };
}

export type PageContext = ReturnType<typeof createPageContext>;
