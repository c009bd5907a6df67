import type { Selectable } from 'kysely';
import type {
  SamlPendingRequestsTable,
  SamlSessionParticipantsTable,
  Tx,
} from '../platform/index.ts';

export type PendingRow = Selectable<SamlPendingRequestsTable>;
export type ParticipantRow = Selectable<SamlSessionParticipantsTable>;

export async function insertPending(tx: Tx, row: PendingRow): Promise<void> {
  await tx.insertInto('saml_pending_requests').values(row).execute();
}

/** Takes a waiting request: it is answered once (a second visit finds nothing). */
export function takePending(tx: Tx, id: string): Promise<PendingRow | undefined> {
  return tx
    .deleteFrom('saml_pending_requests')
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** A waiting request, read without taking it (to decide whether it can be answered yet). */
export function pendingById(tx: Tx, id: string): Promise<PendingRow | undefined> {
  return tx.selectFrom('saml_pending_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The organization a waiting request belongs to (read in platform scope, to open its scope). */
export function pendingOrg(tx: Tx, id: string): Promise<string | undefined> {
  return tx
    .selectFrom('saml_pending_requests')
    .select('org_id')
    .where('id', '=', id)
    .executeTakeFirst()
    .then((r) => r?.org_id);
}

export async function sweepPending(tx: Tx, now: Date): Promise<number> {
  const gone = await tx.deleteFrom('saml_pending_requests').where('expires_at', '<', now).execute();
  return Number(gone[0]?.numDeletedRows ?? 0);
}

/** One row per session and application (the grant has no UPDATE: replaced, not changed). */
export async function removeParticipant(tx: Tx, sessionId: string, applicationId: string) {
  await tx
    .deleteFrom('saml_session_participants')
    .where('session_id', '=', sessionId)
    .where('application_id', '=', applicationId)
    .execute();
}

export async function insertParticipant(tx: Tx, row: ParticipantRow): Promise<void> {
  await tx.insertInto('saml_session_participants').values(row).execute();
}

export function participant(
  tx: Tx,
  sessionId: string,
  applicationId: string,
): Promise<ParticipantRow | undefined> {
  return tx
    .selectFrom('saml_session_participants')
    .selectAll()
    .where('session_id', '=', sessionId)
    .where('application_id', '=', applicationId)
    .executeTakeFirst();
}

/** The participant an application's SessionIndex names (opaque, random per sign-in). */
export function participantByIndex(
  tx: Tx,
  applicationId: string,
  sessionIndex: string,
): Promise<ParticipantRow | undefined> {
  return tx
    .selectFrom('saml_session_participants')
    .selectAll()
    .where('application_id', '=', applicationId)
    .where('session_index', '=', sessionIndex)
    .executeTakeFirst();
}

export function participantsOf(tx: Tx, sessionId: string): Promise<ParticipantRow[]> {
  return tx
    .selectFrom('saml_session_participants')
    .selectAll()
    .where('session_id', '=', sessionId)
    .orderBy('created_at')
    .execute();
}

export async function removeParticipants(tx: Tx, sessionId: string): Promise<void> {
  await tx.deleteFrom('saml_session_participants').where('session_id', '=', sessionId).execute();
}
