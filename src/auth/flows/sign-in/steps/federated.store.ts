import { sql } from 'kysely';
import type { Tx } from '../../../../platform/index.ts';

/** Serialises sign-ins of one upstream identity until the transaction ends. */
export async function lockIdentity(tx: Tx, connectionId: string, subject: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`vigil.sso_identities:${connectionId}:${subject}`}))`.execute(
    tx,
  );
}

/**
 * Serialises the linking or provisioning of one email in an organization (two upstream
 * identities, or two connections, naming the same person).
 */
export async function lockEmail(tx: Tx, orgId: string, email: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`vigil.users.email:${orgId}:${email.toLowerCase()}`}))`.execute(
    tx,
  );
}

/** The user an upstream identity (connection, subject) is linked to, locked for its update. */
export async function linkedUser(
  tx: Tx,
  connectionId: string,
  subject: string,
): Promise<string | undefined> {
  const row = await tx
    .selectFrom('sso_identities')
    .select('user_id')
    .where('connection_id', '=', connectionId)
    .where('subject', '=', subject)
    .forUpdate()
    .executeTakeFirst();
  return row?.user_id;
}

/**
 * Links an upstream identity to a user. A concurrent first sign-in of the same identity may have
 * linked it already: the link that exists wins (the caller reads it back).
 */
export async function link(
  tx: Tx,
  row: { connectionId: string; subject: string; orgId: string; userId: string; at: Date },
): Promise<void> {
  await tx
    .insertInto('sso_identities')
    .values({
      connection_id: row.connectionId,
      subject: row.subject,
      org_id: row.orgId,
      user_id: row.userId,
      created_at: row.at,
      last_sign_in_at: row.at,
    })
    .onConflict((c) => c.columns(['connection_id', 'subject']).doNothing())
    .execute();
}

export async function signedInAt(
  tx: Tx,
  connectionId: string,
  subject: string,
  at: Date,
): Promise<void> {
  await tx
    .updateTable('sso_identities')
    .set({ last_sign_in_at: at })
    .where('connection_id', '=', connectionId)
    .where('subject', '=', subject)
    .execute();
}

/**
 * Whether the connection is an enabled one of the transaction's organization (RLS hides the
 * others): an identity is never linked through another organization's connection.
 */
export async function connectionUsable(tx: Tx, orgId: string, connectionId: string) {
  const row = await tx
    .selectFrom('sso_connections')
    .select('enabled')
    .where('id', '=', connectionId)
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  return row?.enabled === true;
}
