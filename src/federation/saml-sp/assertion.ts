import { federationErrors } from '../errors.ts';
import { childrenOf, descendantsOf, ns, parseXml, textOf } from './xml.ts';

const malformed = (problem: string) => federationErrors.responseInvalid({ problem });

const bearer = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

/** What a signed assertion says, read from the XML its signature covers and nothing else. */
export interface AssertionContent {
  id: string;
  issuer: string | null;
  nameId: string;
  nameIdFormat: string | null;
  /** The bearer subject confirmations' data (Recipient, InResponseTo, validity). */
  confirmations: {
    recipient: string | null;
    inResponseTo: string | null;
    notBefore: Date | null;
    notOnOrAfter: Date | null;
  }[];
  notBefore: Date | null;
  notOnOrAfter: Date | null;
  audiences: string[][];
  authnContextClassRefs: string[];
  /** When the IdP authenticated the user (each AuthnStatement's AuthnInstant). */
  authnInstants: Date[];
  attributes: Record<string, string[]>;
}

function dateOf(el: Element, name: string): Date | null {
  const value = el.getAttribute(name);
  if (!value) return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw malformed(`${name} is not a date`);
  return date;
}

/** The text of each child `local` of `parent` in the assertion namespace (unreadable ones left out). */
const textsOf = (parent: Element, local: string) =>
  childrenOf(parent, ns.assertion, local)
    .map(textOf)
    .filter((t): t is string => t !== null && t !== '');

/** Reads the assertion the signature check returned (canonical XML of one Assertion). */
export function readAssertion(signedXml: string): AssertionContent {
  const doc = parseXml(signedXml);
  if (typeof doc === 'string') throw malformed(`the signed assertion ${doc}`);
  const root = doc.documentElement;
  if (root.namespaceURI !== ns.assertion || root.localName !== 'Assertion')
    throw federationErrors.signatureInvalid();
  const id = root.getAttribute('ID');
  if (!id) throw malformed('the assertion has no ID');
  const issuerEl = childrenOf(root, ns.assertion, 'Issuer')[0];
  const subject = childrenOf(root, ns.assertion, 'Subject')[0];
  const nameIdEl = subject && childrenOf(subject, ns.assertion, 'NameID')[0];
  const nameId = nameIdEl ? textOf(nameIdEl) : null;
  if (!nameId) throw malformed('no readable NameID in the subject');
  const confirmations = (subject ? childrenOf(subject, ns.assertion, 'SubjectConfirmation') : [])
    .filter((c) => c.getAttribute('Method') === bearer)
    .map((c) => {
      const data = childrenOf(c, ns.assertion, 'SubjectConfirmationData')[0];
      return {
        recipient: data?.getAttribute('Recipient') || null,
        inResponseTo: data?.getAttribute('InResponseTo') || null,
        notBefore: data ? dateOf(data, 'NotBefore') : null,
        notOnOrAfter: data ? dateOf(data, 'NotOnOrAfter') : null,
      };
    });
  const conditions = childrenOf(root, ns.assertion, 'Conditions');
  if (conditions.length > 1) throw malformed('several Conditions');
  const condition = conditions[0];
  const attributes: Record<string, string[]> = {};
  for (const statement of childrenOf(root, ns.assertion, 'AttributeStatement')) {
    for (const attribute of childrenOf(statement, ns.assertion, 'Attribute')) {
      const name = attribute.getAttribute('Name');
      if (!name) continue;
      attributes[name] = [...(attributes[name] ?? []), ...textsOf(attribute, 'AttributeValue')];
    }
  }
  return {
    id,
    issuer: issuerEl ? textOf(issuerEl) : null,
    nameId,
    nameIdFormat: nameIdEl?.getAttribute('Format') || null,
    confirmations,
    notBefore: condition ? dateOf(condition, 'NotBefore') : null,
    notOnOrAfter: condition ? dateOf(condition, 'NotOnOrAfter') : null,
    audiences: (condition ? childrenOf(condition, ns.assertion, 'AudienceRestriction') : []).map(
      (r) => textsOf(r, 'Audience'),
    ),
    authnInstants: childrenOf(root, ns.assertion, 'AuthnStatement').flatMap((s) => {
      const instant = dateOf(s, 'AuthnInstant');
      return instant ? [instant] : [];
    }),
    authnContextClassRefs: childrenOf(root, ns.assertion, 'AuthnStatement').flatMap((s) =>
      descendantsOf(s, ns.assertion, 'AuthnContextClassRef')
        .map(textOf)
        .filter((t): t is string => Boolean(t)),
    ),
    attributes,
  };
}
