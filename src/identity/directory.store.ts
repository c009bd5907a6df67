import { type Selectable, sql } from 'kysely';
import type { Tx, UsersTable } from '../platform/index.ts';
import { userColumns } from './store.ts';

/** A user with what the directory says of them (migration 0018's columns). */
export type DirectoryUserRow = Omit<
  Selectable<UsersTable>,
  'search_text' | 'email_key' | 'user_name_key'
>;

const directoryColumns = [
  ...userColumns,
  'external_id',
  'user_name',
  'given_name',
  'family_name',
  'employee_number',
  'department',
  'manager_id',
  'end_at',
  'last_sign_in_at',
  'dormancy_warned_at',
] as const satisfies readonly (keyof DirectoryUserRow)[];

/** The columns a directory writes (the rest is Vigil's own). */
export type DirectoryWrite = Pick<
  DirectoryUserRow,
  | 'email'
  | 'display_name'
  | 'external_id'
  | 'user_name'
  | 'given_name'
  | 'family_name'
  | 'employee_number'
  | 'department'
  | 'manager_id'
  | 'end_at'
>;

export async function insertDirectoryUser(tx: Tx, row: DirectoryUserRow): Promise<void> {
  await tx.insertInto('users').values(row).execute();
}

export function directoryUser(
  tx: Tx,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<DirectoryUserRow | undefined> {
  const query = tx.selectFrom('users').select(directoryColumns).where('id', '=', id);
  return (options.forUpdate ? query.forUpdate() : query).executeTakeFirst();
}

export async function updateDirectoryUser(
  tx: Tx,
  id: string,
  changes: Partial<DirectoryWrite> & { updated_at: Date },
): Promise<void> {
  await tx.updateTable('users').set(changes).where('id', '=', id).execute();
}

/**
 * Whether another user of the organization has this email, or this SCIM userName (both compared
 * ignoring case; the userName is coalesce(user_name, email), migration 0018), through their
 * stored lowered values, which an index serves under row-level security (migration 0019).
 */
export async function takenBy(
  tx: Tx,
  orgId: string,
  wanted: { email: string; userName: string },
  exceptId: string | null,
): Promise<{ email: boolean; userName: boolean }> {
  let query = tx
    .selectFrom('users')
    .select([
      sql<boolean>`email_key = lower(${wanted.email})`.as('email'),
      sql<boolean>`user_name_key = lower(${wanted.userName})`.as('user_name'),
    ])
    .where('org_id', '=', orgId)
    .where(
      sql<boolean>`(email_key = lower(${wanted.email}) OR user_name_key = lower(${wanted.userName}))`,
    );
  if (exceptId) query = query.where('id', '<>', exceptId);
  const rows = await query.limit(2).execute();
  return {
    email: rows.some((r) => r.email),
    userName: rows.some((r) => r.user_name),
  };
}
