import type { SamlKeyState, SamlKeyUse, Tx } from '../platform/index.ts';

/** A SAML key's certificate as the inventory reads it (never its private part). */
export interface SamlKeyCertificateRow {
  id: string;
  org_id: string;
  use: SamlKeyUse;
  state: SamlKeyState;
  certificate: string;
  fingerprint: string;
  not_after: Date;
}

/** An upstream IdP's certificate with the name of its connection. */
export interface ConnectionCertificateRow {
  id: string;
  org_id: string;
  connection_id: string;
  connection_name: string;
  fingerprint: string;
  subject: string;
  not_after: Date;
}

/**
 * The SAML keys still published or in use (a retired key signs and decrypts nothing, so its
 * expiry no longer matters): one organization's, or every organization's when `orgId` is null
 * (the expiry check, in a platform transaction).
 */
export function samlKeyCertificates(
  tx: Tx,
  orgId: string | null,
): Promise<SamlKeyCertificateRow[]> {
  let query = tx
    .selectFrom('saml_keys')
    .select(['id', 'org_id', 'use', 'state', 'certificate', 'fingerprint', 'not_after'])
    .where('state', '<>', 'retired');
  if (orgId !== null) query = query.where('org_id', '=', orgId);
  return query.orderBy('not_after').orderBy('id').execute();
}

/** The upstream IdPs' certificates, of one organization or (null) of every organization. */
export function connectionCertificates(
  tx: Tx,
  orgId: string | null,
): Promise<ConnectionCertificateRow[]> {
  let query = tx
    .selectFrom('sso_connection_certificates as c')
    .innerJoin('sso_connections as s', 's.id', 'c.connection_id')
    .select([
      'c.id',
      'c.org_id',
      'c.connection_id',
      's.name as connection_name',
      'c.fingerprint',
      'c.subject',
      'c.not_after',
    ]);
  if (orgId !== null) query = query.where('c.org_id', '=', orgId);
  return query.orderBy('c.not_after').orderBy('c.id').execute();
}
