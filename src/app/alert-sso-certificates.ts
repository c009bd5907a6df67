import type { OrganizationCertificate } from '../alerts/index.ts';
import type { SsoCertificate, SsoCertificates } from '../federation/index.ts';
import type { Tx } from '../platform/index.ts';

/** What the alert calls a certificate: which key or which connection it belongs to. */
function nameOf(c: SsoCertificate): string {
  if (c.source === 'saml_key')
    return `SAML ${c.use} key (${c.state}) ${c.fingerprint.slice(0, 11)}`;
  return `Certificate ${c.fingerprint.slice(0, 11)} of connection "${c.connectionName}"`;
}

/**
 * The SSO certificate inventory (federation) as the alert rules see it: alerts sits beside
 * federation in the tiers and may not import it, so the application hands the expiry check
 * this reader (docs/alerts.md#rules).
 */
export function alertSsoCertificates(
  certificates: Pick<SsoCertificates, 'everyOrganization'>,
): (tx: Tx) => Promise<OrganizationCertificate[]> {
  return async (tx) =>
    (await certificates.everyOrganization(tx)).map((c) => ({
      orgId: c.orgId,
      key: `${c.source}:${c.id}`,
      name: nameOf(c),
      fingerprint: c.fingerprint,
      subject: c.subject,
      notAfter: c.notAfter,
      details:
        c.source === 'saml_key'
          ? { source: c.source, keyId: c.id, use: c.use, state: c.state }
          : {
              source: c.source,
              certificateId: c.id,
              connectionId: c.connectionId,
              connectionName: c.connectionName,
            },
    }));
}
