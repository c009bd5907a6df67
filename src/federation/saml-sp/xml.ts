import { DOMParser } from '@xmldom/xmldom';

/** The XML namespaces of SAML 2.0 and XML Signature / Encryption. */
export const ns = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

const elementNode = 1;
const textNode = 3;
const cdataNode = 4;
const commentNode = 8;

/**
 * Parses XML from outside, or says why not. A DOCTYPE is refused outright: SAML never needs one,
 * and it is how entity-expansion and external-entity attacks start. Every parser complaint,
 * warnings included, refuses the document: a lenient parse of a damaged document is where
 * signature checks and readers disagree.
 */
export function parseXml(text: string): Document | string {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return 'has a DOCTYPE';
  const problems: string[] = [];
  const complain = (message: unknown) => {
    problems.push(String(message).split('\n')[0] ?? 'unreadable');
  };
  const doc = new DOMParser({
    errorHandler: { warning: complain, error: complain, fatalError: complain },
  }).parseFromString(text, 'text/xml');
  if (problems.length > 0) return `is not well-formed XML (${problems[0]})`;
  if (!doc?.documentElement) return 'is empty';
  return doc;
}

/** The element children of `parent` named `local` in namespace `namespace`. */
export function childrenOf(parent: Node, namespace: string, local: string): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType !== elementNode) continue;
    const el = node as Element;
    if (el.namespaceURI === namespace && el.localName === local) found.push(el);
  }
  return found;
}

/** Every element below `root` (at any depth, `root` excluded) with this name. */
export function descendantsOf(root: Element | Document, namespace: string, local: string) {
  return Array.from(root.getElementsByTagNameNS(namespace, local)).filter((el) => el !== root);
}

/**
 * The text of an element that holds only text. Anything else inside (an element, a comment, a
 * processing instruction) makes it unreadable (null): a value split by a comment is what
 * comment-injection attacks hand to a reader that keeps only the first part.
 */
export function textOf(el: Element): string | null {
  let text = '';
  for (let node = el.firstChild; node; node = node.nextSibling) {
    if (node.nodeType !== textNode && node.nodeType !== cdataNode) return null;
    text += node.nodeValue ?? '';
  }
  return text.trim();
}

/** Whether any comment lies inside `node`. */
export function hasComment(node: Node): boolean {
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === commentNode || hasComment(child)) return true;
  }
  return false;
}

/** Base64 of a certificate's DER as metadata and KeyInfo carry it, as PEM. */
export function pemOfBase64(base64: string): string {
  const body = base64.replace(/\s+/g, '');
  return `-----BEGIN CERTIFICATE-----\n${body.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

/** A PEM certificate's base64 body (for metadata). */
export function base64OfPem(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

/** Escapes text for an XML attribute or element. */
export function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;',
  );
}
