import { type Selectable, sql } from 'kysely';
import { signInCandidatesQuery } from '../../identity/index.ts';
import { precompiled, type SignInFlowsTable, type Tx } from '../../platform/index.ts';
import { heldRoleKeys } from '../../rbac/index.ts';
import { ipFailuresIn } from '../lockout/index.ts';
import { confirmedFactorExists } from '../mfa/index.ts';

export type FlowRow = Selectable<SignInFlowsTable>;

/**
 * Every account with this email (in the organization named by `orgSlug`, when given), with what
 * the password step needs to know about it: its password credential, whether it has a confirmed
 * second factor, the roles it holds now; and the failures of the client address in the current
 * window (when PostgreSQL keeps them). One statement in platform scope, built from the queries
 * the owning modules use themselves, instead of one round trip per fact: each round trip costs
 * the server more CPU than the rest of the step (docs/authentication.md#measured).
 */
export async function passwordStepAccounts(
  tx: Tx,
  q: { email: string; orgSlug?: string; now: Date; ip: string; ipWindow: Date | null },
) {
  const variant = `${Boolean(q.orgSlug)}/${Boolean(q.ipWindow)}`;
  let statement = accountStatements.get(variant);
  if (!statement) {
    statement = accountsStatement(Boolean(q.orgSlug), Boolean(q.ipWindow));
    accountStatements.set(variant, statement);
  }
  return statement(tx, { ...q, orgSlug: q.orgSlug });
}

type AccountValue = 'email' | 'orgSlug' | 'now' | 'ip' | 'ipWindow';

/** The statement of `passwordStepAccounts`, compiled once for each of its four shapes. */
function accountsStatement(bySlug: boolean, countsIp: boolean) {
  const names: AccountValue[] = ['email', 'now'];
  if (bySlug) names.push('orgSlug');
  if (countsIp) names.push('ip', 'ipWindow');
  const user = sql.ref<string>('users.id');
  return precompiled(names, (db, p) =>
    signInCandidatesQuery(db, p.email, bySlug ? p.orgSlug : undefined, 10)
      .leftJoin('password_credentials', 'password_credentials.user_id', 'users.id')
      .select([
        'password_credentials.hash as password_hash',
        'password_credentials.changed_at as password_changed_at',
        'password_credentials.must_change as password_must_change',
        confirmedFactorExists(user).as('has_factor'),
        heldRoleKeys(user, p.now).as('role_keys'),
        (countsIp ? ipFailuresIn(p.ip, p.ipWindow) : sql<number>`0`).as('ip_failures'),
      ]),
  );
}
const accountStatements = new Map<string, ReturnType<typeof accountsStatement>>();

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
