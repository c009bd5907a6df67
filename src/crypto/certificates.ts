import { X509Certificate } from 'node:crypto';

/** What the certificate-expiry check needs of one certificate. */
export interface CertificateValidity {
  subject: string;
  issuer: string;
  notAfter: Date;
  /** SHA-256 of the DER, `AA:BB:…` (names the certificate in an alert). */
  fingerprint256: string;
}

const pemBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The validity of every certificate in a PEM (a leaf and its chain), in file order. A block
 * that does not parse is skipped: the check reports the certificates it can read, and the server
 * itself refuses a PEM it cannot load.
 */
export function certificatesInPem(pem: string | Buffer): CertificateValidity[] {
  const blocks = String(pem).match(pemBlock) ?? [];
  return blocks.flatMap((block) => {
    try {
      const cert = new X509Certificate(block);
      return [
        {
          subject: cert.subject.replace(/\n/g, ', '),
          issuer: cert.issuer.replace(/\n/g, ', '),
          notAfter: new Date(cert.validTo),
          fingerprint256: cert.fingerprint256,
        },
      ];
    } catch {
      return [];
    }
  });
}
