import { inflateRawSync } from 'node:zlib';
import * as xmllint from '@authenio/samlify-node-xmllint';
import { DOMParser } from '@xmldom/xmldom';
import * as samlify from 'samlify';
import type { SamlBinding } from '../platform/index.ts';
import type { AcsUrl, ApplicationSettings } from './applications-model.ts';

// Every message samlify reads is checked against the SAML schemas first (once per process).
samlify.setSchemaValidator(xmllint);

const urn = {
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
} as const;
const protocolNs = 'urn:oasis:names:tc:SAML:2.0:protocol';
const assertionNs = 'urn:oasis:names:tc:SAML:2.0:assertion';

export const nameIdFormatUrn = {
  email: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
} as const;

/** Vigil as one organization's identity provider: its entity ID and endpoints. */
export interface IdpIdentity {
  entityId: string;
  ssoUrl: string;
  sloUrl: string;
}

/** A SAML message as it arrived: the query (Redirect) or form fields (POST). */
export interface SamlMessage {
  binding: SamlBinding;
  /** Query parameters or form fields, decoded. */
  fields: Record<string, string | undefined>;
  /** Redirect binding: the query exactly as sent (its signature covers those bytes). */
  rawQuery?: string;
}

/** Where the browser goes next: a redirect, or a self-posting form. */
export type Departure =
  | { kind: 'redirect'; location: string }
  | { kind: 'form'; action: string; fields: Record<string, string> };

const xmlEscape = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );

/** 128 random bits as an NCName (SAML IDs must not start with a digit). */
export const samlId = (random: string) => `_${random}`;

function idpEntity(
  idp: IdpIdentity,
  keys: { signingCerts: string[]; encryptionCerts?: string[]; privateKey?: string },
  options: { wantRequestsSigned?: boolean; encryptAssertion?: boolean } = {},
) {
  return samlify.IdentityProvider({
    entityID: idp.entityId,
    signingCert: keys.signingCerts,
    ...(keys.encryptionCerts?.length ? { encryptCert: keys.encryptionCerts } : {}),
    ...(keys.privateKey ? { privateKey: keys.privateKey } : {}),
    wantAuthnRequestsSigned: options.wantRequestsSigned ?? false,
    wantLogoutRequestSigned: options.wantRequestsSigned ?? false,
    isAssertionEncrypted: options.encryptAssertion ?? false,
    // AES-GCM, not the CBC default (padding oracles); RSA-OAEP wraps the key.
    dataEncryptionAlgorithm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
    keyEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
    nameIDFormat: Object.values(nameIdFormatUrn),
    singleSignOnService: [
      { Binding: urn.redirect, Location: idp.ssoUrl },
      { Binding: urn.post, Location: idp.ssoUrl },
    ],
    singleLogoutService: [
      { Binding: urn.redirect, Location: idp.sloUrl },
      { Binding: urn.post, Location: idp.sloUrl },
    ],
  } as Parameters<typeof samlify.IdentityProvider>[0]);
}

function spEntity(app: ApplicationSettings, acs?: AcsUrl) {
  const services = acs ? [acs] : app.acsUrls;
  return samlify.ServiceProvider({
    entityID: app.entityId,
    assertionConsumerService: services.map((a) => ({ Binding: urn[a.binding], Location: a.url })),
    ...(app.sloUrl
      ? {
          singleLogoutService: [
            { Binding: urn[app.sloBinding ?? 'redirect'], Location: app.sloUrl },
          ],
        }
      : {}),
    ...(app.spCertificate
      ? { signingCert: app.spCertificate, encryptCert: app.spCertificate }
      : {}),
    wantAssertionsSigned: app.signAssertion,
    wantMessageSigned: app.signResponse,
    wantLogoutRequestSigned: true,
    wantLogoutResponseSigned: true,
    isAssertionEncrypted: app.encryptAssertion,
  });
}

/** The IdP metadata of an organization: every published signing and encryption certificate. */
export function idpMetadataXml(
  idp: IdpIdentity,
  signingCerts: string[],
  encryptionCerts: string[],
): string {
  return idpEntity(idp, { signingCerts, encryptionCerts }).getMetadata();
}

/** What Vigil reads of an AuthnRequest before it knows whose it is. */
export interface AuthnRequestHeader {
  id: string;
  issuer: string;
  destination: string | null;
  acsUrl: string | null;
  acsIndex: number | null;
  protocolBinding: string | null;
  forceAuthn: boolean;
}

/** The XML of a message, decoded per its binding; null when it cannot be decoded. */
export function messageXml(
  message: SamlMessage,
  field: 'SAMLRequest' | 'SAMLResponse',
): string | null {
  const value = message.fields[field];
  if (!value || value.length > 200_000) return null;
  try {
    const bytes = Buffer.from(value, 'base64');
    const xml =
      message.binding === 'redirect'
        ? inflateRawSync(bytes, { maxOutputLength: 1_000_000 }).toString('utf8')
        : bytes.toString('utf8');
    return xml.trimStart().startsWith('<') ? xml : null;
  } catch {
    return null;
  }
}

function rootOf(xml: string, localName: string) {
  // A DTD is never part of a SAML message; refusing it closes entity expansion attacks.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) return null;
  let broken = false;
  const doc = new DOMParser({
    errorHandler: {
      error: () => {
        broken = true;
      },
      fatalError: () => {
        broken = true;
      },
    },
  }).parseFromString(xml, 'text/xml');
  const root = doc?.documentElement;
  if (broken || !root || root.localName !== localName || root.namespaceURI !== protocolNs)
    return null;
  return root;
}

const issuerOf = (root: NonNullable<ReturnType<typeof rootOf>>) => {
  const issuer = Array.from(root.childNodes).find(
    (n) =>
      n.nodeType === 1 &&
      (n as unknown as { localName: string }).localName === 'Issuer' &&
      (n as unknown as { namespaceURI: string }).namespaceURI === assertionNs,
  );
  return issuer?.textContent?.trim() ?? '';
};

/** The header of an AuthnRequest (unverified: only to find the application it names). */
export function readAuthnRequest(xml: string): AuthnRequestHeader | null {
  const root = rootOf(xml, 'AuthnRequest');
  if (!root) return null;
  const id = root.getAttribute('ID');
  const issuer = issuerOf(root);
  if (!id || !issuer) return null;
  const index = root.getAttribute('AssertionConsumerServiceIndex');
  return {
    id,
    issuer,
    destination: root.getAttribute('Destination'),
    acsUrl: root.getAttribute('AssertionConsumerServiceURL'),
    acsIndex: index !== null && /^\d{1,5}$/.test(index) ? Number(index) : null,
    protocolBinding: root.getAttribute('ProtocolBinding'),
    forceAuthn: root.getAttribute('ForceAuthn') === 'true',
  };
}

/** The issuer, ID, NameID and session index of a LogoutRequest or LogoutResponse. */
export function readLogoutMessage(
  xml: string,
  kind: 'LogoutRequest' | 'LogoutResponse',
): { id: string; issuer: string; nameId: string | null; sessionIndexes: string[] } | null {
  const root = rootOf(xml, kind);
  if (!root) return null;
  const id = root.getAttribute('ID');
  const issuer = issuerOf(root);
  if (!id || !issuer) return null;
  const nameId = root.getElementsByTagNameNS(assertionNs, 'NameID')[0]?.textContent?.trim() ?? null;
  const sessionIndexes = Array.from(root.getElementsByTagNameNS(protocolNs, 'SessionIndex')).map(
    (n) => n.textContent?.trim() ?? '',
  );
  return { id, issuer, nameId, sessionIndexes };
}

/**
 * The binding's own form of the message for samlify: the query and the octet string its
 * Redirect signature covers, or the form body.
 */
function samlifyRequest(message: SamlMessage) {
  if (message.binding === 'post') return { body: message.fields };
  const raw = message.rawQuery ?? '';
  const part = (name: string) => raw.split('&').find((p) => p.startsWith(`${name}=`));
  const octetString = ['SAMLRequest', 'SAMLResponse', 'RelayState', 'SigAlg']
    .map(part)
    .filter((p) => p !== undefined)
    .join('&');
  return { query: message.fields, octetString };
}

/**
 * Checks an AuthnRequest against its application with samlify: the SAML schema and, when the
 * application wants signed requests, the signature by its certificate (Redirect: the query's
 * detached signature; POST: the enveloped one). Throws when it does not hold.
 */
export async function verifyAuthnRequest(
  idp: IdpIdentity,
  signingCert: string,
  app: ApplicationSettings,
  message: SamlMessage,
): Promise<void> {
  const entity = idpEntity(
    idp,
    { signingCerts: [signingCert] },
    {
      wantRequestsSigned: app.wantRequestsSigned,
    },
  );
  await entity.parseLoginRequest(spEntity(app), message.binding, samlifyRequest(message) as never);
}

/** Checks a LogoutRequest's schema and (when the application has a certificate) its signature. */
export async function verifyLogoutRequest(
  idp: IdpIdentity,
  signingCert: string,
  app: ApplicationSettings,
  message: SamlMessage,
): Promise<void> {
  const entity = idpEntity(
    idp,
    { signingCerts: [signingCert] },
    {
      wantRequestsSigned: app.spCertificate !== null,
    },
  );
  await entity.parseLogoutRequest(spEntity(app), message.binding, samlifyRequest(message) as never);
}

/** What a signed-in user is asserted as. */
export interface Assertion {
  inResponseTo: string | null;
  nameId: string;
  nameIdFormat: keyof typeof nameIdFormatUrn;
  sessionIndex: string;
  authnInstant: Date;
  authnContextClassRef: string;
  attributes: { name: string; nameFormat: string; values: string[] }[];
  /** How long the assertion may be presented (5 minutes). */
  lifetimeSeconds: number;
}

function responseXml(
  ids: { response: string; assertion: string },
  idp: IdpIdentity,
  app: ApplicationSettings,
  acs: AcsUrl,
  a: Assertion,
  now: Date,
): string {
  const e = xmlEscape;
  const instant = now.toISOString();
  const until = new Date(now.getTime() + a.lifetimeSeconds * 1000).toISOString();
  const inResponseTo = a.inResponseTo ? ` InResponseTo="${e(a.inResponseTo)}"` : '';
  const attributes =
    a.attributes.length === 0
      ? ''
      : `<saml:AttributeStatement>${a.attributes
          .map(
            (at) =>
              `<saml:Attribute Name="${e(at.name)}" NameFormat="${e(at.nameFormat)}">${at.values
                .map(
                  (v) => `<saml:AttributeValue xsi:type="xs:string">${e(v)}</saml:AttributeValue>`,
                )
                .join('')}</saml:Attribute>`,
          )
          .join('')}</saml:AttributeStatement>`;
  return (
    `<samlp:Response xmlns:samlp="${protocolNs}" xmlns:saml="${assertionNs}" ID="${ids.response}" Version="2.0" IssueInstant="${instant}" Destination="${e(acs.url)}"${inResponseTo}>` +
    `<saml:Issuer>${e(idp.entityId)}</saml:Issuer>` +
    '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>' +
    `<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="${ids.assertion}" Version="2.0" IssueInstant="${instant}">` +
    `<saml:Issuer>${e(idp.entityId)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="${nameIdFormatUrn[a.nameIdFormat]}">${e(a.nameId)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${until}" Recipient="${e(acs.url)}"${inResponseTo}/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${instant}" NotOnOrAfter="${until}"><saml:AudienceRestriction><saml:Audience>${e(app.entityId)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${a.authnInstant.toISOString()}" SessionIndex="${e(a.sessionIndex)}"><saml:AuthnContext><saml:AuthnContextClassRef>${e(a.authnContextClassRef)}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    `${attributes}</saml:Assertion></samlp:Response>`
  );
}

/**
 * The signed (and, when the application asks, encrypted) response to one of the application's
 * registered ACS URLs: the caller has checked `acs` belongs to `app`. The assertion is signed
 * first, then encrypted to the SP's certificate, then the response is signed over the result.
 */
export async function loginResponse(input: {
  idp: IdpIdentity;
  signing: { certificate: string; privateKey: string };
  app: ApplicationSettings;
  acs: AcsUrl;
  assertion: Assertion;
  relayState: string | null;
  ids: { response: string; assertion: string };
  now: Date;
}): Promise<Departure> {
  const { app, acs } = input;
  const idp = idpEntity(
    input.idp,
    { signingCerts: [input.signing.certificate], privateKey: input.signing.privateKey },
    { encryptAssertion: app.encryptAssertion },
  );
  const xml = responseXml(input.ids, input.idp, app, acs, input.assertion, input.now);
  const result = (await idp.createLoginResponse(spEntity(app, acs), {} as never, acs.binding, {}, {
    customTagReplacement: () => ({ id: input.ids.response, context: xml }),
    encryptThenSign: true,
    ...(input.relayState ? { relayState: input.relayState } : {}),
  } as never)) as { context: string };
  if (acs.binding === 'redirect') return { kind: 'redirect', location: result.context };
  return {
    kind: 'form',
    action: acs.url,
    fields: {
      SAMLResponse: result.context,
      ...(input.relayState ? { RelayState: input.relayState } : {}),
    },
  };
}

/** The signed LogoutResponse (success) to the application's SLO URL. */
export function logoutResponse(input: {
  idp: IdpIdentity;
  signing: { certificate: string; privateKey: string };
  app: ApplicationSettings;
  inResponseTo: string;
  relayState: string | null;
}): Departure | null {
  const { app } = input;
  if (!app.sloUrl) return null;
  const idp = idpEntity(input.idp, {
    signingCerts: [input.signing.certificate],
    privateKey: input.signing.privateKey,
  });
  const binding = app.sloBinding ?? 'redirect';
  const made = idp.createLogoutResponse(
    spEntity(app),
    { extract: { request: { id: input.inResponseTo } } },
    binding,
    input.relayState ?? '',
  ) as { context: string };
  if (binding === 'redirect') return { kind: 'redirect', location: made.context };
  return {
    kind: 'form',
    action: app.sloUrl,
    fields: {
      SAMLResponse: made.context,
      ...(input.relayState ? { RelayState: input.relayState } : {}),
    },
  };
}

/** A signed LogoutRequest telling another application its session ended (Redirect binding). */
export function logoutRequestUrl(input: {
  idp: IdpIdentity;
  signing: { certificate: string; privateKey: string };
  app: ApplicationSettings;
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string;
}): string | null {
  const { app } = input;
  if (!app.sloUrl || (app.sloBinding ?? 'redirect') !== 'redirect') return null;
  const idp = idpEntity(input.idp, {
    signingCerts: [input.signing.certificate],
    privateKey: input.signing.privateKey,
  });
  const made = idp.createLogoutRequest(spEntity(app), 'redirect', {
    logoutNameID: input.nameId,
    sessionIndex: input.sessionIndex,
  } as never) as { context: string };
  return made.context;
}
