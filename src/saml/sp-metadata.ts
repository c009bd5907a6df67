import { DOMParser } from '@xmldom/xmldom';
import type { SamlBinding } from '../platform/index.ts';

const metadataNs = 'urn:oasis:names:tc:SAML:2.0:metadata';
const dsigNs = 'http://www.w3.org/2000/09/xmldsig#';
const bindings: Record<string, SamlBinding> = {
  'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST': 'post',
  'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect': 'redirect',
};

/** What an SP's metadata says about it: the settings an application takes from it. */
export interface SpMetadata {
  entityId: string;
  acsUrls: { url: string; binding: 'post'; index: number; isDefault?: boolean }[];
  sloUrl: string | null;
  sloBinding: SamlBinding | null;
  spCertificate: string | null;
  wantRequestsSigned: boolean;
  signAssertion: boolean | undefined;
}

const pemOf = (base64: string) =>
  `-----BEGIN CERTIFICATE-----\n${base64
    .replace(/\s+/g, '')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd()}\n-----END CERTIFICATE-----\n`;

/**
 * Reads an SP's SAML metadata (one EntityDescriptor with an SPSSODescriptor). A document type
 * declaration is refused outright: metadata never needs one, and entities are how XML parsers
 * are attacked (XXE, billion laughs). Returns the problem as a string when it cannot be used.
 */
export function readSpMetadata(xml: string): SpMetadata | string {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) return 'a document type declaration is not allowed';
  const problems: string[] = [];
  const doc = new DOMParser({
    errorHandler: {
      error: (message: string) => problems.push(message),
      fatalError: (message: string) => problems.push(message),
    },
  }).parseFromString(xml, 'text/xml');
  const root = doc?.documentElement;
  if (problems.length > 0 || !root) return 'not well-formed XML';
  const entity =
    root.localName === 'EntityDescriptor'
      ? root
      : (root.getElementsByTagNameNS(metadataNs, 'EntityDescriptor')[0] ?? null);
  if (!entity || entity.namespaceURI !== metadataNs) return 'no md:EntityDescriptor';
  const entityId = entity.getAttribute('entityID')?.trim();
  if (!entityId) return 'the EntityDescriptor has no entityID';
  const sp = entity.getElementsByTagNameNS(metadataNs, 'SPSSODescriptor')[0];
  if (!sp) return 'no md:SPSSODescriptor';
  const children = (name: string) => Array.from(sp.getElementsByTagNameNS(metadataNs, name));
  // Only HTTP-POST endpoints: a response never goes by Redirect (applications-model.ts).
  const acsUrls = children('AssertionConsumerService').flatMap((el, i) => {
    const binding = bindings[el.getAttribute('Binding') ?? ''];
    const url = el.getAttribute('Location')?.trim();
    if (binding !== 'post' || !url) return [];
    // xmldom answers '' for a missing attribute: no index means its place in the list.
    const index = el.hasAttribute('index') ? Number(el.getAttribute('index')) : i;
    return [
      {
        url,
        binding,
        index: Number.isInteger(index) ? index : i,
        ...(el.getAttribute('isDefault') === 'true' ? { isDefault: true } : {}),
      },
    ];
  });
  if (acsUrls.length === 0) return 'no AssertionConsumerService with the HTTP-POST binding';
  const slo = children('SingleLogoutService').find(
    (el) => bindings[el.getAttribute('Binding') ?? ''],
  );
  const keys = children('KeyDescriptor');
  const signing =
    keys.find((k) => k.getAttribute('use') === 'signing') ??
    keys.find((k) => !k.getAttribute('use')) ??
    keys[0];
  const certText = signing?.getElementsByTagNameNS(dsigNs, 'X509Certificate')[0]?.textContent;
  const wantAssertions = sp.hasAttribute('WantAssertionsSigned')
    ? sp.getAttribute('WantAssertionsSigned')
    : null;
  return {
    entityId,
    acsUrls,
    sloUrl: slo?.getAttribute('Location')?.trim() || null,
    sloBinding: slo ? (bindings[slo.getAttribute('Binding') ?? ''] ?? null) : null,
    spCertificate: certText?.trim() ? pemOf(certText) : null,
    wantRequestsSigned: sp.getAttribute('AuthnRequestsSigned') === 'true',
    signAssertion: wantAssertions === null ? undefined : wantAssertions === 'true',
  };
}
