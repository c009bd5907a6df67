import type { AcsUrl, ApplicationSettings } from './applications-model.ts';
import { assertionNs, type IdpIdentity, nameIdFormatUrn, protocolNs } from './messages.ts';

const xmlEscape = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );

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

/** The Response element's opening, its Issuer and its Status (the assertion, if any, follows). */
function responseOpening(
  id: string,
  idp: IdpIdentity,
  acs: AcsUrl,
  inResponseTo: string | null,
  status: string,
  instant: string,
): string {
  const e = xmlEscape;
  const answering = inResponseTo ? ` InResponseTo="${e(inResponseTo)}"` : '';
  return (
    `<samlp:Response xmlns:samlp="${protocolNs}" xmlns:saml="${assertionNs}" ID="${id}" Version="2.0" IssueInstant="${instant}" Destination="${e(acs.url)}"${answering}>` +
    `<saml:Issuer>${e(idp.entityId)}</saml:Issuer><samlp:Status>${status}</samlp:Status>`
  );
}

const statusUrn = 'urn:oasis:names:tc:SAML:2.0:status:';

/**
 * A Response without an assertion, telling the application why none came: a top-level status
 * (`Responder`: the IdP cannot answer) and its second-level reason (`NoPassive`: the user would
 * have to sign in, which the request forbade). SAML core §3.2.2.2.
 */
export function statusResponseXml(
  id: string,
  idp: IdpIdentity,
  acs: AcsUrl,
  inResponseTo: string | null,
  status: { top: 'Responder' | 'Requester'; second: 'NoPassive' },
  now: Date,
): string {
  const code = `<samlp:StatusCode Value="${statusUrn}${status.top}"><samlp:StatusCode Value="${statusUrn}${status.second}"/></samlp:StatusCode>`;
  return `${responseOpening(id, idp, acs, inResponseTo, code, now.toISOString())}</samlp:Response>`;
}

export function responseXml(
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
    responseOpening(
      ids.response,
      idp,
      acs,
      a.inResponseTo,
      `<samlp:StatusCode Value="${statusUrn}Success"/>`,
      instant,
    ) +
    `<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="${ids.assertion}" Version="2.0" IssueInstant="${instant}">` +
    `<saml:Issuer>${e(idp.entityId)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="${nameIdFormatUrn[a.nameIdFormat]}">${e(a.nameId)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${until}" Recipient="${e(acs.url)}"${inResponseTo}/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${instant}" NotOnOrAfter="${until}"><saml:AudienceRestriction><saml:Audience>${e(app.entityId)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${a.authnInstant.toISOString()}" SessionIndex="${e(a.sessionIndex)}"><saml:AuthnContext><saml:AuthnContextClassRef>${e(a.authnContextClassRef)}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    `${attributes}</saml:Assertion></samlp:Response>`
  );
}
