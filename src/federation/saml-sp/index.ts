import {
  type CacheProvider,
  SAML,
  SamlStatusError,
  type ValidateInResponseTo,
} from '@node-saml/node-saml';
import { randomToken } from '../../crypto/index.ts';
import type { AppError, Clock } from '../../platform/index.ts';
import { isAppError } from '../../platform/index.ts';
import { serviceProviderUrls } from '../connections-model.ts';
import { federationErrors } from '../errors.ts';
import type {
  Connection,
  FederationProtocol,
  PendingUpstream,
  UpstreamAnswer,
  UpstreamIdentity,
} from '../protocol.ts';
import { type AssertionContent, readAssertion } from './assertion.ts';
import { decryptAssertion, inspectResponse, signedAssertionXml } from './verify.ts';
import { parseXml } from './xml.ts';

export { parseIdpMetadata, spMetadataXml } from './metadata.ts';

/** An organization's SAML keys as the SP side uses them (the saml module holds them). */
export interface SamlSpKeys {
  /** The key Vigil signs its AuthnRequests with, or null when the organization has none. */
  signingKey(orgId: string): Promise<{ certificate: string; privateKey: string } | null>;
  /** Every key an IdP may have encrypted an assertion to, the active one first. */
  decryptionKeys(orgId: string): Promise<{ certificate: string; privateKey: string }[]>;
}

export interface SamlSpDeps {
  publicUrl: string;
  clock: Clock;
  keys: SamlSpKeys;
}

/** How far apart Vigil's and the IdP's clocks may be. */
export const clockSkewMs = 3 * 60_000;
/** An assertion older than this (from its IssueInstant) is refused, whatever its NotOnOrAfter. */
const maxAssertionAgeMs = 15 * 60_000;
const emailFormat = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const looksLikeEmail = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const malformed = (problem: string) => federationErrors.responseInvalid({ problem });

/** node-saml's refusal, as the reason `sso.login.failed` records. */
function classify(err: unknown): AppError {
  if (isAppError(err)) return err;
  if (err instanceof SamlStatusError) return federationErrors.upstreamError({ problem: 'status' });
  const message = err instanceof Error ? err.message : String(err);
  if (
    /multiple assertions|Too many signatures|more than one element|refer to more than one/i.test(
      message,
    )
  )
    return malformed('several assertions or signatures');
  if (/InResponseTo/i.test(message)) return federationErrors.requestUnknown();
  if (/audience/i.test(message)) return federationErrors.audienceMismatch();
  if (/expired|not yet valid|too old|subject confirmation/i.test(message))
    return federationErrors.expired();
  if (/signature/i.test(message)) return federationErrors.signatureInvalid();
  if (/decrypt|EncryptedAssertion/i.test(message))
    return malformed('the assertion cannot be decrypted');
  return malformed('refused by the SAML checks');
}

/**
 * The SAML 2.0 SP side of upstream federation (docs/sso.md#connecting-your-identity-provider-saml): Vigil sends a signed
 * AuthnRequest by HTTP-Redirect and takes the IdP's Response at the ACS by HTTP-POST. The answer
 * passes node-saml's checks (signature, audience, validity, InResponseTo), and then Vigil's own:
 * the structure (one assertion, no comments), the signature again with xml-crypto, and issuer,
 * recipient, destination, audience and validity read from the signed XML alone.
 */
export function createSamlProtocol(deps: SamlSpDeps): FederationProtocol {
  function samlFor(
    connection: Connection,
    options: {
      id?: string;
      privateKey?: string;
      decryptionPvk?: string;
      correlation?: string;
      forceAuthn?: boolean;
    },
  ): SAML {
    const saml = connection.saml;
    if (!saml) throw federationErrors.connectionNotFound();
    const sp = serviceProviderUrls(deps.publicUrl, connection.id);
    // The pending request is already checked and consumed by the federation service; node-saml
    // only has to find this one ID (its own in-memory cache would not survive a second node).
    const cacheProvider: CacheProvider = {
      saveAsync: async () => null,
      getAsync: async (key) =>
        key === options.correlation ? deps.clock.now().toISOString() : null,
      removeAsync: async () => null,
    };
    return new SAML({
      entryPoint: saml.idpSsoUrl,
      issuer: sp.entityId,
      callbackUrl: sp.acsUrl,
      audience: sp.entityId,
      idpCert: saml.certificates.length > 0 ? saml.certificates : ['-'],
      idpIssuer: saml.idpEntityId,
      wantAssertionsSigned: true,
      // Many IdPs sign only the assertion; the assertion's signature is what is required.
      wantAuthnResponseSigned: false,
      acceptedClockSkewMs: clockSkewMs,
      maxAssertionAgeMs,
      validateInResponseTo: 'always' as ValidateInResponseTo,
      requestIdExpirationPeriodMs: 10 * 60_000 + clockSkewMs,
      cacheProvider,
      // The IdP picks the NameID format and the authentication context it is configured for.
      identifierFormat: null,
      disableRequestedAuthnContext: true,
      signatureAlgorithm: 'sha256',
      forceAuthn: options.forceAuthn ?? false,
      ...(options.privateKey ? { privateKey: options.privateKey } : {}),
      ...(options.decryptionPvk ? { decryptionPvk: options.decryptionPvk } : {}),
      ...(options.id ? { generateUniqueId: () => options.id as string } : {}),
    });
  }

  /** The checks node-saml leaves to its caller, on what the signature covers. */
  function checkContent(connection: Connection, content: AssertionContent, correlation: string) {
    const sp = serviceProviderUrls(deps.publicUrl, connection.id);
    const now = deps.clock.now().getTime();
    const early = (d: Date | null) => d !== null && d.getTime() > now + clockSkewMs;
    const late = (d: Date | null) => d !== null && d.getTime() <= now - clockSkewMs;
    if (content.issuer !== connection.saml?.idpEntityId)
      throw malformed('issued by another identity provider');
    if (content.audiences.length === 0 || content.audiences.some((a) => !a.includes(sp.entityId)))
      throw federationErrors.audienceMismatch();
    if (early(content.notBefore) || late(content.notOnOrAfter)) throw federationErrors.expired();
    const addressed = content.confirmations.filter((c) => c.recipient === sp.acsUrl);
    if (addressed.length === 0) throw federationErrors.destinationMismatch();
    const answering = addressed.filter((c) => c.inResponseTo === correlation);
    if (answering.length === 0) throw federationErrors.requestUnknown();
    const inTime = answering.some(
      (c) => c.notOnOrAfter !== null && !late(c.notOnOrAfter) && !early(c.notBefore),
    );
    if (!inTime) throw federationErrors.expired();
  }

  function identityOf(connection: Connection, content: AssertionContent): UpstreamIdentity {
    const mapping = connection.attributeMapping;
    const first = (name: string | undefined) =>
      name ? (content.attributes[name]?.[0] ?? null) : null;
    const nameIdIsEmail =
      content.nameIdFormat === emailFormat || looksLikeEmail.test(content.nameId);
    const mfaValues = mapping.mfaValues ?? [];
    return {
      subject: content.nameId,
      email: mapping.email ? first(mapping.email) : nameIdIsEmail ? content.nameId : null,
      displayName: first(mapping.displayName),
      mfa: content.authnContextClassRefs.some((ref) => mfaValues.includes(ref)),
      reference: content.id,
      attributes: content.attributes,
    };
  }

  return {
    protocol: 'saml',

    async start(connection, options) {
      // An xsd:ID: a letter or underscore first (base64url gives letters, digits, - and _).
      const id = `_${randomToken(24)}`;
      const key = await deps.keys.signingKey(connection.orgId);
      const location = await samlFor(connection, {
        id,
        privateKey: key?.privateKey,
        forceAuthn: options?.fresh ?? false,
      }).getAuthorizeUrlAsync('', undefined, {});
      return {
        departure: { kind: 'redirect', location },
        pending: { correlation: id, secret: null },
      };
    },

    correlationOf(answer: UpstreamAnswer): string | null {
      const encoded = answer.body.SAMLResponse;
      if (!encoded || !/^[A-Za-z0-9+/=\s]+$/.test(encoded)) return null;
      const doc = parseXml(Buffer.from(encoded, 'base64').toString('utf8'));
      if (typeof doc === 'string') return null;
      return doc.documentElement.getAttribute('InResponseTo') || null;
    },

    async complete(connection, answer, pending: PendingUpstream) {
      const saml = connection.saml;
      if (!saml) throw federationErrors.connectionNotFound();
      const encoded = answer.body.SAMLResponse;
      if (!encoded || !/^[A-Za-z0-9+/=\s]+$/.test(encoded))
        throw malformed('no SAMLResponse in the form');
      const xml = Buffer.from(encoded, 'base64').toString('utf8');
      const sp = serviceProviderUrls(deps.publicUrl, connection.id);
      const inspected = inspectResponse(xml);
      if (inspected.destination !== null && inspected.destination !== sp.acsUrl)
        throw federationErrors.destinationMismatch();
      if (inspected.issuer !== null && inspected.issuer !== saml.idpEntityId)
        throw malformed('issued by another identity provider');
      let documentXml = xml;
      let assertion = inspected.assertion;
      let decryptionPvk: string | undefined;
      if (inspected.encryptedAssertion) {
        const keys = await deps.keys.decryptionKeys(connection.orgId);
        const decrypted = await decryptAssertion(inspected.encryptedAssertion, keys);
        const doc = parseXml(decrypted.xml);
        if (typeof doc === 'string') throw malformed(`the decrypted assertion ${doc}`);
        documentXml = decrypted.xml;
        assertion = doc.documentElement;
        decryptionPvk = decrypted.privateKey;
      }
      if (!assertion) throw malformed('no assertion');
      if (saml.certificates.length === 0) throw federationErrors.signatureInvalid();
      const checker = samlFor(connection, { decryptionPvk, correlation: pending.correlation });
      const { profile } = await checker
        .validatePostResponseAsync({ SAMLResponse: encoded })
        .catch((err: unknown) => {
          throw classify(err);
        });
      if (!profile) throw malformed('no assertion');
      const content = readAssertion(signedAssertionXml(documentXml, assertion, saml.certificates));
      // Both checkers must have read the same subject from the same signed assertion.
      if (profile.nameID !== content.nameId) throw malformed('the signed subject differs');
      checkContent(connection, content, pending.correlation);
      // Asked for ForceAuthn: an authentication before the request is the IdP's old session.
      const since = pending.freshSince;
      if (
        since &&
        !content.authnInstants.some((at) => at.getTime() >= since.getTime() - clockSkewMs)
      )
        throw federationErrors.notFresh();
      return identityOf(connection, content);
    },
  };
}
