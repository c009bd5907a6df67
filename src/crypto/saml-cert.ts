import { createHmac, webcrypto, X509Certificate } from 'node:crypto';
import { randomBytesOf } from './primitives.ts';
import { loadX509, privateKeyPem } from './tls-cert.ts';

/** A SAML key pair: the certificate published in metadata and the private key that signs. */
export interface SamlKeyPair {
  certificate: string;
  privateKey: string;
  /** SHA-256 of the certificate's DER, `AA:BB:…`. */
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
}

/** Escapes a value for an X.500 name written as a string (RFC 4514 §2.4). */
const rdnValue = (value: string) =>
  value.replace(/[\\,+"<>;=#]/g, (c) => `\\${c}`).replace(/^\s|\s$/g, (c) => `\\${c}`);

/**
 * A self-signed RSA 2048 certificate (SHA-256) for SAML signing or encryption. SAML peers trust
 * the certificate itself (from metadata), never a CA chain, so self-signed is the norm; RSA
 * because every SAML implementation supports RSA-SHA256 and RSA-OAEP, not always ECDSA.
 */
export async function createSamlKeyPair(
  commonName: string,
  validDays = 3 * 365,
  now = new Date(),
): Promise<SamlKeyPair> {
  const x509 = await loadX509();
  const algorithm = {
    name: 'RSASSA-PKCS1-v1_5',
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, [
    'sign',
    'verify',
  ])) as unknown as webcrypto.CryptoKeyPair;
  // A minute back: a peer whose clock runs a little behind still accepts it at once.
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(notBefore.getTime() + validDays * 86_400_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytesOf(16)
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    name: `CN=${rdnValue(commonName.slice(0, 64))}, O=Vigil SAML`,
    notBefore,
    notAfter,
    signingAlgorithm: algorithm,
    keys: keys as never,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
    ],
  });
  const certificate = cert.toString('pem');
  return {
    certificate,
    privateKey: await privateKeyPem(keys.privateKey),
    fingerprint: new X509Certificate(certificate).fingerprint256,
    notBefore,
    notAfter,
  };
}

/** What a PEM certificate says of itself, or null when it is not one certificate. */
export function readCertificate(
  text: string,
): { pem: string; fingerprint: string; subject: string; notAfter: Date } | null {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (blocks?.length !== 1) return null;
  try {
    const cert = new X509Certificate(blocks[0] as string);
    return {
      pem: cert.toString(),
      fingerprint: cert.fingerprint256,
      subject: cert.subject.replace(/\n/g, ', '),
      notAfter: new Date(cert.validTo),
    };
  } catch {
    return null;
  }
}

/**
 * A stable, opaque identifier of a user at one application (a SAML persistent NameID): the same
 * user gets the same value at the same application every time, and different values at different
 * applications, so two applications cannot join their records by it.
 */
export function pairwiseIdentifier(applicationId: string, userId: string): string {
  return createHmac('sha256', `vigil:saml:persistent:${applicationId}`)
    .update(userId)
    .digest('base64url');
}
