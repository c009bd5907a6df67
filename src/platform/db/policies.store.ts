import type { Tx } from './scope.ts';
import type { SecurityPoliciesTable } from './tables.ts';

export type PolicyKind = SecurityPoliciesTable['kind'];

export function latestPolicy(
  tx: Tx,
  orgId: string,
  kind: PolicyKind,
): Promise<{ version: number; settings: unknown } | undefined> {
  return tx
    .selectFrom('security_policies')
    .select(['version', 'settings'])
    .where('org_id', '=', orgId)
    .where('kind', '=', kind)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function insertPolicyVersion(
  tx: Tx,
  row: {
    orgId: string;
    kind: PolicyKind;
    version: number;
    settings: unknown;
    changedBy: string | null;
    at: Date;
  },
): Promise<void> {
  await tx
    .insertInto('security_policies')
    .values({
      org_id: row.orgId,
      kind: row.kind,
      version: row.version,
      settings: JSON.stringify(row.settings),
      changed_by: row.changedBy,
      changed_at: row.at,
    })
    .execute();
}
