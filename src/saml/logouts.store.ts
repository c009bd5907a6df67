import type { Tx } from '../platform/index.ts';

/** An application of an ended session still to be told, as it was signed in to. */
export interface LogoutTarget {
  applicationId: string;
  orgId: string;
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string;
}

/** The application that asked for the logout, answered at the end. */
export interface LogoutAnswer {
  applicationId: string;
  orgId: string;
  requestId: string;
  relayState: string | null;
}

export interface LogoutRow {
  id: string;
  orgId: string;
  sessionId: string;
  remaining: LogoutTarget[];
  awaiting: string | null;
  answer: LogoutAnswer | null;
  expiresAt: Date;
}

/** `jsonb` arrives parsed from PostgreSQL and PGlite alike; a string is parsed for safety. */
const json = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

export async function insertLogout(tx: Tx, row: LogoutRow, now: Date): Promise<void> {
  await tx
    .insertInto('saml_logouts')
    .values({
      id: row.id,
      org_id: row.orgId,
      session_id: row.sessionId,
      remaining: JSON.stringify(row.remaining),
      awaiting: row.awaiting,
      answer: row.answer ? JSON.stringify(row.answer) : null,
      created_at: now,
      expires_at: row.expiresAt,
    })
    .execute();
}

/** The logout, locked until its transaction ends (two answers at once move it once). */
export async function lockedLogout(tx: Tx, id: string): Promise<LogoutRow | undefined> {
  const row = await tx
    .selectFrom('saml_logouts')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      orgId: row.org_id,
      sessionId: row.session_id,
      remaining: json<LogoutTarget[]>(row.remaining),
      awaiting: row.awaiting,
      answer: json<LogoutAnswer | null>(row.answer),
      expiresAt: row.expires_at,
    }
  );
}

/** The organization a logout belongs to (read in platform scope, to open its scope). */
export function logoutOrg(tx: Tx, id: string): Promise<string | undefined> {
  return tx
    .selectFrom('saml_logouts')
    .select('org_id')
    .where('id', '=', id)
    .executeTakeFirst()
    .then((r) => r?.org_id);
}

export async function moveLogout(
  tx: Tx,
  id: string,
  remaining: LogoutTarget[],
  awaiting: string,
): Promise<void> {
  await tx
    .updateTable('saml_logouts')
    .set({ remaining: JSON.stringify(remaining), awaiting })
    .where('id', '=', id)
    .execute();
}

export async function deleteLogout(tx: Tx, id: string): Promise<void> {
  await tx.deleteFrom('saml_logouts').where('id', '=', id).execute();
}

export async function sweepLogouts(tx: Tx, now: Date): Promise<number> {
  const gone = await tx.deleteFrom('saml_logouts').where('expires_at', '<', now).execute();
  return Number(gone[0]?.numDeletedRows ?? 0);
}
