import type { Insertable, Selectable, Updateable } from 'kysely';
import type { SiemStreamsTable, Tx } from '../platform/index.ts';

export type StreamRow = Selectable<SiemStreamsTable>;

export async function insertStream(tx: Tx, row: Insertable<SiemStreamsTable>): Promise<void> {
  await tx.insertInto('siem_streams').values(row).execute();
}

export function findStream(tx: Tx, id: string): Promise<StreamRow | undefined> {
  return tx.selectFrom('siem_streams').selectAll().where('id', '=', id).executeTakeFirst();
}

export function streamsOf(tx: Tx, orgId: string): Promise<StreamRow[]> {
  return tx
    .selectFrom('siem_streams')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/**
 * Enabled streams whose next attempt is due at `now`, or every enabled one when `now` is null
 * (platform scope: every organization's).
 */
export function dueStreams(tx: Tx, now: Date | null): Promise<StreamRow[]> {
  let query = tx.selectFrom('siem_streams').selectAll().where('enabled', '=', true);
  if (now)
    query = query.where((eb) =>
      eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]),
    );
  return query.orderBy('created_at').orderBy('id').execute();
}

/** The columns an administrator changes (never the stream's progress). */
export type StreamSettings = Pick<
  Updateable<SiemStreamsTable>,
  'name' | 'format' | 'url' | 'enabled' | 'ca_pem' | 'secret_enc' | 'next_attempt_at'
>;

export async function updateSettings(
  tx: Tx,
  id: string,
  settings: StreamSettings,
  at: Date,
): Promise<void> {
  await tx
    .updateTable('siem_streams')
    .set({ ...settings, updated_at: at })
    .where('id', '=', id)
    .execute();
}

/** The columns the runner changes (never an administrator's settings). */
export type StreamProgress = Pick<
  Updateable<SiemStreamsTable>,
  | 'position_tx'
  | 'position_seq'
  | 'sent_tx'
  | 'sent_seq'
  | 'failures'
  | 'next_attempt_at'
  | 'last_error'
  | 'last_delivered_at'
>;

export async function saveProgress(tx: Tx, id: string, progress: StreamProgress): Promise<void> {
  await tx.updateTable('siem_streams').set(progress).where('id', '=', id).execute();
}

export async function deleteStream(tx: Tx, id: string): Promise<void> {
  await tx.deleteFrom('siem_streams').where('id', '=', id).execute();
}
