import { sql } from 'kysely';
import { precompiled, type Tx } from '../platform/index.ts';

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

const upsert = precompiled(
  ['model', 'id', 'payload', 'grantId', 'uid', 'userCode', 'accountId', 'expiresAt'],
  (db, p) => {
    const values = {
      payload: p.payload,
      grant_id: p.grantId,
      uid: p.uid,
      user_code: p.userCode,
      account_id: p.accountId,
      expires_at: p.expiresAt,
    };
    return db
      .insertInto('oidc_models')
      .values({ model: p.model, id: p.id, consumed_at: null, ...values })
      .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(values));
  },
);

export async function upsertModel(tx: Tx, row: ModelWrite): Promise<void> {
  await upsert(tx, {
    model: row.model,
    id: row.id,
    payload: JSON.stringify(row.payload),
    grantId: asString(row.payload.grantId),
    uid: asString(row.payload.uid),
    userCode: asString(row.payload.userCode),
    accountId: asString(row.payload.accountId),
    expiresAt: row.expiresAt,
  });
}

/** The lookup of an artifact by one of its keys (compiled once per key). */
const findByColumn = (column: 'id' | 'uid' | 'user_code') =>
  precompiled(['model', 'key'], (db, p) =>
    db
      .selectFrom('oidc_models')
      .select(['payload', 'expires_at', 'consumed_at'])
      .where('model', '=', p.model)
      .where(column, '=', p.key),
  );
const finders = {
  id: findByColumn('id'),
  uid: findByColumn('uid'),
  userCode: findByColumn('user_code'),
};

export async function findModel(
  tx: Tx,
  model: string,
  by: { id: string } | { uid: string } | { userCode: string },
): Promise<ModelRow | undefined> {
  const [row] =
    'id' in by
      ? await finders.id(tx, { model, key: by.id })
      : 'uid' in by
        ? await finders.uid(tx, { model, key: by.uid })
        : await finders.userCode(tx, { model, key: by.userCode });
  return row
    ? {
        payload: row.payload as Record<string, unknown>,
        expiresAt: row.expires_at,
        consumedAt: row.consumed_at,
      }
    : undefined;
}

const consume = precompiled(['model', 'id', 'at'], (db, p) =>
  db
    .updateTable('oidc_models')
    .set({ consumed_at: p.at })
    .where('model', '=', p.model)
    .where('id', '=', p.id)
    .where('consumed_at', 'is', null)
    .returning('id'),
);

/** Marks an artifact used; false when it already was (the caller lost a race). */
export async function consumeModel(tx: Tx, model: string, id: string, at: Date): Promise<boolean> {
  return (await consume(tx, { model, id, at })).length > 0;
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

/**
 * Every artifact of these accounts, of every model (deactivation, a review's close). Returns the
 * grant ids each account held (an account that held none is absent).
 */
export async function deleteByAccounts(
  tx: Tx,
  accountIds: readonly string[],
): Promise<Map<string, Set<string>>> {
  const held = new Map<string, Set<string>>();
  if (accountIds.length === 0) return held;
  const rows = await tx
    .deleteFrom('oidc_models')
    .where('account_id', '=', sql<string>`ANY(${accountIds}::text[])`)
    .returning(['account_id', 'grant_id'])
    .execute();
  for (const { account_id: account, grant_id: grant } of rows) {
    if (account === null || grant === null) continue;
    held.set(account, (held.get(account) ?? new Set()).add(grant));
  }
  const grants = [...held.values()].flatMap((g) => [...g]);
  if (grants.length > 0)
    await tx
      .deleteFrom('oidc_models')
      .where('grant_id', '=', sql<string>`ANY(${grants}::text[])`)
      .execute();
  return held;
}

export async function deleteExpired(tx: Tx, now: Date): Promise<number> {
  const result = await tx
    .deleteFrom('oidc_models')
    .where('expires_at', '<', now)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Removes provider sessions (by id, or every one of some accounts) and returns their payloads. */
export async function takeSessions(
  tx: Tx,
  by: { ids: string[] } | { accountIds: readonly string[] },
): Promise<Record<string, unknown>[]> {
  const wanted = 'ids' in by ? by.ids : by.accountIds;
  if (wanted.length === 0) return [];
  const column = 'ids' in by ? 'id' : 'account_id';
  const query = tx
    .deleteFrom('oidc_models')
    .where('model', '=', 'Session')
    .where(column, '=', sql<string>`ANY(${wanted}::text[])`);
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

/**
 * The live grants (consents) given to one OAuth client, with their account: in an organization's
 * transaction, those of its own users only (the provider store's tenant policy, migration 0021).
 */
export async function grantsOfClient(
  tx: Tx,
  clientId: string,
  now: Date,
): Promise<{ id: string; accountId: string; payload: Record<string, unknown> }[]> {
  const rows = await tx
    .selectFrom('oidc_models')
    .select(['id', 'account_id', 'payload'])
    .where('model', '=', 'Grant')
    .where(sql<string>`payload->>'clientId'`, '=', clientId)
    .where('account_id', 'is not', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    accountId: r.account_id ?? '',
    payload: r.payload as Record<string, unknown>,
  }));
}
