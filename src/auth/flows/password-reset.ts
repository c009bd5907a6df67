import type { AuditLog } from '../../audit/index.ts';
import { createSplitToken, readSplitToken, splitTokenMatches } from '../../crypto/index.ts';
import type { IdentityService } from '../../identity/index.ts';
import {
  type Clock,
  type Database,
  type Logger,
  type Mailer,
  newId,
  type Tx,
  withOrg,
  withPlatform,
} from '../../platform/index.ts';
import { heldRoleKeysOfUsers } from '../../rbac/index.ts';
import type { SessionService } from '../../sessions/index.ts';
import type { TrustedDevices } from '../lockout/index.ts';
import { type PasswordService, passwordErrors } from '../password/index.ts';
import { platformAdminRole } from './bootstrap.ts';
import { flowErrors } from './errors.ts';
import * as store from './password-reset.store.ts';
import type { Client } from './sign-in/index.ts';
import type { SsoPolicyService } from './sso-policy.ts';

export interface PasswordResetDeps {
  database: Database;
  audit: AuditLog;
  identity: IdentityService;
  passwords: PasswordService;
  sessions: SessionService;
  /** SSO required: the organization's users have no password to reset (docs/sso.md). */
  ssoPolicy: SsoPolicyService;
  /** Browsers the user signed in from: a reset revokes them (device cookies). */
  devices: Pick<TrustedDevices, 'revokeAll'>;
  mailer: Mailer;
  logger: Logger;
  clock: Clock;
  publicUrl: string;
  platformOrgId: string;
  /** How long a link works. */
  linkMinutes?: number;
  /** Most links per account per hour (mail bombing). */
  maxPerHour?: number;
  /** Most requests at work at once, after their answers. */
  maxPending?: number;
}

const invalidLink = flowErrors.resetLinkInvalid;

/**
 * Password reset by an emailed, single-use, expiring link. The request always gets the same
 * answer and takes the same time whether or not the email exists: its work runs after the
 * answer. A completed reset ends every session of the user; a second factor is still asked at
 * the next sign-in.
 */
export function createPasswordReset(deps: PasswordResetDeps) {
  const linkMinutes = deps.linkMinutes ?? 30;
  const maxPerHour = deps.maxPerHour ?? 5;
  const maxPending = deps.maxPending ?? 64;

  /**
   * Whether SSO is required for the user (their organization's policy), unless they hold the
   * platform administrator role in the platform organization (break-glass, as at sign-in).
   */
  async function ssoRequired(tx: Tx, user: { id: string; orgId: string }): Promise<boolean> {
    const { policy } = await deps.ssoPolicy.policy(tx, user.orgId);
    if (!policy.required) return false;
    if (user.orgId !== deps.platformOrgId) return true;
    const held = await heldRoleKeysOfUsers(tx, [user.id], deps.clock.now());
    return !(held.get(user.id) ?? []).includes(platformAdminRole);
  }

  async function validLink(tx: Tx, token: string): Promise<store.ResetRow> {
    const parsed = readSplitToken(token);
    if (!parsed) throw invalidLink();
    const row = await store.resetForUpdate(tx, parsed.id);
    const matches = splitTokenMatches(parsed.secret, row?.secret_hash);
    if (!row || !matches || row.used_at || row.expires_at <= deps.clock.now()) throw invalidLink();
    return row;
  }

  /** Issues links for every active account with this email and mails them; audited. */
  async function issueLinks(email: string, client: Client): Promise<void> {
    const trimmed = email.trim().slice(0, 320);
    const candidates = trimmed
      ? await withPlatform(deps.database, (tx) => deps.identity.signInCandidates(tx, trimmed))
      : [];
    const mails: { to: string; url: string; org: string }[] = [];
    for (const user of candidates.filter((c) => c.status === 'active' && c.org.active)) {
      await withOrg(deps.database, user.orgId, async (tx) => {
        const now = deps.clock.now();
        const tooMany =
          (await store.recentResets(tx, user.id, new Date(now.getTime() - 3_600_000))) >=
          maxPerHour;
        // Checked like the limit, after the answer (this whole function runs after it).
        const sso = await ssoRequired(tx, user);
        const refused = tooMany ? 'rate_limited' : sso ? 'sso_required' : null;
        const token = createSplitToken(newId(now.getTime()));
        if (!refused) {
          await store.insertReset(tx, {
            id: token.id,
            org_id: user.orgId,
            user_id: user.id,
            secret_hash: token.secretHash,
            created_at: now,
            expires_at: new Date(now.getTime() + linkMinutes * 60_000),
            used_at: null,
          });
          mails.push({
            to: user.email,
            url: `${deps.publicUrl}/password-reset/confirm?token=${token.token}`,
            org: user.org.name,
          });
        }
        await deps.audit.record(tx, {
          orgId: user.orgId,
          action: 'auth.password_reset.requested',
          outcome: refused ? 'denied' : 'success',
          actor: { type: 'anonymous', ip: client.ip, userAgent: client.userAgent },
          target: { type: 'user', id: user.id },
          details: refused ? { reason: refused } : { expiresInMinutes: linkMinutes },
        });
      });
    }
    if (mails.length === 0) {
      await deps.audit.append({
        orgId: deps.platformOrgId,
        action: 'auth.password_reset.requested',
        outcome: 'failure',
        actor: { type: 'anonymous', ip: client.ip, userAgent: client.userAgent },
        details: {
          email: trimmed,
          reason: candidates.length ? 'inactive_or_limited' : 'unknown_account',
        },
      });
    }
    for (const mail of mails) {
      await deps.mailer
        .send({
          to: mail.to,
          subject: 'Reset your password',
          text: `Someone (we hope you) asked to reset your ${mail.org} password.\n\nOpen this link within ${linkMinutes} minutes to choose a new one:\n${mail.url}\n\nIf it was not you, ignore this message: your password stays as it is.`,
        })
        .catch((err: unknown) => deps.logger.error({ err }, 'password reset mail failed'));
    }
  }

  /** Requests whose work has not finished yet. */
  const pending = new Set<Promise<void>>();

  return {
    /**
     * Takes a reset request: the lookup, the links, the audit events and the mail all run after the
     * caller has answered (from the next turn of the event loop), so the answer takes the same time
     * for an active account's email, an unknown one or a limited one
     * (docs/architecture.md#invariant-5; docs/authentication.md#timing). A failure is logged, never
     * thrown. Resolves at once, unless `maxPending` requests are still at work: then once one has
     * finished, whatever the emails, so that a flood of requests waits instead of piling up in
     * memory.
     */
    async request(email: string, client: Client): Promise<void> {
      while (pending.size >= maxPending) await Promise.race(pending);
      const work = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => issueLinks(email, client))
        .catch((err: unknown) => deps.logger.error({ err }, 'password reset request failed'))
        .finally(() => pending.delete(work));
      pending.add(work);
    },

    /** Resolves once every request taken so far has done its work (tests, shutdown). */
    async settled(): Promise<void> {
      while (pending.size > 0) await Promise.all(pending);
    },

    /** Whether a link may show its form (no side effects). */
    async check(token: string): Promise<boolean> {
      try {
        const orgId = await withPlatform(
          deps.database,
          async (tx) => (await validLink(tx, token)).org_id,
        );
        return orgId !== undefined;
      } catch {
        return false;
      }
    },

    /** Sets the new password under the organization's policy; ends every session of the user. */
    async complete(
      token: string,
      password: string,
      confirmation: string,
      client: Client,
    ): Promise<void> {
      const orgId = await withPlatform(
        deps.database,
        async (tx) => (await validLink(tx, token)).org_id,
      );
      await withOrg(deps.database, orgId, async (tx) => {
        const row = await validLink(tx, token);
        const user = await deps.identity.findUser(tx, row.user_id);
        if (user?.status !== 'active') throw invalidLink();
        // A link mailed before the organization turned SSO on no longer sets a password.
        if (await ssoRequired(tx, user)) throw flowErrors.resetSsoRequired();
        if (password !== confirmation) {
          const problems = ['The two passwords differ.'];
          throw passwordErrors.policy({ problems: problems.join(' '), details: { problems } });
        }
        const actor = {
          type: 'user' as const,
          id: user.id,
          ip: client.ip,
          userAgent: client.userAgent,
        };
        await deps.passwords.set(tx, user, password, { actor, temporary: false, byOwner: false });
        await store.useResets(tx, user.id, deps.clock.now());
        await deps.sessions.endAllForUser(tx, user.id, 'password_change', actor);
        // Whoever reset the password, no browser keeps a counter of its own from before.
        await deps.devices.revokeAll(tx, user, 'password_reset', actor);
        await deps.audit.record(tx, {
          orgId: user.orgId,
          action: 'auth.password_reset.completed',
          actor,
          target: { type: 'user', id: user.id },
          details: { resetId: row.id },
        });
      });
    },
  };
}

export type PasswordReset = ReturnType<typeof createPasswordReset>;
