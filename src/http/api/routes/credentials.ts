import { z } from 'zod';
import type { Session } from '../../../sessions/index.ts';
import { type ApiRoute, reasonBody, userIn } from '../route.ts';

const sessionSchema = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  amr: z.array(z.string()),
  acr: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  createdAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  idleExpiresAt: z.iso.datetime(),
  absoluteExpiresAt: z.iso.datetime(),
});

const sessionOut = (s: Session) => ({
  id: s.id,
  userId: s.userId,
  amr: s.amr,
  acr: s.acr,
  ip: s.ip,
  userAgent: s.userAgent,
  createdAt: s.createdAt.toISOString(),
  lastSeenAt: s.lastSeenAt.toISOString(),
  idleExpiresAt: s.idleExpiresAt.toISOString(),
  absoluteExpiresAt: s.absoluteExpiresAt.toISOString(),
});

const ended = z.object({ ended: z.number().int() });

/** A trusted browser (device cookie): what it is known by, never its token or hash. */
const deviceSchema = z.object({
  id: z.uuid(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime(),
  userAgent: z.string().nullable(),
});

/** Credentials and sessions of one user: what a help desk does for a locked-out person. */
export const credentialRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/orgs/{orgId}/users/{userId}/password',
    summary: "Set a temporary password (changed at the user's next sign-in); their sessions end",
    permission: 'users.credentials',
    scope: 'org',
    body: z.object({ temporaryPassword: z.string().min(1).max(1024) }).strict(),
    example: { temporaryPassword: 'Lantern-Orbit-Cactus-42' },
    response: z.object({ temporary: z.literal(true), sessionsEnded: z.number().int() }),
    async handler(call) {
      const user = await userIn(call);
      const { temporaryPassword } = call.body as { temporaryPassword: string };
      const { passwords, sessions } = call.services;
      await passwords.set(call.tx, user, temporaryPassword, {
        actor: call.actor,
        temporary: true,
        byOwner: false,
      });
      // As after any password change: sessions end, and OAuth access too if the org says so.
      const ended = await sessions.endAllForUser(call.tx, user.id, 'password_change', call.actor);
      return { body: { temporary: true, sessionsEnded: ended.length } };
    },
  },
  {
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
  },
  {
    method: 'GET',
    path: '/orgs/{orgId}/users/{userId}/factors',
    summary: 'Second factors of a user (never their secrets)',
    permission: 'users.read',
    scope: 'org',
    response: z.object({
      items: z.array(
        z.object({
          id: z.uuid(),
          kind: z.enum(['totp', 'webauthn']),
          label: z.string(),
          createdAt: z.iso.datetime(),
          confirmedAt: z.iso.datetime().nullable(),
          lastUsedAt: z.iso.datetime().nullable(),
        }),
      ),
      recoveryCodesLeft: z.number().int(),
    }),
    async handler(call) {
      const user = await userIn(call);
      const { mfa } = call.services;
      const factors = await mfa.factors(call.tx, user.id);
      return {
        body: {
          items: factors.map((f) => ({
            id: f.id,
            kind: f.kind,
            label: f.label,
            createdAt: f.createdAt.toISOString(),
            confirmedAt: f.confirmedAt?.toISOString() ?? null,
            lastUsedAt: f.lastUsedAt?.toISOString() ?? null,
          })),
          recoveryCodesLeft: await mfa.remainingRecoveryCodes(call.tx, user.id),
        },
      };
    },
  },
  {
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
      const { reason } = call.body as { reason: string };
      const { mfa, sessions } = call.services;
      const removed = await mfa.resetFactors(call.tx, user, reason, call.actor);
      const ended = await sessions.endAllForUser(call.tx, user.id, 'admin', call.actor);
      return { body: { removed, sessionsEnded: ended.length } };
    },
  },
  {
    method: 'GET',
    path: '/orgs/{orgId}/users/{userId}/sessions',
    summary: "A user's live sessions",
    permission: 'users.read',
    scope: 'org',
    response: z.object({ items: z.array(sessionSchema) }),
    async handler(call) {
      const user = await userIn(call);
      const live = await call.services.sessions.listForUser(call.tx, user.id);
      return { body: { items: live.map(sessionOut) } };
    },
  },
  {
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
  },
  {
    method: 'GET',
    path: '/orgs/{orgId}/users/{userId}/devices',
    summary: "A user's trusted browsers (device cookies), most recently used first",
    permission: 'users.read',
    scope: 'org',
    response: z.object({ items: z.array(deviceSchema) }),
    async handler(call) {
      const user = await userIn(call);
      const devices = await call.services.lockout.devices.list(call.tx, user.id);
      return {
        body: {
          items: devices.map((d) => ({
            id: d.id,
            createdAt: d.createdAt.toISOString(),
            lastUsedAt: d.lastUsedAt.toISOString(),
            userAgent: d.userAgent,
          })),
        },
      };
    },
  },
  {
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
  },
  {
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
  },
];
