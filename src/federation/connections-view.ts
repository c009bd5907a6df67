import type { CertificateRow, ConnectionRow } from './connections.store.ts';
import {
  defaultOidcScopes,
  type SsoConnectionView,
  serviceProviderUrls,
} from './connections-model.ts';
import type { AttributeMapping } from './protocol.ts';

/** A connection row and its certificates as the API, the CLI and the console show them. */
export function toView(
  publicUrl: string,
  row: ConnectionRow,
  certs: CertificateRow[],
): SsoConnectionView {
  const sp = serviceProviderUrls(publicUrl, row.id);
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    protocol: row.protocol,
    enabled: row.enabled,
    provisioning: row.provisioning,
    attributeMapping: row.attribute_mapping as AttributeMapping,
    saml:
      row.protocol === 'saml'
        ? {
            idpEntityId: row.idp_entity_id ?? '',
            idpSsoUrl: row.idp_sso_url ?? '',
            idpSloUrl: row.idp_slo_url,
            metadataUrl: row.metadata_url,
          }
        : null,
    oidc:
      row.protocol === 'oidc'
        ? {
            issuer: row.issuer ?? '',
            clientId: row.client_id ?? '',
            scopes: row.scopes ?? defaultOidcScopes,
            hasClientSecret: row.client_secret !== null,
          }
        : null,
    serviceProvider:
      row.protocol === 'saml'
        ? { entityId: sp.entityId, acsUrl: sp.acsUrl, metadataUrl: sp.metadataUrl }
        : { redirectUri: sp.redirectUri },
    certificates: certs
      .filter((c) => c.connection_id === row.id)
      .map((c) => ({
        id: c.id,
        fingerprint: c.fingerprint,
        subject: c.subject,
        notAfter: c.not_after,
        addedAt: c.added_at,
      })),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** What the audit events show of a connection: its settings, never the client secret. */
export const settingsOf = (c: SsoConnectionView) => ({
  name: c.name,
  protocol: c.protocol,
  enabled: c.enabled,
  provisioning: c.provisioning,
  attributeMapping: c.attributeMapping,
  saml: c.saml,
  oidc: c.oidc && {
    issuer: c.oidc.issuer,
    clientId: c.oidc.clientId,
    scopes: c.oidc.scopes,
    clientSecretSet: c.oidc.hasClientSecret,
  },
  certificates: c.certificates.map((x) => ({
    fingerprint: x.fingerprint,
    notAfter: x.notAfter.toISOString(),
  })),
});
