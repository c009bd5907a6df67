import type { Tx } from '../platform/index.ts';

/** A stored oidc-provider artifact (session, interaction, grant, code, token, ...). */
export interface ModelRow {
  payload: Record<string, unknown>;
  expiresAt: Date | null;
  consumedAt: Date | null;
}

export interface ModelWrite {
  model: string;
  id: string;
  payload: Record<string, unknown>;
  expiresAt: Date | null;
}

const asString = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export async function upsertModel(tx: Tx, row: ModelWrite): Promise<void> {
  const values = {
    payload: JSON.stringify(row.payload),
    grant_id: asString(row.payload.grantId),
    uid: asString(row.payload.uid),
    user_code: asString(row.payload.userCode),
    account_id: asString(row.payload.accountId),
    expires_at: row.expiresAt,
  };
  await tx
    .insertInto('oidc_models')
    .values({ model: row.model, id: row.id, consumed_at: null, ...values })
    .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(values))
    .execute();
}

export async function findModel(
  tx: Tx,
  model: string,
  by: { id: string } | { uid: string } | { userCode: string },
): Promise<ModelRow | undefined> {
  let query = tx
    .selectFrom('oidc_models')
    .select(['payload', 'expires_at', 'consumed_at'])
    .where('model', '=', model);
  if ('id' in by) query = query.where('id', '=', by.id);
  else if ('uid' in by) query = query.where('uid', '=', by.uid);
  else query = query.where('user_code', '=', by.userCode);
  const row = await query.executeTakeFirst();
  return row
    ? {
        payload: row.payload as Record<string, unknown>,
        expiresAt: row.expires_at,
        consumedAt: row.consumed_at,
      }
    : undefined;
}

/** Marks an artifact used; false when it already was (the caller lost a race). */
export async function consumeModel(tx: Tx, model: string, id: string, at: Date): Promise<boolean> {
  const result = await tx
    .updateTable('oidc_models')
    .set({ consumed_at: at })
    .where('model', '=', model)
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function deleteModel(tx: Tx, model: string, id: string): Promise<void> {
  await tx.deleteFrom('oidc_models').where('model', '=', model).where('id', '=', id).execute();
}

export async function deleteByGrant(tx: Tx, model: string, grantId: string): Promise<void> {
  await tx
    .deleteFrom('oidc_models')
    .where('model', '=', model)
    .where('grant_id', '=', grantId)
    .execute();
}

/** Every artifact of an account, of every model (deactivation). Returns the grant ids it held. */
export async function deleteByAccount(tx: Tx, accountId: string): Promise<string[]> {
  const rows = await tx
    .deleteFrom('oidc_models')
    .where('account_id', '=', accountId)
    .returning(['grant_id'])
    .execute();
  const grants = [...new Set(rows.map((r) => r.grant_id).filter((g): g is string => g !== null))];
  if (grants.length > 0)
    await tx.deleteFrom('oidc_models').where('grant_id', 'in', grants).execute();
  return grants;
}

export async function deleteExpired(tx: Tx, now: Date): Promise<number> {
  const result = await tx
    .deleteFrom('oidc_models')
    .where('expires_at', '<', now)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Removes provider sessions (by id, or every one of an account) and returns their payloads. */
export async function takeSessions(
  tx: Tx,
  by: { ids: string[] } | { accountId: string },
): Promise<Record<string, unknown>[]> {
  if ('ids' in by && by.ids.length === 0) return [];
  let query = tx.deleteFrom('oidc_models').where('model', '=', 'Session');
  query =
    'ids' in by ? query.where('id', 'in', by.ids) : query.where('account_id', '=', by.accountId);
  const rows = await query.returning('payload').execute();
  return rows.map((r) => r.payload as Record<string, unknown>);
}

/** A grant and everything issued under it. */
export async function deleteGrant(tx: Tx, grantId: string): Promise<void> {
  await tx
    .deleteFrom('oidc_models')
    .where((eb) =>
      eb.or([
        eb('grant_id', '=', grantId),
        eb.and([eb('model', '=', 'Grant'), eb('id', '=', grantId)]),
      ]),
    )
    .execute();
}

/** The live grants (consents) of an account: id and payload. */
export async function grantsOfAccount(
  tx: Tx,
  accountId: string,
  now: Date,
): Promise<{ id: string; payload: Record<string, unknown> }[]> {
  const rows = await tx
    .selectFrom('oidc_models')
    .select(['id', 'payload'])
    .where('model', '=', 'Grant')
    .where('account_id', '=', accountId)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .execute();
  return rows.map((r) => ({ id: r.id, payload: r.payload as Record<string, unknown> }));
}
