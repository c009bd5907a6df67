import type { Selectable } from 'kysely';
import type { SsoDomainsTable, Tx } from '../../platform/index.ts';

export type DomainRow = Selectable<SsoDomainsTable>;

export function domainsOf(tx: Tx, orgId: string): Promise<DomainRow[]> {
  return tx
    .selectFrom('sso_domains')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('domain')
    .execute();
}

export function domainOf(tx: Tx, orgId: string, id: string): Promise<DomainRow | undefined> {
  return tx
    .selectFrom('sso_domains')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function claimIn(tx: Tx, orgId: string, domain: string): Promise<DomainRow | undefined> {
  return tx
    .selectFrom('sso_domains')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('domain', '=', domain)
    .executeTakeFirst();
}

/** The organization that verified the domain, if any (platform scope: every organization). */
export async function verifiedOwner(tx: Tx, domain: string): Promise<string | undefined> {
  const row = await tx
    .selectFrom('sso_domains')
    .select('org_id')
    .where('domain', '=', domain)
    .where('verified_at', 'is not', null)
    .executeTakeFirst();
  return row?.org_id;
}

/**
 * Inserts an unverified claim, unless another organization verified the domain: answers false
 * then. That organization's row is hidden by RLS, but not from the unique index of verified
 * domains: the row goes in as verified, with nothing done on a conflict with that index, and
 * becomes unverified at once, in this transaction (no one sees it in between). A verification
 * in flight elsewhere makes the insert wait for its outcome.
 */
export async function insertClaim(tx: Tx, row: DomainRow): Promise<boolean> {
  const probe = await tx
    .insertInto('sso_domains')
    .values({ ...row, verified_at: row.created_at })
    .onConflict((c) => c.column('domain').where('verified_at', 'is not', null).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!probe) return false;
  await tx.updateTable('sso_domains').set({ verified_at: null }).where('id', '=', row.id).execute();
  return true;
}

export async function updateDomain(
  tx: Tx,
  id: string,
  set: Partial<Pick<DomainRow, 'connection_id' | 'verification' | 'verified_at' | 'verified_by'>>,
): Promise<void> {
  await tx.updateTable('sso_domains').set(set).where('id', '=', id).execute();
}

export async function deleteDomain(tx: Tx, id: string): Promise<void> {
  await tx.deleteFrom('sso_domains').where('id', '=', id).execute();
}

/** Whether the connection is one of the organization's. */
export async function connectionIn(tx: Tx, orgId: string, id: string): Promise<boolean> {
  const row = await tx
    .selectFrom('sso_connections')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Home-realm discovery (platform scope): the enabled connection of the organization that
 * verified this domain, if it named one.
 */
export function connectionForDomain(
  tx: Tx,
  domain: string,
): Promise<{ org_id: string; connection_id: string; name: string } | undefined> {
  return tx
    .selectFrom('sso_domains')
    .innerJoin('sso_connections', (j) =>
      j
        .onRef('sso_connections.id', '=', 'sso_domains.connection_id')
        .onRef('sso_connections.org_id', '=', 'sso_domains.org_id'),
    )
    .select([
      'sso_domains.org_id',
      'sso_domains.connection_id as connection_id',
      'sso_connections.name',
    ])
    .where('sso_domains.domain', '=', domain)
    .where('sso_domains.verified_at', 'is not', null)
    .where('sso_connections.enabled', '=', true)
    .executeTakeFirst() as Promise<
    { org_id: string; connection_id: string; name: string } | undefined
  >;
}
