import type { Selectable } from 'kysely';
import {
  precompiled,
  type SessionEndReason,
  type SessionsTable,
  type Tx,
} from '../platform/index.ts';
import type { Session } from './model.ts';

type Row = Selectable<SessionsTable>;

export function toSession(row: Row): Session {
  return {
    id: row.id,
    orgId: row.org_id,
    userId: row.user_id,
    amr: row.amr,
    acr: row.acr,
    ip: row.ip,
    userAgent: row.user_agent,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    idleExpiresAt: row.idle_expires_at,
    absoluteExpiresAt: row.absolute_expires_at,
    endedAt: row.ended_at,
    endReason: row.end_reason,
  };
}

const insert = precompiled(
  [
    'id',
    'orgId',
    'userId',
    'secretHash',
    'amr',
    'acr',
    'ip',
    'userAgent',
    'createdAt',
    'lastSeenAt',
    'idleExpiresAt',
    'absoluteExpiresAt',
  ],
  (db, p) =>
    db.insertInto('sessions').values({
      id: p.id,
      org_id: p.orgId,
      user_id: p.userId,
      secret_hash: p.secretHash,
      amr: p.amr,
      acr: p.acr,
      ip: p.ip,
      user_agent: p.userAgent,
      created_at: p.createdAt,
      last_seen_at: p.lastSeenAt,
      idle_expires_at: p.idleExpiresAt,
      absolute_expires_at: p.absoluteExpiresAt,
      ended_at: null,
      end_reason: null,
    }),
);

export async function insertSession(tx: Tx, s: Session, secretHash: Uint8Array): Promise<void> {
  await insert(tx, { ...s, secretHash });
}

const signedIn = precompiled(['userId', 'at'], (db, p) =>
  db
    .updateTable('users')
    .set({ last_sign_in_at: p.at, dormancy_warned_at: null })
    .where('id', '=', p.userId),
);

/**
 * The user's last sign-in, which dormant-account suspension measures from
 * (docs/lifecycle.md#dormant-accounts); a dormancy warning already sent no longer holds.
 */
export async function recordSignIn(tx: Tx, userId: string, at: Date): Promise<void> {
  await signedIn(tx, { userId, at });
}

export async function findWithSecret(
  tx: Tx,
  id: string,
): Promise<{ session: Session; secretHash: Uint8Array } | undefined> {
  const row = await tx.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? { session: toSession(row), secretHash: row.secret_hash } : undefined;
}

export async function touch(tx: Tx, id: string, at: Date, idleExpiresAt: Date): Promise<void> {
  await tx
    .updateTable('sessions')
    .set({ last_seen_at: at, idle_expires_at: idleExpiresAt })
    .where('id', '=', id)
    .where('ended_at', 'is', null)
    .execute();
}

/** Ends the given active sessions; returns those it ended (already-ended ones are skipped). */
export async function endSessions(
  tx: Tx,
  where: { ids?: string[]; userId?: string; orgId?: string; exceptId?: string },
  at: Date,
  reason: SessionEndReason,
): Promise<Session[]> {
  if (where.ids?.length === 0) return [];
  let q = tx
    .updateTable('sessions')
    .set({ ended_at: at, end_reason: reason })
    .where('ended_at', 'is', null);
  if (where.ids) q = q.where('id', 'in', where.ids);
  if (where.userId) q = q.where('user_id', '=', where.userId);
  if (where.orgId) q = q.where('org_id', '=', where.orgId);
  if (where.exceptId) q = q.where('id', '!=', where.exceptId);
  return (await q.returningAll().execute()).map(toSession);
}

export async function activeForUser(tx: Tx, userId: string): Promise<Session[]> {
  const rows = await tx
    .selectFrom('sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('ended_at', 'is', null)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map(toSession);
}

/** Active sessions whose idle or absolute deadline has passed (for the sweeper). */
export async function overdue(tx: Tx, now: Date, limit: number): Promise<Session[]> {
  const rows = await tx
    .selectFrom('sessions')
    .selectAll()
    .where('ended_at', 'is', null)
    .where((eb) => eb.or([eb('idle_expires_at', '<=', now), eb('absolute_expires_at', '<=', now)]))
    .orderBy('idle_expires_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  return rows.map(toSession);
}

/** When each user of `orgId` last signed in (their newest session). */
export async function lastSignIns(tx: Tx, orgId: string): Promise<Map<string, Date>> {
  const rows = await tx
    .selectFrom('sessions')
    .select(['user_id', (eb) => eb.fn.max('created_at').as('last')])
    .where('org_id', '=', orgId)
    .groupBy('user_id')
    .execute();
  return new Map(rows.map((r) => [r.user_id, new Date(r.last)]));
}
