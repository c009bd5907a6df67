import type { AuditLog } from '../../audit/index.ts';
import { createSplitToken, readSplitToken, splitTokenMatches } from '../../crypto/index.ts';
import type { IdentityService, User } from '../../identity/index.ts';
import {
  AppError,
  type AuditActor,
  type Clock,
  type Database,
  newId,
  type Tx,
  withPlatform,
} from '../../platform/index.ts';
import type { Rbac } from '../../rbac/index.ts';
import { type PasswordService, passwordErrors } from '../password/index.ts';
import * as store from './bootstrap.store.ts';
import { flowErrors } from './errors.ts';

export const platformAdminRole = 'platform-admin';

export interface BootstrapDeps {
  database: Database;
  audit: AuditLog;
  identity: IdentityService;
  rbac: Rbac;
  passwords: PasswordService;
  clock: Clock;
  publicUrl: string;
  ttlMinutes: number;
  platformOrgId: string;
}

export interface BootstrapInput {
  email: string;
  displayName: string;
  password: string;
  passwordConfirmation: string;
}

const linkInvalid = flowErrors.bootstrapLinkInvalid;

/**
 * First-administrator setup: while the platform has no active administrator, the operator gets a
 * one-time, expiring link (printed at the first start and by `vigil admin bootstrap`); the link
 * creates exactly one platform administrator and then closes.
 */
export function createBootstrapService(deps: BootstrapDeps) {
  const { database, identity, clock } = deps;

  const adminExists = async (tx: Tx) =>
    (await identity.countActiveWithRole(tx, deps.platformOrgId, platformAdminRole)) > 0;

  async function validToken(tx: Tx, token: string): Promise<store.BootstrapTokenRow> {
    const parsed = readSplitToken(token);
    if (!parsed) throw linkInvalid();
    const row = await store.lockToken(tx, parsed.id);
    const usable =
      row !== undefined &&
      row.used_at === null &&
      row.revoked_at === null &&
      row.expires_at.getTime() > clock.now().getTime();
    // Compare even when the row is unusable, so a guess costs the same either way.
    const matches = splitTokenMatches(parsed.secret, row?.secret_hash);
    if (!row || !usable || !matches) throw linkInvalid();
    return row;
  }

  return {
    /** True while no active platform administrator exists. */
    isOpen: () => withPlatform(database, async (tx) => !(await adminExists(tx))),

    /** Revokes earlier links and issues a fresh one; refused once an administrator exists. */
    async issueLink(actor: AuditActor): Promise<{ url: string; expiresAt: Date }> {
      return withPlatform(database, async (tx) => {
        if (await adminExists(tx)) {
          throw flowErrors.bootstrapClosed();
        }
        const now = clock.now();
        const revoked = await store.revokeOpenTokens(tx, now);
        const token = createSplitToken(newId(now.getTime()));
        const expiresAt = new Date(now.getTime() + deps.ttlMinutes * 60_000);
        await store.insertToken(tx, {
          id: token.id,
          secret_hash: token.secretHash,
          created_at: now,
          expires_at: expiresAt,
          used_at: null,
          revoked_at: null,
        });
        await deps.audit.record(tx, {
          orgId: deps.platformOrgId,
          action: 'bootstrap.link.issued',
          actor,
          target: { type: 'bootstrap_token', id: token.id },
          details: { expiresAt: expiresAt.toISOString(), revokedEarlier: revoked },
        });
        return { url: `${deps.publicUrl}/bootstrap?token=${token.token}`, expiresAt };
      });
    },

    /** True while an unexpired, unused link is out (so a restart does not revoke it). */
    hasOpenLink: () => withPlatform(database, (tx) => store.hasOpenToken(tx, clock.now())),

    /** Whether the link may be shown its form (no side effects). */
    async checkLink(token: string): Promise<boolean> {
      return withPlatform(database, (tx) => validToken(tx, token).then(() => true)).catch(
        () => false,
      );
    },

    /** Creates the first platform administrator; every outcome is audited. */
    async complete(token: string, input: BootstrapInput, actor: AuditActor): Promise<User> {
      try {
        return await withPlatform(database, async (tx) => {
          const row = await validToken(tx, token);
          if (await adminExists(tx)) throw linkInvalid();
          // Every problem at once: the policy's and the confirmation's.
          const candidate = {
            id: newId(),
            orgId: deps.platformOrgId,
            email: input.email,
            displayName: input.displayName,
          };
          const problems = await deps.passwords.check(tx, candidate, input.password, {
            byOwner: false,
          });
          if (input.password !== input.passwordConfirmation)
            problems.push('The two passwords differ.');
          if (problems.length > 0) {
            throw passwordErrors.policy({ problems: problems.join(' '), details: { problems } });
          }
          const user = await identity.createUser(
            tx,
            deps.platformOrgId,
            { email: input.email, displayName: input.displayName },
            actor,
          );
          const admin: AuditActor = { ...actor, type: 'user', id: user.id };
          await deps.passwords.set(tx, user, input.password, {
            actor: admin,
            temporary: false,
            byOwner: false,
          });
          await deps.rbac.assign(
            tx,
            {
              orgId: deps.platformOrgId,
              userId: user.id,
              roleKey: platformAdminRole,
              reason: 'First platform administrator, created through the bootstrap link',
            },
            null,
            // The operator's grant: the operator issued the one-time link (audited then).
            { ...actor, type: 'operator', id: `bootstrap:${row.id}` },
          );
          await store.markUsed(tx, row.id, clock.now());
          await deps.audit.record(tx, {
            orgId: deps.platformOrgId,
            action: 'bootstrap.completed',
            actor: admin,
            target: { type: 'user', id: user.id },
            details: { tokenId: row.id },
          });
          return user;
        });
      } catch (err) {
        await deps.audit.append({
          orgId: deps.platformOrgId,
          action: 'bootstrap.failed',
          outcome: 'failure',
          actor,
          details: { reason: err instanceof AppError ? err.code : 'error' },
        });
        throw err;
      }
    },
  };
}

export type BootstrapService = ReturnType<typeof createBootstrapService>;
