import { inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import type { SamlBinding } from '../platform/index.ts';

/** SAML messages as they arrive, and what Vigil reads of them before verifying them. */
export const protocolNs = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const assertionNs = 'urn:oasis:names:tc:SAML:2.0:assertion';

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

/** 128 random bits as an NCName (SAML IDs must not start with a digit). */
export const samlId = (random: string) => `_${random}`;

/** What Vigil reads of an AuthnRequest before it knows whose it is. */
export interface AuthnRequestHeader {
  id: string;
  issuer: string;
  destination: string | null;
  acsUrl: string | null;
  acsIndex: number | null;
  protocolBinding: string | null;
  /** The user must sign in afresh, whatever session the browser has. */
  forceAuthn: boolean;
  /** The user must not be asked to sign in: answer from the session, or NoPassive. */
  isPassive: boolean;
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

/** An xs:boolean attribute: "true" and "1" are true. */
const isTrue = (value: string | null) => value === 'true' || value === '1';

/** The header of an AuthnRequest (unverified: only to find the application it names). */
export function readAuthnRequest(xml: string): AuthnRequestHeader | null {
  const root = rootOf(xml, 'AuthnRequest');
  if (!root) return null;
  const id = root.getAttribute('ID');
  const issuer = issuerOf(root);
  if (!id || !issuer) return null;
  // xmldom answers '' for an attribute that is not there: absent and empty are both null.
  const attr = (name: string) => root.getAttribute(name) || null;
  const index = attr('AssertionConsumerServiceIndex');
  return {
    id,
    issuer,
    destination: attr('Destination'),
    acsUrl: attr('AssertionConsumerServiceURL'),
    acsIndex: index !== null && /^\d{1,5}$/.test(index) ? Number(index) : null,
    protocolBinding: attr('ProtocolBinding'),
    forceAuthn: isTrue(attr('ForceAuthn')),
    isPassive: isTrue(attr('IsPassive')),
  };
}

/**
 * The issuer, ID, NameID and session index of a LogoutRequest, or the issuer, ID and
 * InResponseTo of a LogoutResponse.
 */
export function readLogoutMessage(
  xml: string,
  kind: 'LogoutRequest' | 'LogoutResponse',
): {
  id: string;
  issuer: string;
  inResponseTo: string | null;
  nameId: string | null;
  sessionIndexes: string[];
} | null {
  const root = rootOf(xml, kind);
  if (!root) return null;
  const id = root.getAttribute('ID');
  const issuer = issuerOf(root);
  if (!id || !issuer) return null;
  const nameId = root.getElementsByTagNameNS(assertionNs, 'NameID')[0]?.textContent?.trim() ?? null;
  const sessionIndexes = Array.from(root.getElementsByTagNameNS(protocolNs, 'SessionIndex')).map(
    (n) => n.textContent?.trim() ?? '',
  );
  return {
    id,
    issuer,
    inResponseTo: root.getAttribute('InResponseTo') || null,
    nameId,
    sessionIndexes,
  };
}
