import { certificatesInPem } from '../crypto/index.ts';
import { type Clock, newId, type Outbound, type Tx } from '../platform/index.ts';
import * as store from './connections.store.ts';
import { type ConnectionInput, upstreamUrlProblem } from './connections-model.ts';
import { federationErrors } from './errors.ts';
import { type IdpMetadata, parseIdpMetadata } from './saml-sp/metadata.ts';

/** A refused setting, named in the problem's `errors` too, so that a form shows it by its field. */
export const invalid = (field: string, problem: string) =>
  federationErrors.connectionInvalid({
    field,
    problem,
    details: { errors: [{ path: field, message: problem }] },
  });

/** The SAML settings a create or update resolves to, before they are stored. */
export interface SamlResolved {
  idpEntityId: string;
  idpSsoUrl: string;
  idpSloUrl: string | null;
  metadataUrl: string | null;
  certificates: string[] | null;
}

type SamlInput = NonNullable<ConnectionInput['saml']>;

/**
 * A SAML connection's IdP settings (docs/sso.md#connecting-your-identity-provider-saml): from
 * metadata, uploaded or fetched through the outbound client's SSRF guard, or from fields; and
 * the IdP's signing certificates, each parsed and tracked with its expiry.
 */
export function createSamlSettings(deps: { clock: Clock; outbound: () => Outbound }) {
  const { clock } = deps;

  /** One PEM certificate, parsed; `field` names it in the refusal. */
  function certificateOf(pem: string, field: string) {
    const parsed = certificatesInPem(pem);
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
    if (parsed.length !== 1 || blocks !== 1)
      throw invalid(field, 'must be exactly one PEM X.509 certificate that parses');
    const [cert] = parsed as [(typeof parsed)[number]];
    if (cert.notAfter <= clock.now())
      throw invalid(field, `expired on ${cert.notAfter.toISOString()}`);
    return { ...cert, pem: pem.trim() };
  }

  async function fetchMetadata(url: string): Promise<IdpMetadata> {
    const problem = upstreamUrlProblem(url);
    if (problem) throw invalid('saml.metadataUrl', problem);
    const unavailable = (why: string) =>
      federationErrors.metadataUnavailable({ url, problem: why });
    const response = await deps.outbound().request(url, {
      maxBodyBytes: 1_000_000,
      headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml' },
    });
    if (response.status !== 200) throw unavailable(`HTTP ${response.status}`);
    if (response.truncated) throw unavailable('larger than 1 MB');
    return parseIdpMetadata(response.body.toString('utf8'));
  }

  /**
   * The SAML settings from metadata (uploaded, else fetched) with explicit fields over it, or
   * from the fields alone; `current` fills what an update leaves out.
   */
  async function resolveSaml(
    input: SamlInput,
    current: SamlResolved | null,
  ): Promise<SamlResolved> {
    if (input.metadataXml !== undefined && input.metadataUrl !== undefined)
      throw invalid('saml', 'send metadataXml or metadataUrl, not both');
    let metadata: IdpMetadata | null = null;
    if (input.metadataXml !== undefined) metadata = parseIdpMetadata(input.metadataXml);
    else if (input.metadataUrl !== undefined) metadata = await fetchMetadata(input.metadataUrl);
    const fromMetadata = metadata && {
      // Expired certificates in metadata are left behind (an IdP may still list its old one).
      certificates: metadata.certificates.filter((pem) =>
        certificatesInPem(pem).some((c) => c.notAfter > clock.now()),
      ),
    };
    if (fromMetadata && fromMetadata.certificates.length === 0)
      throw federationErrors.metadataInvalid({
        problem: 'every signing certificate in it has expired',
      });
    const resolved: SamlResolved = {
      idpEntityId: input.idpEntityId ?? metadata?.entityId ?? current?.idpEntityId ?? '',
      idpSsoUrl: input.idpSsoUrl ?? metadata?.ssoUrl ?? current?.idpSsoUrl ?? '',
      idpSloUrl:
        input.idpSloUrl !== undefined
          ? input.idpSloUrl
          : metadata
            ? metadata.sloUrl
            : (current?.idpSloUrl ?? null),
      metadataUrl:
        input.metadataUrl ??
        (input.metadataXml !== undefined ? null : (current?.metadataUrl ?? null)),
      certificates: input.certificates ?? fromMetadata?.certificates ?? null,
    };
    if (!resolved.idpEntityId) throw invalid('saml.idpEntityId', 'is required (or send metadata)');
    if (!resolved.idpSsoUrl) throw invalid('saml.idpSsoUrl', 'is required (or send metadata)');
    for (const [field, value] of [
      ['saml.idpSsoUrl', resolved.idpSsoUrl],
      ['saml.idpSloUrl', resolved.idpSloUrl],
    ] as const) {
      const problem = value === null ? null : upstreamUrlProblem(value);
      if (problem) throw invalid(field, problem);
    }
    if (current === null && resolved.certificates === null)
      throw invalid(
        'saml.certificates',
        "the IdP's signing certificate is required (or send metadata)",
      );
    return resolved;
  }

  /** Replaces a connection's certificates with `pems` (kept when the same, by fingerprint). */
  async function replaceCertificates(tx: Tx, row: store.ConnectionRow, pems: string[]) {
    const wanted = pems.map((pem, i) => certificateOf(pem, `saml.certificates.${i}`));
    const existing = await store.certificatesOf(tx, [row.id]);
    const now = clock.now();
    for (const cert of existing)
      if (!wanted.some((w) => w.fingerprint256 === cert.fingerprint))
        await store.deleteCertificate(tx, row.id, cert.id);
    const seen = new Set(existing.map((c) => c.fingerprint));
    for (const cert of wanted) {
      if (seen.has(cert.fingerprint256)) continue;
      seen.add(cert.fingerprint256);
      await store.insertCertificate(tx, {
        id: newId(now.getTime()),
        org_id: row.org_id,
        connection_id: row.id,
        certificate: cert.pem,
        fingerprint: cert.fingerprint256,
        subject: cert.subject,
        not_after: cert.notAfter,
        added_at: now,
      });
    }
  }

  const samlOf = (row: store.ConnectionRow): SamlResolved => ({
    idpEntityId: row.idp_entity_id ?? '',
    idpSsoUrl: row.idp_sso_url ?? '',
    idpSloUrl: row.idp_slo_url,
    metadataUrl: row.metadata_url,
    certificates: null,
  });

  return { certificateOf, resolveSaml, replaceCertificates, samlOf };
}
