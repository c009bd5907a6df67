import { sql } from 'kysely';
import type { Tx } from '../platform/index.ts';

/** Those of these users who are active users of the organization (a grant's account id). */
export function activeUsersAmong(tx: Tx, orgId: string, ids: readonly string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return tx
    .selectFrom('users')
    .select(['id', 'email', 'display_name', 'manager_id', 'end_at', 'created_at'])
    .where('org_id', '=', orgId)
    .where('status', '=', 'active')
    .where('id', '=', sql<string>`ANY(${ids}::uuid[])`)
    .execute();
}
