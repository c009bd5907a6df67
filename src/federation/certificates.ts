import { certificatesInPem } from '../crypto/index.ts';
import {
  type Clock,
  type Database,
  type SamlKeyState,
  type SamlKeyUse,
  type Tx,
  withOrg,
} from '../platform/index.ts';
import * as store from './certificates.store.ts';

const dayMs = 86_400_000;

/**
 * A certificate an organization's single sign-on depends on (docs/sso.md#certificates-and-their-expiry):
 * one of its SAML keys (Vigil's side: it signs responses and requests, and upstream IdPs encrypt
 * to it), or an upstream IdP's signing certificate (without it no answer of that IdP verifies).
 */
export interface SsoCertificate {
  orgId: string;
  source: 'saml_key' | 'connection';
  /** The `saml_keys` or `sso_connection_certificates` row. */
  id: string;
  /** A SAML key's use and rotation state. */
  use?: SamlKeyUse;
  state?: SamlKeyState;
  /** An upstream certificate's connection. */
  connectionId?: string;
  connectionName?: string;
  /** SHA-256 of the DER, `AA:BB:…`. */
  fingerprint: string;
  subject: string;
  notAfter: Date;
  /** Whole days until `notAfter` (negative once expired). */
  daysLeft: number;
}

/** A PEM's subject; a key row's certificate was made by Vigil, so it always parses. */
const subjectOf = (pem: string) => certificatesInPem(pem)[0]?.subject ?? '';

/** Soonest expiry first; ties in a fixed order so that listings do not shuffle. */
const bySoonest = (a: SsoCertificate, b: SsoCertificate) =>
  a.notAfter.getTime() - b.notAfter.getTime() || a.id.localeCompare(b.id);

/**
 * The inventory of SSO certificates with their expiry: what the admin API and `vigil sso
 * certificates` list, and what the expiry alert rule (`sso.certificate_expiring`) watches.
 */
export function createSsoCertificates(deps: { database: Database; clock: Clock }) {
  async function read(tx: Tx, orgId: string | null): Promise<SsoCertificate[]> {
    const now = deps.clock.now().getTime();
    const daysLeft = (notAfter: Date) => Math.floor((notAfter.getTime() - now) / dayMs);
    const keys = await store.samlKeyCertificates(tx, orgId);
    const upstream = await store.connectionCertificates(tx, orgId);
    return [
      ...keys.map(
        (k): SsoCertificate => ({
          orgId: k.org_id,
          source: 'saml_key',
          id: k.id,
          use: k.use,
          state: k.state,
          fingerprint: k.fingerprint,
          subject: subjectOf(k.certificate),
          notAfter: k.not_after,
          daysLeft: daysLeft(k.not_after),
        }),
      ),
      ...upstream.map(
        (c): SsoCertificate => ({
          orgId: c.org_id,
          source: 'connection',
          id: c.id,
          connectionId: c.connection_id,
          connectionName: c.connection_name,
          fingerprint: c.fingerprint,
          subject: c.subject,
          notAfter: c.not_after,
          daysLeft: daysLeft(c.not_after),
        }),
      ),
    ].sort(bySoonest);
  }

  return {
    /** An organization's SAML keys (not retired) and upstream certificates, soonest expiry first. */
    list: (tx: Tx, orgId: string) => read(tx, orgId),
    /** Every organization's, in a platform transaction (the expiry check). */
    everyOrganization: (tx: Tx) => read(tx, null),
    /** The same as `list`, in a transaction of its own in the organization (the CLI). */
    inOrg: {
      list: (orgId: string) => withOrg(deps.database, orgId, (tx) => read(tx, orgId)),
    },
  };
}

export type SsoCertificates = ReturnType<typeof createSsoCertificates>;
