import { decryptXml } from '@node-saml/node-saml/lib/xml.js';
import { SignedXml } from 'xml-crypto';
import { federationErrors } from '../errors.ts';
import { childrenOf, descendantsOf, hasComment, ns, parseXml, textOf } from './xml.ts';

const malformed = (problem: string) => federationErrors.responseInvalid({ problem });

/** A SAML Response whose shape passed the checks that come before any signature. */
export interface InspectedResponse {
  response: Element;
  destination: string | null;
  issuer: string | null;
  /** The one assertion, in the clear or encrypted. */
  assertion: Element | null;
  encryptedAssertion: Element | null;
}

const success = 'urn:oasis:names:tc:SAML:2.0:status:Success';

/**
 * The checks of a Response's structure (DESIGN §5 note on signature wrapping): one Response with
 * exactly one assertion anywhere in it (a second one, beside or inside the signed one, is how
 * signature-wrapping attacks smuggle theirs), no comment anywhere (comment injection splits a
 * signed value so that a reader sees only its first part), a Success status.
 */
export function inspectResponse(xml: string): InspectedResponse {
  const doc = parseXml(xml);
  if (typeof doc === 'string') throw malformed(`the response ${doc}`);
  const response = doc.documentElement;
  if (response.namespaceURI !== ns.protocol || response.localName !== 'Response')
    throw malformed('not a SAML 2.0 Response');
  if (hasComment(doc)) throw malformed('comments inside the response');
  const status = childrenOf(response, ns.protocol, 'Status')[0];
  const code = status && childrenOf(status, ns.protocol, 'StatusCode')[0]?.getAttribute('Value');
  if (code !== success) {
    const nested = status && childrenOf(status, ns.protocol, 'StatusCode')[0];
    const detail =
      nested && childrenOf(nested, ns.protocol, 'StatusCode')[0]?.getAttribute('Value');
    const last = (value: string | null | undefined) => value?.split(':').at(-1) ?? 'no status';
    throw federationErrors.upstreamError({
      problem: detail ? `${last(code)} (${last(detail)})` : last(code),
    });
  }
  const assertions = descendantsOf(doc, ns.assertion, 'Assertion');
  const encrypted = descendantsOf(doc, ns.assertion, 'EncryptedAssertion');
  if (assertions.length + encrypted.length > 1) throw malformed('several assertions');
  const assertion = assertions[0] ?? null;
  const encryptedAssertion = encrypted[0] ?? null;
  if (!assertion && !encryptedAssertion) throw malformed('no assertion');
  if ((assertion ?? encryptedAssertion)?.parentNode !== response)
    throw malformed('the assertion is not where SAML puts it');
  const issuerEl = childrenOf(response, ns.assertion, 'Issuer')[0];
  return {
    response,
    destination: response.getAttribute('Destination') || null,
    issuer: issuerEl ? textOf(issuerEl) : null,
    assertion,
    encryptedAssertion,
  };
}

/**
 * Decrypts an EncryptedAssertion with the first of `keys` that opens it (during a rotation the
 * IdP may still encrypt to the retiring key). Returns the assertion's XML and the key used.
 */
export async function decryptAssertion(
  encrypted: Element,
  keys: { privateKey: string }[],
): Promise<{ xml: string; privateKey: string }> {
  const text = encrypted.toString();
  for (const key of keys) {
    const xml = await decryptXml(text, key.privateKey).catch(() => null);
    if (xml === null) continue;
    const doc = parseXml(xml);
    if (typeof doc === 'string') throw malformed(`the decrypted assertion ${doc}`);
    const root = doc.documentElement;
    if (root.namespaceURI !== ns.assertion || root.localName !== 'Assertion')
      throw malformed('the encrypted content is not an assertion');
    if (descendantsOf(root, ns.assertion, 'Assertion').length > 0)
      throw malformed('several assertions');
    if (hasComment(doc)) throw malformed('comments inside the assertion');
    return { xml, privateKey: key.privateKey };
  }
  throw malformed('encrypted to a key this organization does not hold');
}

const allowedTransforms = new Set([
  'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  'http://www.w3.org/2001/10/xml-exc-c14n#',
]);

/**
 * Checks the assertion's own XML signature again with xml-crypto, independently of node-saml:
 * exactly one signature, a child of the assertion, with exactly one reference, to this
 * assertion's ID, by exclusive canonicalization without comments, RSA with SHA-256 or better,
 * verified by one of the IdP's certificates (never a key the document brings along). Returns the
 * XML the signature covers: the only XML the caller may read the identity from.
 */
export function signedAssertionXml(
  documentXml: string,
  assertion: Element,
  certificates: string[],
) {
  const signatures = childrenOf(assertion, ns.dsig, 'Signature');
  if (signatures.length !== 1) throw federationErrors.signatureInvalid();
  const id = assertion.getAttribute('ID');
  if (!id) throw malformed('the assertion has no ID');
  const xml = documentXml.replace(/\r\n?/g, '\n');
  for (const publicCert of certificates) {
    const sig = new SignedXml({ publicCert, getCertFromKeyInfo: () => null });
    sig.loadSignature(signatures[0] as Element);
    const refs = sig.getReferences();
    if (refs.length !== 1 || refs[0]?.uri !== `#${id}`) throw federationErrors.signatureInvalid();
    const transforms = refs[0].transforms ?? [];
    if (transforms.some((t) => !allowedTransforms.has(t)))
      throw malformed('the signature uses a transform Vigil does not accept');
    if (/sha1$/i.test(sig.signatureAlgorithm ?? '') || /sha1$/i.test(refs[0].digestAlgorithm ?? ''))
      throw malformed('signed with SHA-1, which Vigil does not accept');
    let valid = false;
    try {
      valid = sig.checkSignature(xml);
    } catch {
      valid = false;
    }
    if (!valid) continue;
    const signed = sig.getSignedReferences();
    if (signed.length !== 1) throw federationErrors.signatureInvalid();
    return signed[0] as string;
  }
  throw federationErrors.signatureInvalid();
}
