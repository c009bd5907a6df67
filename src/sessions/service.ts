import { createSplitToken, readSplitToken, splitTokenMatches } from '../crypto/index.ts';
import {
  type AuditActor,
  type AuditWriter,
  afterCommit,
  type ChangeFeed,
  type Clock,
  type Database,
  newId,
  type SessionEndReason,
  type Tx,
  type Versioned,
  versionedPolicy,
  withPlatform,
} from '../platform/index.ts';
import {
  defaultSessionPolicy,
  expiryReason,
  nextIdleDeadline,
  type Session,
  type SessionPolicy,
  sessionPolicySchema,
  touchGranularityMs,
} from './model.ts';
import * as store from './store.ts';

export interface SessionDeps {
  audit: AuditWriter;
  clock: Clock;
  /** Tells every node of a policy change (src/platform/db/notify.ts). */
  changes?: ChangeFeed;
  database: Database;
  /** Told about ended sessions once their transaction committed (OIDC back-channel logout). */
  onEnded?: (sessions: Session[], reason: SessionEndReason) => Promise<void>;
}

export interface NewSession {
  user: { id: string; orgId: string };
  amr: string[];
  acr: string;
  ip?: string;
  userAgent?: string;
}

const systemActor: AuditActor = { type: 'system', id: 'vigil' };

export function createSessionService(deps: SessionDeps) {
  const policies = versionedPolicy({
    kind: 'session',
    schema: sessionPolicySchema,
    defaults: defaultSessionPolicy,
    audit: deps.audit,
    clock: deps.clock,
    changes: deps.changes,
  });

  async function end(
    tx: Tx,
    where: Parameters<typeof store.endSessions>[1],
    reason: SessionEndReason,
    actor: AuditActor,
  ): Promise<Session[]> {
    const ended = await store.endSessions(tx, where, deps.clock.now(), reason);
    for (const s of ended) {
      await deps.audit(tx, {
        orgId: s.orgId,
        action: 'session.ended',
        actor,
        target: { type: 'session', id: s.id },
        details: { userId: s.userId, reason },
      });
    }
    const { onEnded } = deps;
    if (ended.length > 0 && onEnded) afterCommit(tx, () => onEnded(ended, reason));
    return ended;
  }

  return {
    policy: (tx: Tx, orgId: string): Promise<Versioned<SessionPolicy>> =>
      policies.current(tx, orgId),
    setPolicy: policies.set,

    /** A new session (always a new id); returns the cookie value `<id>.<secret>` once. */
    async create(
      tx: Tx,
      input: NewSession,
      actor: AuditActor,
    ): Promise<{ session: Session; token: string }> {
      const { policy } = await policies.current(tx, input.user.orgId);
      const now = deps.clock.now();
      const token = createSplitToken(newId(now.getTime()));
      const absolute = new Date(now.getTime() + policy.absoluteHours * 3_600_000);
      const session: Session = {
        id: token.id,
        orgId: input.user.orgId,
        userId: input.user.id,
        amr: input.amr,
        acr: input.acr,
        ip: input.ip ?? null,
        userAgent: input.userAgent?.slice(0, 500) ?? null,
        createdAt: now,
        lastSeenAt: now,
        idleExpiresAt: nextIdleDeadline(policy, absolute, now),
        absoluteExpiresAt: absolute,
        endedAt: null,
        endReason: null,
      };
      await store.insertSession(tx, session, token.secretHash);
      // Only a completed sign-in gets here: no failure branch of the sign-in runs this statement.
      await store.recordSignIn(tx, session.userId, now);
      await deps.audit(tx, {
        orgId: session.orgId,
        action: 'session.created',
        actor,
        target: { type: 'session', id: session.id },
        details: {
          userId: session.userId,
          amr: session.amr,
          acr: session.acr,
          expiresAt: absolute.toISOString(),
        },
      });
      return { session, token: token.token };
    },

    /**
     * The live session behind a cookie value, or undefined. An idle or expired session is ended
     * (and audited) on the spot; activity moves the idle deadline. Looked up by id in platform
     * scope, since the organization is not known before.
     */
    async authenticate(token: string): Promise<Session | undefined> {
      const parsed = readSplitToken(token);
      if (!parsed) return undefined;
      return withPlatform(deps.database, async (tx) => {
        const found = await store.findWithSecret(tx, parsed.id);
        if (!found || !splitTokenMatches(parsed.secret, found.secretHash)) return undefined;
        const { session } = found;
        if (session.endedAt) return undefined;
        const now = deps.clock.now();
        const expired = expiryReason(session, now);
        if (expired) {
          await end(tx, { ids: [session.id] }, expired, systemActor);
          return undefined;
        }
        if (now.getTime() - session.lastSeenAt.getTime() >= touchGranularityMs) {
          const { policy } = await policies.current(tx, session.orgId);
          const idle = nextIdleDeadline(policy, session.absoluteExpiresAt, now);
          await store.touch(tx, session.id, now, idle);
          return { ...session, lastSeenAt: now, idleExpiresAt: idle };
        }
        return session;
      });
    },

    listForUser: (tx: Tx, userId: string): Promise<Session[]> => store.activeForUser(tx, userId),

    /** When each user of an organization last signed in (exports, reviews). */
    lastSignIns: store.lastSignIns,

    /** Ends one session of a user (their own choice, an admin's, or sign-out). */
    async endOne(
      tx: Tx,
      userId: string,
      sessionId: string,
      reason: SessionEndReason,
      actor: AuditActor,
    ) {
      const mine = (await store.activeForUser(tx, userId)).some((s) => s.id === sessionId);
      return mine ? end(tx, { ids: [sessionId] }, reason, actor) : [];
    },

    /**
     * Ends one session by its id, whoever's it is (SAML single logout names it by the sign-in it
     * made); returns the session when it ended it.
     */
    endById: async (tx: Tx, sessionId: string, reason: SessionEndReason, actor: AuditActor) =>
      (await end(tx, { ids: [sessionId] }, reason, actor))[0],

    /** Ends every session of a user, optionally but the current one. */
    endAllForUser: (
      tx: Tx,
      userId: string,
      reason: SessionEndReason,
      actor: AuditActor,
      exceptId?: string,
    ) => end(tx, { userId, exceptId }, reason, actor),

    /** Ends every session in an organization (an administrator's emergency stop). */
    endAllInOrg: (tx: Tx, orgId: string, actor: AuditActor) => end(tx, { orgId }, 'admin', actor),

    /** Ends sessions past their idle or absolute deadline, and audits each end. */
    async sweep(batch = 500): Promise<number> {
      let total = 0;
      for (;;) {
        const ended = await withPlatform(deps.database, async (tx) => {
          const now = deps.clock.now();
          const due = await store.overdue(tx, now, batch);
          let count = 0;
          for (const reason of ['expired', 'idle'] as const) {
            const ids = due.filter((s) => expiryReason(s, now) === reason).map((s) => s.id);
            count += (await end(tx, { ids }, reason, systemActor)).length;
          }
          return count;
        });
        total += ended;
        if (ended < batch) return total;
      }
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
