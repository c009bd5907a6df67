import assert from 'node:assert/strict';
import { createVerify } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import {
  type Connection,
  createSamlProtocol,
  type FederationProtocol,
  type PendingUpstream,
  parseIdpMetadata,
  spMetadataXml,
} from '../src/federation/index.ts';
import { isAppError, systemClock } from '../src/platform/index.ts';
import {
  decodeResponse,
  encodeResponse,
  startUpstreamIdp,
  type TestKeyPair,
  testKeyPair,
  type UpstreamIdp,
} from './support/upstream-saml.ts';

const publicUrl = 'https://vigil.test';
const connectionId = '0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b';
const acsUrl = `${publicUrl}/sso/${connectionId}/acs`;
const entityId = `${publicUrl}/sso/${connectionId}`;

/**
 * The SAML SP protocol against samlify as the upstream IdP, without a database: every forged,
 * replayed-elsewhere, misaddressed or expired answer is refused with the reason sso.login.failed
 * records.
 */
describe('SAML SP protocol: samlify as the upstream IdP', () => {
  let idp: UpstreamIdp;
  let signing: TestKeyPair;
  let encryption: TestKeyPair;
  let protocol: FederationProtocol;
  let connection: Connection;
  let spMetadata: string;

  before(async () => {
    idp = await startUpstreamIdp();
    signing = await testKeyPair('Vigil SP signing');
    encryption = await testKeyPair('Vigil SP encryption');
    protocol = createSamlProtocol({
      publicUrl,
      clock: systemClock,
      keys: {
        signingKey: async () => signing,
        decryptionKeys: async () => [encryption],
      },
    });
    connection = {
      id: connectionId,
      orgId: '0190a1b2-c3d4-7e5f-8a6b-000000000001',
      name: 'Acme Okta',
      protocol: 'saml',
      enabled: true,
      provisioning: 'jit',
      attributeMapping: {
        displayName: 'displayName',
        mfaValues: ['http://schemas.microsoft.com/claims/multipleauthn'],
      },
      saml: {
        idpEntityId: idp.entityId,
        idpSsoUrl: idp.ssoUrl,
        idpSloUrl: null,
        metadataUrl: null,
        certificates: [idp.keys.certificate],
      },
      oidc: null,
    };
    spMetadata = spMetadataXml({
      entityId,
      acsUrl,
      signingCertificates: [signing.certificate],
      encryptionCertificates: [encryption.certificate],
    });
  });

  async function started(): Promise<PendingUpstream> {
    return (await protocol.start(connection)).pending;
  }
  const answer = (samlResponse: string) => ({
    url: acsUrl,
    query: {},
    body: { SAMLResponse: samlResponse },
  });

  async function refusal(promise: Promise<unknown>): Promise<string> {
    const err = await promise.then(
      () => assert.fail('the answer was accepted'),
      (e: unknown) => e,
    );
    assert.ok(isAppError(err), String(err));
    // The response_invalid refusals say which check: the message is part of what is asserted.
    return err.code === 'sso.response_invalid' ? `${err.code}: ${err.message}` : err.code;
  }

  /** Sign, edit the signed XML, and hand it over. */
  async function edited(pending: PendingUpstream, edit: (xml: string) => string) {
    const signed = decodeResponse(
      await idp.respond(spMetadata, { requestId: pending.correlation, email: 'ann@acme.test' }),
    );
    const changed = edit(signed);
    assert.notEqual(changed, signed, 'the edit changed nothing');
    return protocol.complete(connection, answer(encodeResponse(changed)), pending);
  }

  it('sends a signed AuthnRequest by HTTP-Redirect, its ID the correlation', async () => {
    const { departure, pending } = await protocol.start(connection);
    assert.equal(departure.kind, 'redirect');
    assert.ok(departure.kind === 'redirect');
    const url = new URL(departure.location);
    assert.equal(`${url.origin}${url.pathname}`, idp.ssoUrl);
    const request = inflateRawSync(
      Buffer.from(url.searchParams.get('SAMLRequest') ?? '', 'base64'),
    ).toString();
    assert.match(request, new RegExp(`ID="${pending.correlation}"`));
    assert.match(request, new RegExp(`AssertionConsumerServiceURL="${acsUrl}"`));
    assert.match(request, new RegExp(`Destination="${idp.ssoUrl}"`));
    assert.match(request, new RegExp(`<saml:Issuer[^>]*>${entityId}</saml:Issuer>`));
    assert.equal(
      url.searchParams.get('SigAlg'),
      'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    );
    // The query signature verifies with Vigil's published signing certificate.
    const signedPart = url.search
      .slice(1)
      .split('&')
      .filter((p) => !p.startsWith('Signature='))
      .join('&');
    const verifier = createVerify('RSA-SHA256');
    verifier.update(signedPart);
    assert.ok(
      verifier.verify(signing.certificate, url.searchParams.get('Signature') ?? '', 'base64'),
    );
    assert.equal(pending.secret, null);
    assert.equal(
      protocol.correlationOf(
        answer(
          await idp.respond(spMetadata, { requestId: pending.correlation, email: 'a@acme.test' }),
        ),
      ),
      pending.correlation,
    );
  });

  it('accepts a signed response to its request: subject, email, attributes, upstream MFA', async () => {
    const pending = await started();
    const response = await idp.respond(spMetadata, {
      requestId: pending.correlation,
      email: 'ann@acme.test',
      attributes: { displayName: 'Ann Example', department: 'Finance' },
      authnContext: 'http://schemas.microsoft.com/claims/multipleauthn',
    });
    const identity = await protocol.complete(connection, answer(response), pending);
    assert.equal(identity.subject, 'ann@acme.test');
    assert.equal(identity.email, 'ann@acme.test');
    assert.equal(identity.displayName, 'Ann Example');
    assert.equal(identity.mfa, true);
    assert.match(identity.reference, /^_a/);
    assert.deepEqual(identity.attributes.department, ['Finance']);

    const withoutMfa = await started();
    const plain = await protocol.complete(
      connection,
      answer(
        await idp.respond(spMetadata, {
          requestId: withoutMfa.correlation,
          email: 'ann@acme.test',
        }),
      ),
      withoutMfa,
    );
    assert.equal(plain.mfa, false);
    assert.equal(plain.displayName, null);
  });

  it('accepts an assertion encrypted to the organization, refuses one it cannot open', async () => {
    const encrypting = await startUpstreamIdp({ keys: idp.keys, encrypt: true });
    const pending = await started();
    const response = await encrypting.respond(spMetadata, {
      requestId: pending.correlation,
      email: 'enc@acme.test',
    });
    assert.match(decodeResponse(response), /EncryptedAssertion/);
    assert.doesNotMatch(decodeResponse(response), /enc@acme\.test/);
    const identity = await protocol.complete(connection, answer(response), pending);
    assert.equal(identity.subject, 'enc@acme.test');

    const other = await testKeyPair('Someone else');
    const elsewhere = spMetadataXml({
      entityId,
      acsUrl,
      signingCertificates: [],
      encryptionCertificates: [other.certificate],
    });
    const next = await started();
    const unreadable = await encrypting.respond(elsewhere, {
      requestId: next.correlation,
      email: 'enc@acme.test',
    });
    assert.equal(
      await refusal(protocol.complete(connection, answer(unreadable), next)),
      'sso.response_invalid: The answer is malformed: encrypted to a key this organization does not hold',
    );
  });

  it('refuses a tampered assertion (one byte of the NameID changed)', async () => {
    const pending = await started();
    const code = await refusal(
      edited(pending, (xml) => xml.replace('>ann@acme.test<', '>bnn@acme.test<')),
    );
    assert.equal(code, 'sso.signature_invalid');
  });

  it('refuses an unsigned assertion', async () => {
    const pending = await started();
    const code = await refusal(
      edited(pending, (xml) => xml.replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/g, '')),
    );
    assert.equal(code, 'sso.signature_invalid');
  });

  it('refuses an assertion signed by another key, even under the right issuer', async () => {
    const impostor = await startUpstreamIdp({ entityId: idp.entityId });
    const pending = await started();
    const response = await impostor.respond(spMetadata, {
      requestId: pending.correlation,
      email: 'ann@acme.test',
    });
    assert.equal(
      await refusal(protocol.complete(connection, answer(response), pending)),
      'sso.signature_invalid',
    );
  });

  it('accepts the next certificate of a rollover, and refuses another issuer', async () => {
    const next = await startUpstreamIdp({ entityId: idp.entityId });
    const rolled: Connection = {
      ...connection,
      saml: {
        ...(connection.saml as NonNullable<Connection['saml']>),
        certificates: [idp.keys.certificate, next.keys.certificate],
      },
    };
    const pending = await started();
    const identity = await protocol.complete(
      rolled,
      answer(
        await next.respond(spMetadata, { requestId: pending.correlation, email: 'r@acme.test' }),
      ),
      pending,
    );
    assert.equal(identity.subject, 'r@acme.test');

    const stranger = await startUpstreamIdp({ entityId: 'https://stranger.test', keys: idp.keys });
    const again = await started();
    const response = await stranger.respond(spMetadata, {
      requestId: again.correlation,
      email: 'r@acme.test',
    });
    assert.match(
      await refusal(protocol.complete(connection, answer(response), again)),
      /issued by another identity provider/,
    );
  });

  for (const [name, values, reason] of [
    ['for another audience', { Audience: 'https://other-sp.test' }, 'sso.audience_mismatch'],
    [
      'to another destination',
      { Destination: 'https://other-sp.test/acs' },
      'sso.destination_mismatch',
    ],
    [
      'for another recipient',
      { SubjectRecipient: 'https://other-sp.test/acs' },
      'sso.destination_mismatch',
    ],
    [
      'that expired',
      {
        IssueInstant: new Date(Date.now() - 3_600_000).toISOString(),
        ConditionsNotBefore: new Date(Date.now() - 3_600_000).toISOString(),
        ConditionsNotOnOrAfter: new Date(Date.now() - 1_800_000).toISOString(),
        SubjectConfirmationDataNotOnOrAfter: new Date(Date.now() - 1_800_000).toISOString(),
      },
      'sso.expired',
    ],
    [
      'not valid yet',
      { ConditionsNotBefore: new Date(Date.now() + 3_600_000).toISOString() },
      'sso.expired',
    ],
  ] as const) {
    it(`refuses a properly signed response ${name}`, async () => {
      const pending = await started();
      const response = await idp.respond(spMetadata, {
        requestId: pending.correlation,
        email: 'ann@acme.test',
        values,
      });
      assert.equal(await refusal(protocol.complete(connection, answer(response), pending)), reason);
    });
  }

  it('refuses an unsolicited response and one answering another request', async () => {
    const pending = await started();
    const unsolicited = await idp.respond(spMetadata, { requestId: '', email: 'ann@acme.test' });
    assert.equal(protocol.correlationOf(answer(unsolicited)), null);
    assert.equal(
      await refusal(protocol.complete(connection, answer(unsolicited), pending)),
      'sso.request_unknown',
    );
    const other = await idp.respond(spMetadata, {
      requestId: '_elsewhere',
      email: 'ann@acme.test',
    });
    assert.equal(
      await refusal(protocol.complete(connection, answer(other), pending)),
      'sso.request_unknown',
    );
  });

  /** The signed assertion, and a copy claiming to be someone else (new ID, no signature). */
  const forgedFrom = (xml: string) => {
    const signed = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)?.[0] ?? '';
    assert.ok(signed);
    const forged = signed
      .replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/, '')
      .replace(/ID="[^"]+"/, 'ID="_forged"')
      .replace('>ann@acme.test<', '>admin@acme.test<');
    return { signed, forged };
  };

  it('refuses signature wrapping: a forged assertion beside the signed one (either order)', async () => {
    for (const order of ['before', 'after'] as const) {
      const pending = await started();
      const code = await refusal(
        edited(pending, (xml) => {
          const { signed, forged } = forgedFrom(xml);
          return xml.replace(signed, order === 'before' ? forged + signed : signed + forged);
        }),
      );
      assert.equal(
        code,
        'sso.response_invalid: The answer is malformed: several assertions',
        order,
      );
    }
  });

  it('refuses signature wrapping: the forged assertion inside the signed one, or the signed one tucked away', async () => {
    const inside = await started();
    assert.equal(
      await refusal(
        edited(inside, (xml) => {
          const { signed, forged } = forgedFrom(xml);
          return xml.replace(signed, signed.replace('</saml:Subject>', `</saml:Subject>${forged}`));
        }),
      ),
      'sso.response_invalid: The answer is malformed: several assertions',
    );
    const tucked = await started();
    assert.equal(
      await refusal(
        edited(tucked, (xml) => {
          const { signed, forged } = forgedFrom(xml);
          return xml.replace(signed, `<samlp:Extensions>${signed}</samlp:Extensions>${forged}`);
        }),
      ),
      'sso.response_invalid: The answer is malformed: several assertions',
    );
  });

  it('refuses a comment injected into the NameID (its signature still verifies without it)', async () => {
    const pending = await started();
    const code = await refusal(
      edited(pending, (xml) => xml.replace('>ann@acme.test<', '>ann@acme.test<!---->.evil.test<')),
    );
    assert.equal(
      code,
      'sso.response_invalid: The answer is malformed: comments inside the response',
    );
  });

  it('refuses an error status, a DOCTYPE and garbage', async () => {
    const pending = await started();
    const failed = await idp.respond(spMetadata, {
      requestId: pending.correlation,
      email: 'ann@acme.test',
      values: { StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Responder' },
    });
    assert.equal(
      await refusal(protocol.complete(connection, answer(failed), pending)),
      'sso.upstream_error',
    );
    const doctype = await refusal(
      edited(
        pending,
        (xml) => `<!DOCTYPE x [<!ENTITY e "ann">]>${xml.replace(/^<\?xml[^>]*>/, '')}`,
      ),
    );
    assert.match(doctype, /DOCTYPE/);
    for (const junk of ['', 'not base64!', encodeResponse('<html/>')])
      assert.match(
        await refusal(protocol.complete(connection, answer(junk), pending)),
        /^sso\.response_invalid: /,
      );
  });

  it('reads IdP metadata: one SAML 2.0 IdP with an HTTP-Redirect sign-in and a signing key', () => {
    const read = parseIdpMetadata(idp.metadataXml);
    assert.equal(read.entityId, idp.entityId);
    assert.equal(read.ssoUrl, idp.ssoUrl);
    assert.equal(read.certificates.length, 1);
    const problem = (xml: string) => {
      try {
        parseIdpMetadata(xml);
      } catch (err) {
        assert.ok(isAppError(err));
        assert.equal(err.code, 'sso.metadata_invalid');
        return err.message;
      }
      return assert.fail('accepted');
    };
    const entity =
      /<(\w+:)?EntityDescriptor[\s\S]*EntityDescriptor>/.exec(idp.metadataXml)?.[0] ?? '';
    assert.ok(entity);
    const two = `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${entity}${entity.replace(idp.entityId, 'https://other.test')}</md:EntitiesDescriptor>`;
    assert.match(problem(two), /several identity providers/);
    assert.match(
      problem(idp.metadataXml.replaceAll('bindings:HTTP-Redirect', 'bindings:HTTP-POST')),
      /only by HTTP-POST/,
    );
    assert.match(
      problem(idp.metadataXml.replace(/<(\w+:)?KeyDescriptor[\s\S]*?KeyDescriptor>/g, '')),
      /no signing certificate/,
    );
    assert.match(problem('<html><body>login</body></html>'), /not SAML 2.0 metadata/);
    assert.match(problem(`<!DOCTYPE m>${idp.metadataXml}`), /DOCTYPE/);
  });
});
