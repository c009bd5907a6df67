import { webcrypto } from 'node:crypto';
import { randomBytesOf } from './primitives.ts';

/**
 * Loaded on demand: only a development start without a configured certificate, and the first
 * SAML key of an organization, need it.
 */
export async function loadX509() {
  // @peculiar/x509 2 resolves its services through tsyringe, which needs the Reflect polyfill.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  // Node's webcrypto is the Web Crypto API x509 expects; their type declarations differ (and the
  // DOM's, which @xmldom/xmldom's types load, differ again).
  x509.cryptoProvider.set(webcrypto as never);
  return x509;
}

export interface SelfSignedCertificate {
  certPem: string;
  keyPem: string;
}

/** A self-signed ECDSA P-256 certificate for development (`npm start` on a fresh machine). */
export async function createSelfSignedCertificate(
  hostnames: string[],
  validDays = 365,
): Promise<SelfSignedCertificate> {
  const x509 = await loadX509();
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, [
    'sign',
    'verify',
  ])) as unknown as webcrypto.CryptoKeyPair;
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + validDays * 86_400_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytesOf(16)
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    name: `CN=${hostnames[0] ?? 'localhost'}, O=Vigil development`,
    notBefore,
    notAfter,
    signingAlgorithm: algorithm,
    keys: keys as never,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        hostnames.map((h) =>
          /^[\d.]+$|:/.test(h)
            ? { type: 'ip' as const, value: h }
            : { type: 'dns' as const, value: h },
        ),
      ),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

/** A generated private key as PKCS#8 PEM (what node:crypto, TLS and xml-crypto read). */
export async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as never));
  return `-----BEGIN PRIVATE KEY-----\n${pkcs8
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd()}\n-----END PRIVATE KEY-----\n`;
}
