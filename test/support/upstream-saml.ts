import { generateKeyPairSync, webcrypto } from 'node:crypto';
import * as xmllint from '@authenio/samlify-node-xmllint';
import * as samlify from 'samlify';

samlify.setSchemaValidator(xmllint);

export interface TestKeyPair {
  certificate: string;
  privateKey: string;
}

/** A self-signed RSA 2048 certificate and its key, as an IdP administrator would have them. */
export async function testKeyPair(commonName: string, validDays = 365): Promise<TestKeyPair> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as never);
  const algorithm = {
    name: 'RSASSA-PKCS1-v1_5',
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const notBefore = new Date(Date.now() - 60_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${commonName}`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + validDays * 86_400_000),
    signingAlgorithm: algorithm,
    keys: keys as never,
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const privateKey = `-----BEGIN PRIVATE KEY-----\n${pkcs8
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd()}\n-----END PRIVATE KEY-----\n`;
  return { certificate: cert.toString('pem'), privateKey };
}

/** An RSA key pair without a certificate (an encryption key for a fake SP key source). */
export function rsaPrivateKey(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
}

const redirect = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const emailFormat = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

export interface LoginOptions {
  /** The AuthnRequest ID answered (InResponseTo); '' for an unsolicited response. */
  requestId: string;
  email: string;
  attributes?: Record<string, string>;
  authnContext?: string;
  /** When the IdP says it authenticated the user (now unless given). */
  authnInstant?: Date;
  /** Changes to the template's values (times, audience, recipient…) before signing. */
  values?: Record<string, string>;
}

const xmlText = (v: string) =>
  v.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? c);

/**
 * An upstream SAML IdP built with samlify (an implementation independent of Vigil's):
 * `respond` signs a login response for Vigil's SP metadata, with the assertion's values
 * adjustable before signing (an expired or misaddressed response is still properly signed).
 */
export async function startUpstreamIdp(
  options: { entityId?: string; keys?: TestKeyPair; encrypt?: boolean } = {},
) {
  const keys = options.keys ?? (await testKeyPair('Upstream IdP'));
  const entityId = options.entityId ?? 'https://idp.upstream.test/saml';
  const ssoUrl = 'https://idp.upstream.test/saml/sso';
  const idp = samlify.IdentityProvider({
    entityID: entityId,
    signingCert: keys.certificate,
    privateKey: keys.privateKey,
    singleSignOnService: [{ Binding: redirect, Location: ssoUrl }],
    nameIDFormat: [emailFormat],
    requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    isAssertionEncrypted: options.encrypt ?? false,
    dataEncryptionAlgorithm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
    keyEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
  } as never);

  async function respond(spMetadataXml: string, login: LoginOptions): Promise<string> {
    const sp = samlify.ServiceProvider({ metadata: spMetadataXml });
    const template = samlify.SamlLib.defaultLoginResponseTemplate.context;
    const authn = `<saml:AuthnStatement AuthnInstant="${(login.authnInstant ?? new Date()).toISOString()}" SessionIndex="_s1"><saml:AuthnContext><saml:AuthnContextClassRef>${xmlText(login.authnContext ?? 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport')}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`;
    const attrs = Object.entries(login.attributes ?? {})
      .map(
        ([name, value]) =>
          `<saml:Attribute Name="${xmlText(name)}"><saml:AttributeValue>${xmlText(value)}</saml:AttributeValue></saml:Attribute>`,
      )
      .join('');
    const statement = attrs ? `<saml:AttributeStatement>${attrs}</saml:AttributeStatement>` : '';
    const acs = sp.entityMeta.getAssertionConsumerService(samlify.Constants.wording.binding.post);
    const now = new Date();
    const later = new Date(now.getTime() + 5 * 60_000).toISOString();
    const id = `_r${Math.random().toString(36).slice(2)}`;
    const values: Record<string, string> = {
      ID: id,
      AssertionID: `_a${Math.random().toString(36).slice(2)}`,
      Destination: String(acs),
      Audience: sp.entityMeta.getEntityID(),
      SubjectRecipient: String(acs),
      Issuer: entityId,
      IssueInstant: now.toISOString(),
      StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
      ConditionsNotBefore: now.toISOString(),
      ConditionsNotOnOrAfter: later,
      SubjectConfirmationDataNotOnOrAfter: later,
      NameIDFormat: emailFormat,
      NameID: login.email,
      InResponseTo: login.requestId,
      ...login.values,
    };
    const filled = samlify.SamlLib.replaceTagsByValue(
      template.replace('{AuthnStatement}', authn).replace('{AttributeStatement}', statement),
      values,
    );
    const made = await idp.createLoginResponse(
      sp,
      { extract: { request: { id: login.requestId } } } as never,
      'post',
      { email: login.email },
      () => ({ id, context: filled }),
    );
    return (made as { context: string }).context;
  }

  return { idp, entityId, ssoUrl, keys, metadataXml: idp.getMetadata(), respond };
}

export type UpstreamIdp = Awaited<ReturnType<typeof startUpstreamIdp>>;

/** The XML of a base64 SAMLResponse, and back. */
export const decodeResponse = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
export const encodeResponse = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');
