import { federationErrors } from '../errors.ts';
import {
  base64OfPem,
  childrenOf,
  descendantsOf,
  escapeXml,
  ns,
  parseXml,
  pemOfBase64,
  textOf,
} from './xml.ts';

const redirectBinding = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const postBinding = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

/** What a SAML connection takes from its IdP's metadata. */
export interface IdpMetadata {
  entityId: string;
  /** The HTTP-Redirect single sign-on endpoint (the binding Vigil sends its requests by). */
  ssoUrl: string;
  sloUrl: string | null;
  /** The signing certificates, PEM, in document order. */
  certificates: string[];
}

const invalid = (problem: string) => federationErrors.metadataInvalid({ problem });

/** The `Location` of the first endpoint of `binding` among `endpoints`. */
function locationOf(endpoints: Element[], binding: string): string | null {
  const found = endpoints.find((e) => e.getAttribute('Binding') === binding);
  return found?.getAttribute('Location')?.trim() || null;
}

/**
 * Reads an IdP's SAML 2.0 metadata: one EntityDescriptor (alone, or the only IdP of an
 * EntitiesDescriptor) with an IDPSSODescriptor for SAML 2.0. Its signing certificates are the
 * KeyDescriptors marked `signing` or unmarked (an unmarked key is for both uses).
 */
export function parseIdpMetadata(xml: string): IdpMetadata {
  const doc = parseXml(xml);
  if (typeof doc === 'string') throw invalid(`the document ${doc}`);
  const root = doc.documentElement;
  if (root.namespaceURI !== ns.metadata)
    throw invalid('the document is not SAML 2.0 metadata (md:EntityDescriptor)');
  const entities =
    root.localName === 'EntityDescriptor'
      ? [root]
      : descendantsOf(root, ns.metadata, 'EntityDescriptor');
  const idps = entities.flatMap((entity) =>
    childrenOf(entity, ns.metadata, 'IDPSSODescriptor')
      .filter((d) => (d.getAttribute('protocolSupportEnumeration') ?? '').includes(ns.protocol))
      .map((descriptor) => ({ entity, descriptor })),
  );
  if (idps.length === 0) throw invalid('it describes no SAML 2.0 identity provider');
  if (idps.length > 1) throw invalid('it describes several identity providers; upload one');
  const [{ entity, descriptor }] = idps as [(typeof idps)[number]];
  const entityId = entity.getAttribute('entityID')?.trim();
  if (!entityId) throw invalid('the EntityDescriptor has no entityID');
  const sso = childrenOf(descriptor, ns.metadata, 'SingleSignOnService');
  const ssoUrl = locationOf(sso, redirectBinding);
  if (!ssoUrl)
    throw invalid(
      locationOf(sso, postBinding)
        ? 'the IdP offers single sign-on only by HTTP-POST; Vigil sends requests by HTTP-Redirect'
        : 'it names no SingleSignOnService',
    );
  const slo = childrenOf(descriptor, ns.metadata, 'SingleLogoutService');
  const certificates = childrenOf(descriptor, ns.metadata, 'KeyDescriptor')
    .filter((k) => (k.getAttribute('use') ?? 'signing') === 'signing')
    .flatMap((k) => descendantsOf(k, ns.dsig, 'X509Certificate'))
    .map((c) => textOf(c))
    .filter((c): c is string => Boolean(c))
    .map(pemOfBase64);
  if (certificates.length === 0) throw invalid('it names no signing certificate');
  return {
    entityId,
    ssoUrl,
    sloUrl: locationOf(slo, redirectBinding) ?? locationOf(slo, postBinding),
    certificates: [...new Set(certificates)],
  };
}

/** Vigil's metadata as the SP of one connection. */
export interface SpMetadataInput {
  entityId: string;
  acsUrl: string;
  /** Certificates Vigil signs its requests with (now, and next in a rotation). */
  signingCertificates: string[];
  /** Certificates an IdP may encrypt assertions to (every one Vigil still decrypts with). */
  encryptionCertificates: string[];
}

const keyDescriptor = (use: 'signing' | 'encryption', pem: string) =>
  `<md:KeyDescriptor use="${use}"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${base64OfPem(pem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;

/**
 * The SP metadata an IdP administrator imports: entity ID, the ACS (HTTP-POST), assertions
 * wanted signed, and the keys. Requests are signed only when there is a key to sign with.
 */
export function spMetadataXml(input: SpMetadataInput): string {
  const signed = input.signingCertificates.length > 0;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<md:EntityDescriptor xmlns:md="${ns.metadata}" xmlns:ds="${ns.dsig}" entityID="${escapeXml(input.entityId)}">`,
    `<md:SPSSODescriptor AuthnRequestsSigned="${signed}" WantAssertionsSigned="true" protocolSupportEnumeration="${ns.protocol}">`,
    ...input.signingCertificates.map((pem) => keyDescriptor('signing', pem)),
    ...input.encryptionCertificates.map((pem) => keyDescriptor('encryption', pem)),
    '<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>',
    '<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>',
    `<md:AssertionConsumerService Binding="${postBinding}" Location="${escapeXml(input.acsUrl)}" index="0" isDefault="true"/>`,
    '</md:SPSSODescriptor>',
    '</md:EntityDescriptor>',
    '',
  ].join('\n');
}
