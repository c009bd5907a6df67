import { type Selectable, sql } from 'kysely';
import type { SignInFlowsTable, Tx } from '../../platform/index.ts';

export type FlowRow = Selectable<SignInFlowsTable>;

/**
 * Every account with this email (in the organization named by `orgSlug`, when given), with what
 * the password step needs to know about it: its password credential, whether it has a confirmed
 * second factor, the roles it holds now; and the failures of the client address in the current
 * window (when PostgreSQL keeps them). One statement in platform scope, instead of one per
 * fact: each round trip costs the server more CPU than the rest of the step
 * (docs/authentication.md#measured).
 */
export function passwordStepAccounts(
  tx: Tx,
  q: { email: string; orgSlug?: string; now: Date; ip: string; ipWindow: Date | null },
) {
  let query = tx
    .selectFrom('users')
    .innerJoin('organizations', 'organizations.id', 'users.org_id')
    .leftJoin('password_credentials', 'password_credentials.user_id', 'users.id')
    .selectAll('users')
    .select([
      'organizations.slug as org_slug',
      'organizations.name as org_name',
      'organizations.status as org_status',
      'password_credentials.hash as password_hash',
      'password_credentials.changed_at as password_changed_at',
      'password_credentials.must_change as password_must_change',
    ])
    .select((eb) => [
      eb
        .exists(
          eb
            .selectFrom('mfa_factors')
            .select('mfa_factors.id')
            .whereRef('mfa_factors.user_id', '=', 'users.id')
            .where('mfa_factors.confirmed_at', 'is not', null),
        )
        .$castTo<boolean>()
        .as('has_factor'),
      sql<string[]>`array(SELECT role_key FROM role_assignments
        WHERE role_assignments.user_id = users.id
          AND (role_assignments.expires_at IS NULL OR role_assignments.expires_at > ${q.now}))`.as(
        'role_keys',
      ),
      (q.ipWindow
        ? sql<number>`coalesce((SELECT failures FROM auth_ip_failures
            WHERE ip = ${q.ip} AND window_start = ${q.ipWindow}), 0)`
        : sql<number>`0`
      ).as('ip_failures'),
    ])
    .where(sql<boolean>`lower(users.email) = lower(${q.email})`)
    .orderBy('organizations.slug')
    .limit(10);
  if (q.orgSlug) query = query.where('organizations.slug', '=', q.orgSlug);
  return query.execute();
}

export async function insertFlow(tx: Tx, row: FlowRow): Promise<void> {
  await tx.insertInto('sign_in_flows').values(row).execute();
}

/** The flow, locked for the step that advances it. */
export function flowForUpdate(tx: Tx, id: string): Promise<FlowRow | undefined> {
  return tx
    .selectFrom('sign_in_flows')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateFlow(
  tx: Tx,
  id: string,
  set: Partial<Pick<FlowRow, 'stage' | 'amr' | 'pending_factor_id' | 'must_change_password'>>,
): Promise<void> {
  await tx.updateTable('sign_in_flows').set(set).where('id', '=', id).execute();
}

export async function deleteFlow(tx: Tx, id: string): Promise<void> {
  await tx.deleteFrom('sign_in_flows').where('id', '=', id).execute();
}

export async function deleteExpiredFlows(tx: Tx, now: Date): Promise<number> {
  const r = await tx.deleteFrom('sign_in_flows').where('expires_at', '<=', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}
