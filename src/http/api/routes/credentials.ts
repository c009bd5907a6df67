import { z } from 'zod';
import { temporaryPassword } from '../../../auth/password/index.ts';
import { defineRoute, isoDate, reasonBody, userIn } from '../route.ts';

/** A session as the API shows it (never its token): `parse` maps a domain `Session` to it. */
const sessionSchema = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  amr: z.array(z.string()),
  acr: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  createdAt: isoDate,
  lastSeenAt: isoDate,
  idleExpiresAt: isoDate,
  absoluteExpiresAt: isoDate,
});

/** A second factor as the API shows it (never its secret or public key). */
const factorSchema = z.object({
  id: z.uuid(),
  kind: z.enum(['totp', 'webauthn']),
  label: z.string(),
  createdAt: isoDate,
  confirmedAt: isoDate.nullable(),
  lastUsedAt: isoDate.nullable(),
});

const ended = z.object({ ended: z.number().int() });

/** A trusted browser (device cookie): what it is known by, never its token or hash. */
const deviceSchema = z.object({
  id: z.uuid(),
  createdAt: isoDate,
  lastUsedAt: isoDate,
  userAgent: z.string().nullable(),
});

/** Credentials and sessions of one user: what a help desk does for a locked-out person. */
export const credentialRoutes = [
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/users/{userId}/password',
    summary:
      "Set a temporary password, given or drawn by Vigil (changed at the user's next sign-in); their sessions end",
    permission: 'users.credentials',
    scope: 'org',
    body: z.object({ temporaryPassword: z.string().min(1).max(1024).optional() }).strict(),
    example: { temporaryPassword: 'Lantern-Orbit-Cactus-42' },
    response: z.object({
      temporary: z.literal(true),
      sessionsEnded: z.number().int(),
      /** Only the one Vigil drew: the answer is the one place it is ever shown. */
      temporaryPassword: z.string().optional(),
    }),
    async handler(call) {
      const user = await userIn(call);
      const { passwords, sessions } = call.services;
      const given = call.body.temporaryPassword;
      const password =
        given ?? temporaryPassword((await passwords.policy(call.tx, user.orgId)).policy.minLength);
      await passwords.set(call.tx, user, password, {
        actor: call.actor,
        temporary: true,
        byOwner: false,
      });
      // As after any password change: sessions end, and OAuth access too if the org says so.
      const ended = await sessions.endAllForUser(call.tx, user.id, 'password_change', call.actor);
      const drawn = given === undefined ? { temporaryPassword: password } : {};
      return { body: { temporary: true as const, sessionsEnded: ended.length, ...drawn } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/users/{userId}/unlock',
    summary: 'Lift a temporary or permanent lockout (password and second factor)',
    permission: 'users.credentials',
    scope: 'org',
    response: z.object({ wasLocked: z.boolean() }),
    async handler(call) {
      const user = await userIn(call);
      return { body: { wasLocked: await call.services.lockout.unlock(call.tx, user, call.actor) } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/users/{userId}/factors',
    summary: 'Second factors of a user (never their secrets)',
    permission: 'users.read',
    scope: 'org',
    response: z.object({ items: z.array(factorSchema), recoveryCodesLeft: z.number().int() }),
    async handler(call) {
      const user = await userIn(call);
      const { mfa } = call.services;
      return {
        body: {
          items: await mfa.factors(call.tx, user.id),
          recoveryCodesLeft: await mfa.remainingRecoveryCodes(call.tx, user.id),
        },
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/users/{userId}/factors/reset',
    summary:
      'Remove every second factor and recovery code (a lost device); sessions end, and the user enrolls again where MFA is required',
    permission: 'users.credentials',
    scope: 'org',
    body: reasonBody,
    example: { reason: 'lost phone, identity checked by video call' },
    response: z.object({ removed: z.number().int(), sessionsEnded: z.number().int() }),
    async handler(call) {
      const user = await userIn(call);
      const { reason } = call.body;
      const { mfa, sessions } = call.services;
      const removed = await mfa.resetFactors(call.tx, user, reason, call.actor);
      const ended = await sessions.endAllForUser(call.tx, user.id, 'admin', call.actor);
      return { body: { removed, sessionsEnded: ended.length } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/users/{userId}/sessions',
    summary: "A user's live sessions",
    permission: 'users.read',
    scope: 'org',
    response: z.object({ items: z.array(sessionSchema) }),
    async handler(call) {
      const user = await userIn(call);
      const live = await call.services.sessions.listForUser(call.tx, user.id);
      return { body: { items: live } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/users/{userId}/sessions/end',
    summary: 'End every session of a user (and the OAuth sessions linked to them)',
    permission: 'users.deactivate',
    scope: 'org',
    response: ended,
    async handler(call) {
      const user = await userIn(call);
      const done = await call.services.sessions.endAllForUser(
        call.tx,
        user.id,
        'admin',
        call.actor,
      );
      return { body: { ended: done.length } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/users/{userId}/devices',
    summary: "A user's trusted browsers (device cookies), most recently used first",
    permission: 'users.read',
    scope: 'org',
    response: z.object({ items: z.array(deviceSchema) }),
    async handler(call) {
      const user = await userIn(call);
      return { body: { items: await call.services.lockout.devices.list(call.tx, user.id) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/users/{userId}/devices/revoke',
    summary:
      "Forget every trusted browser of a user: their failed passwords count on the account's counter again",
    permission: 'users.deactivate',
    scope: 'org',
    response: z.object({ revoked: z.number().int() }),
    async handler(call) {
      const user = await userIn(call);
      const revoked = await call.services.lockout.devices.revokeAll(
        call.tx,
        user,
        'admin',
        call.actor,
      );
      return { body: { revoked } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/sessions/end',
    summary: 'End every session in the organization (an emergency stop)',
    permission: 'users.deactivate',
    scope: 'org',
    response: ended,
    async handler(call) {
      const done = await call.services.sessions.endAllInOrg(call.tx, call.orgId, call.actor);
      return { body: { ended: done.length } };
    },
  }),
];
