import type { IncomingHttpHeaders } from 'node:http';
import { fastifyCookie } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { deviceDays, maxDeviceTokens } from '../../auth/lockout/index.ts';
import { constantTimeEqual, randomToken } from '../../crypto/index.ts';

/**
 * `__Host-` cookies: Secure, Path=/, no Domain (docs/architecture.md#invariant-3). Browsers treat
 * them as secure even behind a TLS-terminating proxy, since the page itself is https.
 */
export const cookieNames = {
  session: '__Host-vigil-session',
  flow: '__Host-vigil-flow',
  csrf: '__Host-vigil-csrf',
  /** Where to go after signing in: an OAuth interaction waiting for the user. */
  returnTo: '__Host-vigil-return',
  /** The upstream sign-in this browser started (docs/sso.md): its answer must come back here. */
  ssoRequest: '__Host-vigil-sso',
  /** Device tokens: the accounts this browser has signed in to (docs/authentication.md). */
  device: '__Host-vigil-device',
} as const;

/** The Vigil session cookie of a raw request (oidc-provider's routes have no Fastify request). */
export function sessionTokenOf(headers: IncomingHttpHeaders): string | undefined {
  return headers.cookie ? fastifyCookie.parse(headers.cookie)[cookieNames.session] : undefined;
}

/**
 * Only an interaction page of this server, or a SAML request waiting for the sign-in
 * (docs/sso.md#vigil-as-a-saml-identity-provider), may be a place to return to.
 */
export const returnPathPattern =
  /^\/(interaction\/[A-Za-z0-9_-]{1,64}|saml\/continue\/[0-9a-f-]{36})$/;

export function setReturnCookie(reply: FastifyReply, path: string): void {
  if (returnPathPattern.test(path))
    reply.setCookie(cookieNames.returnTo, path, { ...base, sameSite: 'lax', maxAge: 600 });
}

const base = { path: '/', secure: true, httpOnly: true } as const;

/** Binds an upstream sign-in to this browser for as long as its request may be answered. */
export function setSsoRequestCookie(reply: FastifyReply, correlation: string): void {
  reply.setCookie(cookieNames.ssoRequest, correlation, { ...base, sameSite: 'lax', maxAge: 600 });
}

export function setSessionCookie(reply: FastifyReply, token: string): void {
  reply.setCookie(cookieNames.session, token, { ...base, sameSite: 'lax' });
}

export function setFlowCookie(reply: FastifyReply, token: string, minutes: number): void {
  reply.setCookie(cookieNames.flow, token, { ...base, sameSite: 'lax', maxAge: minutes * 60 });
}

/** The device tokens a browser presents, newest first (split tokens, `|` between them). */
export function deviceTokensOf(request: FastifyRequest): string[] {
  const value = request.cookies[cookieNames.device];
  return value ? value.split('|').slice(0, maxDeviceTokens) : [];
}

/** Keeps a new device token in front of the browser's others, for `deviceDays` from now. */
export function addDeviceToken(reply: FastifyReply, token: string): void {
  const tokens = [token, ...deviceTokensOf(reply.request)].slice(0, maxDeviceTokens);
  reply.setCookie(cookieNames.device, tokens.join('|'), {
    ...base,
    sameSite: 'lax',
    maxAge: deviceDays * 86_400,
  });
}

export function clearCookie(reply: FastifyReply, name: string): void {
  reply.clearCookie(name, { ...base });
}

/**
 * CSRF protection by double submit: a random value in a SameSite=Strict cookie that every form
 * repeats in a hidden field. Returns the value to put in the form (creating the cookie if needed).
 */
export function csrfToken(request: FastifyRequest, reply: FastifyReply): string {
  const existing = request.cookies[cookieNames.csrf];
  if (existing && /^[\w-]{43}$/.test(existing)) return existing;
  const token = randomToken(32);
  reply.setCookie(cookieNames.csrf, token, { ...base, sameSite: 'strict' });
  return token;
}

export function csrfValid(request: FastifyRequest, submitted: unknown): boolean {
  const cookie = request.cookies[cookieNames.csrf];
  return (
    typeof submitted === 'string' &&
    typeof cookie === 'string' &&
    cookie.length > 0 &&
    constantTimeEqual(cookie, submitted)
  );
}
