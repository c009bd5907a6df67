import { sql } from 'kysely';
import { isUuid, type Tx } from '../platform/index.ts';

/** What the schedule reads of a user to decide about them. */
export interface ScheduledUser {
  id: string;
  org_id: string;
  email: string;
  display_name: string;
  status: 'active' | 'suspended' | 'deprovisioned';
  created_at: Date;
  end_at: Date | null;
  last_sign_in_at: Date | null;
  dormancy_warned_at: Date | null;
}

const scheduledColumns = [
  'id',
  'org_id',
  'email',
  'display_name',
  'status',
  'created_at',
  'end_at',
  'last_sign_in_at',
  'dormancy_warned_at',
] as const;

export function findUser(tx: Tx, userId: string): Promise<ScheduledUser | undefined> {
  return tx
    .selectFrom('users')
    .select(scheduledColumns)
    .where('id', '=', userId)
    .executeTakeFirst();
}

/** The user of the organization (its scope) with this id, or else this email (any case). */
export function findUserByIdOrEmail(tx: Tx, idOrEmail: string): Promise<ScheduledUser | undefined> {
  const q = tx.selectFrom('users').select(scheduledColumns);
  const email = idOrEmail.toLowerCase();
  return (
    isUuid(idOrEmail) ? q.where('id', '=', idOrEmail) : q.where('email_key', '=', email)
  ).executeTakeFirst();
}

/** The user, locked until the transaction ends (a sign-in or an administrator waits for it). */
export function lockUser(tx: Tx, userId: string): Promise<ScheduledUser | undefined> {
  return tx
    .selectFrom('users')
    .select(scheduledColumns)
    .where('id', '=', userId)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateEndAt(tx: Tx, userId: string, endAt: Date | null, now: Date) {
  await tx
    .updateTable('users')
    .set({ end_at: endAt, updated_at: now })
    .where('id', '=', userId)
    .execute();
}

/** One page of a keyset walk: ids after `after`, in id order, so each user comes once a round. */
export interface Page {
  after: string | null;
  limit: number;
}

/**
 * Users of every organization (platform scope) whose end date has come and who still hold an
 * account: active ones, and suspended ones, whom their end of employment deprovisions for good.
 */
export function endDatesDue(
  tx: Tx,
  now: Date,
  page: Page,
): Promise<{ id: string; org_id: string }[]> {
  let q = tx
    .selectFrom('users')
    .select(['id', 'org_id'])
    .where('end_at', '<=', now)
    .where('status', 'in', ['active', 'suspended']);
  if (page.after) q = q.where('id', '>', page.after);
  return q.orderBy('id').limit(page.limit).execute();
}

/**
 * The newest lifecycle policy of every active organization that has one (platform scope), read
 * afresh each round rather than from a node's cache. A suspended organization is left alone: its
 * users cannot sign in, so the time it spends suspended must not count against them.
 */
export async function lifecyclePolicies(
  tx: Tx,
): Promise<{ org_id: string; org_name: string; settings: unknown }[]> {
  const { rows } = await sql<{ org_id: string; org_name: string; settings: unknown }>`
    SELECT DISTINCT ON (p.org_id) p.org_id, o.name AS org_name, p.settings
    FROM security_policies p JOIN organizations o ON o.id = p.org_id AND o.status = 'active'
    WHERE p.kind = 'lifecycle'
    ORDER BY p.org_id, p.version DESC`.execute(tx);
  return rows;
}

/** Active users of the organization (its scope) not used since `lastUseBefore`. */
export function unusedSince(tx: Tx, lastUseBefore: Date, page: Page): Promise<{ id: string }[]> {
  let q = tx
    .selectFrom('users')
    .select('id')
    .where('status', '=', 'active')
    .where(sql<Date>`coalesce(last_sign_in_at, created_at)`, '<=', lastUseBefore);
  if (page.after) q = q.where('id', '>', page.after);
  return q.orderBy('id').limit(page.limit).execute();
}

/** When the user was warned that the account is about to be suspended (null: no warning holds). */
export async function markWarned(tx: Tx, userId: string, at: Date | null): Promise<void> {
  await tx.updateTable('users').set({ dormancy_warned_at: at }).where('id', '=', userId).execute();
}

/** The active users of the organization among `ids`, with their email (mail recipients). */
export function activeUsersAmong(
  tx: Tx,
  ids: string[],
): Promise<{ id: string; email: string; display_name: string }[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return tx
    .selectFrom('users')
    .select(['id', 'email', 'display_name'])
    .where('id', 'in', ids)
    .where('status', '=', 'active')
    .execute();
}
