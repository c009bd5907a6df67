import type Provider from 'oidc-provider';
import type { AuditLog } from '../audit/index.ts';
import {
  type AuditActor,
  type Database,
  type Logger,
  type SessionEndReason,
  withPlatform,
} from '../platform/index.ts';
import type { Session } from '../sessions/index.ts';
import * as models from './models.store.ts';
import * as links from './session-links.store.ts';

export interface LogoutDeps {
  database: Database;
  audit: AuditLog;
  logger: Logger;
  provider(): Provider;
  /** Whether the organization's session policy revokes OAuth access on a password change. */
  revokesOnPasswordChange(orgId: string): Promise<boolean>;
}

/** What oidc-provider keeps per client in its session. */
interface Authorization {
  sid?: string;
  grantId?: string;
  persistsLogout?: boolean;
}

/** What oidc-provider adds to a client when back-channel logout is enabled. */
interface BackchannelClient {
  backchannelLogoutUri?: string;
  backchannelLogout(sub: string, sid: string): Promise<void>;
}

const systemActor: AuditActor = { type: 'system', id: 'vigil' };

/**
 * The end of a Vigil session reaches the applications (docs/oidc.md#logout): every client signed
 * in through it gets an OIDC back-channel logout, and deactivation revokes all OAuth access.
 */
export function createLogout(deps: LogoutDeps) {
  const { database, audit } = deps;

  /** POSTs a logout token to the client's back-channel URI, if it has one; audited either way. */
  async function notify(orgId: string, accountId: string, clientId: string, sid?: string) {
    const client = (await deps.provider().Client.find(clientId)) as BackchannelClient | undefined;
    if (!client?.backchannelLogoutUri) return;
    const event = {
      orgId,
      actor: systemActor,
      target: { type: 'user', id: accountId },
      details: { clientId, uri: client.backchannelLogoutUri },
    };
    try {
      await client.backchannelLogout(accountId, sid ?? '');
      await audit.append({ ...event, action: 'oauth.backchannel_logout.sent' });
    } catch (err) {
      await audit.append({
        ...event,
        action: 'oauth.backchannel_logout.failed',
        outcome: 'failure',
        details: { ...event.details, error: String(err) },
      });
    }
  }

  /**
   * Revokes the grants of the given (already removed) provider sessions that do not outlive a
   * logout (no `offline_access`) unless `grantsGone`, then tells every client in the background.
   */
  async function endProviderSessions(
    orgOf: (accountId: string) => string | undefined,
    sessions: Record<string, unknown>[],
    grantsGone: boolean,
  ): Promise<void> {
    const notices: Promise<void>[] = [];
    for (const session of sessions) {
      const accountId = typeof session.accountId === 'string' ? session.accountId : undefined;
      const orgId = accountId && orgOf(accountId);
      if (!accountId || !orgId) continue;
      const authorizations = (session.authorizations ?? {}) as Record<string, Authorization>;
      for (const [clientId, auth] of Object.entries(authorizations)) {
        const { grantId } = auth;
        if (!grantsGone && grantId && !auth.persistsLogout)
          await withPlatform(database, (tx) => models.deleteGrant(tx, grantId));
        notices.push(notify(orgId, accountId, clientId, auth.sid));
      }
    }
    void Promise.all(notices).catch((err: unknown) =>
      deps.logger.error({ err }, 'back-channel logout failed'),
    );
  }

  /**
   * Deactivation (docs/architecture.md#invariant-6): every grant, token, code and provider session
   * of these users goes at once, so refresh fails and introspection answers `active: false`; their
   * clients are told. One `oauth.access.revoked` event per user.
   */
  async function revokeAllFor(users: readonly { userId: string; orgId: string }[], reason: string) {
    if (users.length === 0) return;
    const orgs = new Map(users.map((u) => [u.userId, u.orgId]));
    const accountIds = [...orgs.keys()];
    // One transaction for every user (a review's close may sign out thousands at once).
    const sessions = await withPlatform(database, async (tx) => {
      const taken = await models.takeSessions(tx, { accountIds });
      await links.unlinkAccounts(tx, accountIds);
      const grants = await models.deleteByAccounts(tx, accountIds);
      const sessionsOf = new Map<unknown, number>();
      for (const t of taken) sessionsOf.set(t.accountId, (sessionsOf.get(t.accountId) ?? 0) + 1);
      for (const { userId, orgId } of users)
        await audit.record(tx, {
          orgId,
          action: 'oauth.access.revoked',
          actor: systemActor,
          target: { type: 'user', id: userId },
          details: {
            reason,
            grants: grants.get(userId)?.size ?? 0,
            providerSessions: sessionsOf.get(userId) ?? 0,
          },
        });
      return taken;
    });
    await endProviderSessions((accountId) => orgs.get(accountId), sessions, true);
  }

  /** Vigil sessions ended (after their transaction committed). */
  async function sessionsEnded(ended: Session[], reason: SessionEndReason): Promise<void> {
    const orgs = new Map(ended.map((s) => [s.userId, s.orgId]));
    const sessions = await withPlatform(database, async (tx) =>
      models.takeSessions(tx, {
        ids: await links.unlinkVigilSessions(
          tx,
          ended.map((s) => s.id),
        ),
      }),
    );
    await endProviderSessions((accountId) => orgs.get(accountId), sessions, false);
    // Deactivation revokes through the lifecycle service, sessions or not.
    if (reason !== 'password_change') return;
    for (const [userId, orgId] of orgs) {
      if (await deps.revokesOnPasswordChange(orgId))
        await revokeAllFor([{ userId, orgId }], reason);
    }
  }

  return {
    revokeAllFor,
    /** For the sessions service's `onEnded`; failures are logged (the sessions did end). */
    sessionsEnded: (ended: Session[], reason: SessionEndReason): Promise<void> =>
      sessionsEnded(ended, reason).catch((err: unknown) =>
        deps.logger.error({ err, reason }, 'ending OAuth sessions after a Vigil session failed'),
      ),
    /** Remembers which Vigil session confirmed a provider session (the login check). */
    link: (row: Parameters<typeof links.link>[1]) =>
      withPlatform(database, (tx) => links.link(tx, row)),
    sweep: (now: Date) => withPlatform(database, (tx) => links.deleteExpiredLinks(tx, now)),
  };
}

export type Logout = ReturnType<typeof createLogout>;
