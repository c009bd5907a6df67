import { type Selectable, sql } from 'kysely';
import type { MfaFactorsTable, Tx } from '../../platform/index.ts';

export type FactorRow = Selectable<MfaFactorsTable>;

/**
 * Which of these users have a confirmed second factor, in one query however many users; an empty
 * list still sends it (the sign-in's reads are the same on every branch).
 */
export async function usersWithConfirmedFactor(
  tx: Tx,
  userIds: readonly string[],
): Promise<Set<string>> {
  const rows = await tx
    .selectFrom('mfa_factors')
    .select('user_id')
    .distinct()
    .where('user_id', '=', sql<string>`ANY(${userIds})`)
    .where('confirmed_at', 'is not', null)
    .execute();
  return new Set(rows.map((r) => r.user_id));
}

export async function hasConfirmedFactor(tx: Tx, userId: string): Promise<boolean> {
  const row = await tx
    .selectFrom('mfa_factors')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is not', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export function factorsOf(tx: Tx, userId: string): Promise<FactorRow[]> {
  return tx
    .selectFrom('mfa_factors')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute();
}

export async function insertFactor(tx: Tx, row: FactorRow): Promise<void> {
  await tx.insertInto('mfa_factors').values(row).execute();
}

export async function deleteFactor(tx: Tx, userId: string, id: string): Promise<number> {
  const r = await tx
    .deleteFrom('mfa_factors')
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Every factor and recovery code of the user; returns the factors removed. */
export async function deleteEverything(tx: Tx, userId: string): Promise<FactorRow[]> {
  await tx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  return tx.deleteFrom('mfa_factors').where('user_id', '=', userId).returningAll().execute();
}

export async function deletePendingTotp(tx: Tx, userId: string): Promise<void> {
  await tx
    .deleteFrom('mfa_factors')
    .where('user_id', '=', userId)
    .where('kind', '=', 'totp')
    .where('confirmed_at', 'is', null)
    .execute();
}

export async function confirmFactor(tx: Tx, id: string, at: Date, step: number): Promise<void> {
  await tx
    .updateTable('mfa_factors')
    .set({ confirmed_at: at, last_used_at: at, last_used_step: step })
    .where('id', '=', id)
    .execute();
}

/**
 * Records `step` as used only if it is newer than the last one: two concurrent submissions of the
 * same code cannot both pass.
 */
export async function claimStep(tx: Tx, id: string, step: number, at: Date): Promise<boolean> {
  const result = await sql`
    UPDATE mfa_factors SET last_used_step = ${step}, last_used_at = ${at}
    WHERE id = ${id} AND (last_used_step IS NULL OR last_used_step < ${step})`.execute(tx);
  return Number(result.numAffectedRows ?? 0) === 1;
}

export function unusedRecoveryCodes(tx: Tx, userId: string) {
  return tx
    .selectFrom('recovery_codes')
    .select(['id', 'hash'])
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .execute();
}

export async function markRecoveryCodeUsed(tx: Tx, id: string, at: Date): Promise<boolean> {
  const r = await tx
    .updateTable('recovery_codes')
    .set({ used_at: at })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function replaceRecoveryCodes(
  tx: Tx,
  rows: { id: string; org_id: string; user_id: string; hash: string; created_at: Date }[],
  userId: string,
): Promise<void> {
  await tx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  if (rows.length > 0)
    await tx
      .insertInto('recovery_codes')
      .values(rows.map((r) => ({ ...r, used_at: null })))
      .execute();
}

export async function insertChallenge(
  tx: Tx,
  row: {
    id: string;
    org_id: string;
    user_id: string;
    purpose: 'registration' | 'authentication';
    challenge: string;
    expires_at: Date;
  },
): Promise<void> {
  await tx.insertInto('webauthn_challenges').values(row).execute();
}

/** Takes the challenge out: each one can be answered once. */
export async function takeChallenge(
  tx: Tx,
  id: string,
  userId: string,
  purpose: 'registration' | 'authentication',
  now: Date,
): Promise<string | undefined> {
  const row = await tx
    .deleteFrom('webauthn_challenges')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .returning(['challenge', 'expires_at'])
    .executeTakeFirst();
  return row && row.expires_at > now ? row.challenge : undefined;
}

export async function updateSignCount(tx: Tx, id: string, count: number, at: Date): Promise<void> {
  await tx
    .updateTable('mfa_factors')
    .set({ sign_count: count, last_used_at: at })
    .where('id', '=', id)
    .execute();
}

/** Users of `orgId` with at least one confirmed factor. */
export async function usersWithFactor(tx: Tx, orgId: string): Promise<Set<string>> {
  const rows = await tx
    .selectFrom('mfa_factors')
    .select('user_id')
    .distinct()
    .where('org_id', '=', orgId)
    .where('confirmed_at', 'is not', null)
    .execute();
  return new Set(rows.map((r) => r.user_id));
}
