import type { Selectable } from 'kysely';
import type { SignInFlowsTable, Tx } from '../../../platform/index.ts';

export type FlowRow = Selectable<SignInFlowsTable>;

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
