import type { AuditLog } from '../../audit/index.ts';
import type { IdentityService } from '../../identity/index.ts';
import { type AuditActor, type Database, type Tx, withOrg } from '../../platform/index.ts';
import type { Session, SessionService } from '../../sessions/index.ts';
import type { TenancyService } from '../../tenancy/index.ts';
import type { TrustedDevices } from '../lockout/index.ts';
import type { MfaService, MfaUser, Webauthn } from '../mfa/index.ts';
import { type PasswordService, passwordErrors } from '../password/index.ts';

export interface AccountDeps {
  database: Database;
  audit: Pick<AuditLog, 'query'>;
  identity: IdentityService;
  tenancy: Pick<TenancyService, 'getOrganization'>;
  sessions: SessionService;
  devices: TrustedDevices;
  mfa: MfaService;
  webauthn: Webauthn;
  passwords: PasswordService;
  /** Whether the organization or the user's roles require a second factor (the sign-in's rule). */
  mfaRequired: (
    tx: Tx,
    user: { id: string; orgId: string; createdAt: Date },
  ) => Promise<{ required: boolean; graceUntil: Date | null }>;
}

export interface PasswordChange {
  current: string;
  password: string;
  confirmation: string;
}

/**
 * What a signed-in user does to their own account (the /account pages): each method one
 * transaction in the session's organization.
 */
export function createAccount(deps: AccountDeps) {
  const { database, sessions, mfa } = deps;
  const inOrgOf = <T>(session: Session, fn: (tx: Tx) => Promise<T>) =>
    withOrg(database, session.orgId, fn);

  /** The session's user as the MFA services address them (email for the authenticator label). */
  async function mfaUser(tx: Tx, session: Session): Promise<MfaUser> {
    const user = await deps.identity.findUser(tx, session.userId);
    return { id: session.userId, orgId: session.orgId, email: user?.email ?? '' };
  }

  return {
    /** Everything the account page shows, but the OAuth grants (those live in platform scope). */
    overview: (session: Session) =>
      inOrgOf(session, async (tx) => {
        const user = await deps.identity.findUser(tx, session.userId);
        const factors = await mfa.factors(tx, session.userId);
        // Within the grace period of a required second factor: the date to enroll by.
        const enrollBy =
          user && factors.length === 0 ? (await deps.mfaRequired(tx, user)).graceUntil : null;
        return {
          user,
          organization: await deps.tenancy.getOrganization(tx, session.orgId),
          activity: await deps.audit.query(tx, { subjectId: session.userId, limit: 20 }),
          factors,
          enrollBy,
          sessions: await sessions.listForUser(tx, session.userId),
          devices: await deps.devices.list(tx, session.userId),
          recoveryCodesLeft: await mfa.remainingRecoveryCodes(tx, session.userId),
        };
      }),

    /** A new session in place of `session` after a change of factors or password (fixation-proof). */
    renewSession: (
      session: Session,
      actor: AuditActor,
    ): Promise<{ session: Session; token: string }> =>
      inOrgOf(session, async (tx) => {
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
        return next;
      }),

    endSession: (session: Session, sessionId: string, actor: AuditActor) =>
      inOrgOf(session, (tx) => sessions.endOne(tx, session.userId, sessionId, 'user', actor)),

    /** Ends the user's sessions but `session`; returns the ended ones. */
    endOtherSessions: (session: Session, actor: AuditActor) =>
      inOrgOf(session, (tx) =>
        sessions.endAllForUser(tx, session.userId, 'user', actor, session.id),
      ),

    /** Revokes one of the user's trusted browsers; false when the user has no such browser. */
    forgetDevice: (session: Session, deviceId: string, actor: AuditActor) =>
      inOrgOf(session, (tx) =>
        deps.devices.revokeOne(
          tx,
          { id: session.userId, orgId: session.orgId },
          deviceId,
          'user',
          actor,
        ),
      ),

    /** Revokes all of the user's trusted browsers; returns how many. */
    forgetAllDevices: (session: Session, actor: AuditActor) =>
      inOrgOf(session, (tx) =>
        deps.devices.revokeAll(tx, { id: session.userId, orgId: session.orgId }, 'user', actor),
      ),

    startTotp: (session: Session) =>
      inOrgOf(session, async (tx) => mfa.startTotp(tx, await mfaUser(tx, session))),

    confirmTotp: (session: Session, factorId: string, code: string, actor: AuditActor) =>
      inOrgOf(session, async (tx) =>
        mfa.confirmTotp(tx, await mfaUser(tx, session), factorId, code, actor),
      ),

    /** Removes a factor, refused when it is the last one and a second factor is required. */
    removeFactor: (session: Session, factorId: string, actor: AuditActor) =>
      inOrgOf(session, async (tx) => {
        const user = await deps.identity.findUser(tx, session.userId);
        const required = user ? (await deps.mfaRequired(tx, user)).required : true;
        const owner = { id: session.userId, orgId: session.orgId, email: user?.email ?? '' };
        await mfa.removeFactor(tx, owner, factorId, required, actor);
      }),

    passkeyOptions: (session: Session) =>
      inOrgOf(session, async (tx) =>
        deps.webauthn.registrationOptions(tx, await mfaUser(tx, session)),
      ),

    addPasskey: (
      session: Session,
      challengeId: string,
      response: Parameters<Webauthn['finishRegistration']>[3],
      label: string,
      actor: AuditActor,
    ) =>
      inOrgOf(session, async (tx) =>
        deps.webauthn.finishRegistration(
          tx,
          await mfaUser(tx, session),
          challengeId,
          response,
          label,
          actor,
        ),
      ),

    regenerateRecoveryCodes: (session: Session, actor: AuditActor) =>
      inOrgOf(session, async (tx) =>
        mfa.regenerateRecoveryCodes(tx, await mfaUser(tx, session), actor),
      ),

    /**
     * Changes the password after checking the current one, and ends the user's other sessions.
     * Refused (`password.change_refused`, the problems in `details.problems`) when the current
     * password is wrong or the two new ones differ.
     */
    changePassword: (session: Session, change: PasswordChange, actor: AuditActor) =>
      inOrgOf(session, async (tx) => {
        const user = await deps.identity.findUser(tx, session.userId);
        if (!user) throw new Error('session without user');
        const check = await deps.passwords.verify(
          tx,
          user,
          change.current,
          session.amr.includes('mfa'),
        );
        const problems = check.ok ? [] : ['The current password is not right.'];
        if (change.password !== change.confirmation) problems.push('The two new passwords differ.');
        if (problems.length > 0) {
          throw passwordErrors.changeRefused({
            problems: problems.join(' '),
            details: { problems },
          });
        }
        await deps.passwords.set(tx, user, change.password, {
          actor,
          temporary: false,
          byOwner: true,
        });
        await sessions.endAllForUser(tx, session.userId, 'password_change', actor, session.id);
      }),
  };
}

export type Account = ReturnType<typeof createAccount>;
