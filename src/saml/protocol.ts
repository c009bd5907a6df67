import * as xmllint from '@authenio/samlify-node-xmllint';
import * as samlify from 'samlify';
import type { AcsUrl, ApplicationSettings } from './applications-model.ts';
import { type Departure, type IdpIdentity, nameIdFormatUrn, type SamlMessage } from './messages.ts';
import { type Assertion, responseXml, statusResponseXml } from './response-xml.ts';

// Every message samlify reads is checked against the SAML schemas first (once per process).
samlify.setSchemaValidator(xmllint);

const urn = {
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
} as const;

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
  const xml = responseXml(input.ids, input.idp, input.app, input.acs, input.assertion, input.now);
  return signedResponse({ ...input, id: input.ids.response, xml });
}

/**
 * The signed Response that says no assertion comes (NoPassive): the message is signed, as there
 * is no assertion to sign or encrypt, whatever the application asks of its assertions.
 */
export function noPassiveResponse(input: {
  idp: IdpIdentity;
  signing: { certificate: string; privateKey: string };
  app: ApplicationSettings;
  acs: AcsUrl;
  inResponseTo: string | null;
  relayState: string | null;
  id: string;
  now: Date;
}): Promise<Departure> {
  const xml = statusResponseXml(
    input.id,
    input.idp,
    input.acs,
    input.inResponseTo,
    { top: 'Responder', second: 'NoPassive' },
    input.now,
  );
  const app = { ...input.app, signResponse: true, signAssertion: false, encryptAssertion: false };
  return signedResponse({ ...input, app, xml });
}

/** Signs (and encrypts, per the application) a Response Vigil wrote, for the ACS URL's binding. */
async function signedResponse(input: {
  idp: IdpIdentity;
  signing: { certificate: string; privateKey: string };
  app: ApplicationSettings;
  acs: AcsUrl;
  id: string;
  xml: string;
  relayState: string | null;
}): Promise<Departure> {
  const { app, acs } = input;
  const idp = idpEntity(
    input.idp,
    { signingCerts: [input.signing.certificate], privateKey: input.signing.privateKey },
    { encryptAssertion: app.encryptAssertion },
  );
  const result = (await idp.createLoginResponse(spEntity(app, acs), {} as never, acs.binding, {}, {
    customTagReplacement: () => ({ id: input.id, context: input.xml }),
    encryptThenSign: true,
    ...(input.relayState ? { relayState: input.relayState } : {}),
  } as never)) as { context: string };
  return departureOf(acs.binding, acs.url, result.context, input.relayState);
}

/**
 * Where a message samlify made goes: by Redirect, samlify's context is the whole URL; by POST,
 * it is the message for a self-posting form.
 */
function departureOf(
  binding: 'post' | 'redirect',
  url: string,
  context: string,
  relayState: string | null | undefined,
  field: 'SAMLResponse' | 'SAMLRequest' = 'SAMLResponse',
): Departure {
  if (binding === 'redirect') return { kind: 'redirect', location: context };
  return {
    kind: 'form',
    action: url,
    fields: { [field]: context, ...(relayState ? { RelayState: relayState } : {}) },
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
  return departureOf(binding, app.sloUrl, made.context, input.relayState);
}

/**
 * A signed LogoutRequest telling an application its session ended, by its SLO URL's binding, with
 * the RelayState that brings its LogoutResponse back to the chain; null without an SLO URL.
 */
export function logoutRequest(input: {
  idp: IdpIdentity;
  signing: { certificate: string; privateKey: string };
  app: ApplicationSettings;
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string;
  relayState: string;
}): { id: string; departure: Departure } | null {
  const { app } = input;
  if (!app.sloUrl) return null;
  const idp = idpEntity(input.idp, {
    signingCerts: [input.signing.certificate],
    privateKey: input.signing.privateKey,
  });
  const binding = app.sloBinding ?? 'redirect';
  const made = idp.createLogoutRequest(
    spEntity(app),
    binding,
    {
      logoutNameID: input.nameId,
      sessionIndex: input.sessionIndex,
    } as never,
    { relayState: input.relayState } as never,
  ) as { id: string; context: string };
  return {
    id: made.id,
    departure: departureOf(binding, app.sloUrl, made.context, input.relayState, 'SAMLRequest'),
  };
}
