import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createSelfSignedCertificate } from '../src/crypto/index.ts';
import { createOidcRelyingParty } from '../src/federation/oidc-rp/index.ts';
import type { Connection, UpstreamAnswer } from '../src/federation/protocol.ts';
import { createOutbound, fixedClock, isAppError } from '../src/platform/index.ts';
import { browserLike } from './support/http.ts';
import { startUpstreamOidc, type UpstreamOidc } from './support/upstream-oidc.ts';

// The OIDC relying party against an independent provider (oidc-provider on another port), without
// Vigil's database: the protocol alone. test/sso-oidc-e2e.test.ts goes through Vigil's routes.

const publicUrl = 'https://vigil.test';
const connectionId = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const redirectUri = `${publicUrl}/sso/${connectionId}/callback`;
const secret = 'upstream-client-secret-0123456789';
const allowLoopback = createOutbound({ allow: ['127.0.0.1'] });

/** A port nothing listens on. (Not test/support/oidc.ts's: it turns off TLS verification.) */
async function freePort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const refused = (code: string, pattern?: RegExp) => (err: unknown) => {
  assert.ok(isAppError(err), `expected ${code}, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  if (pattern) assert.match(err.message, pattern);
  return true;
};

function connectionTo(
  upstream: { issuer: string },
  over: Partial<NonNullable<Connection['oidc']>> & {
    attributeMapping?: Connection['attributeMapping'];
  } = {},
): Connection {
  const { attributeMapping = {}, ...oidc } = over;
  return {
    id: connectionId,
    orgId: '0190a1b2-c3d4-7e5f-8a9b-000000000001',
    name: 'Acme IdP',
    protocol: 'oidc',
    enabled: true,
    provisioning: 'jit',
    attributeMapping,
    saml: null,
    oidc: {
      issuer: upstream.issuer,
      clientId: 'vigil',
      clientSecret: async () => secret,
      scopes: [],
      ...oidc,
    },
  };
}

/** A browser from the departure through the upstream's pages back to Vigil's callback. */
async function throughUpstream(upstream: UpstreamOidc, location: string): Promise<UpstreamAnswer> {
  const browser = browserLike(upstream.issuer);
  let url = new URL(location);
  for (let hops = 0; hops < 10; hops++) {
    if (url.href.startsWith(redirectUri)) {
      return { url: url.href, query: Object.fromEntries(url.searchParams), body: {} };
    }
    assert.equal(url.origin, upstream.issuer, `the browser left for ${url.href}`);
    const res = await browser.get(url.pathname + url.search);
    assert.ok(res.headers.location, `stuck at ${res.status}: ${res.text.slice(0, 300)}`);
    url = new URL(res.headers.location, url);
  }
  assert.fail('too many redirects');
}

describe('OIDC relying party: against an independent provider', () => {
  let upstream: UpstreamOidc;
  const rp = createOidcRelyingParty({ outbound: allowLoopback, publicUrl });

  before(async () => {
    upstream = await startUpstreamOidc();
    upstream.accounts.set('alice', {
      sub: 'alice',
      email: 'alice@acme.test',
      email_verified: true,
      name: 'Alice Liddell',
    });
    upstream.accounts.set('mallory', {
      sub: 'mallory',
      email: 'ceo@acme.test',
      email_verified: false,
      given_name: 'Mal',
      family_name: 'Lory',
    });
    await upstream.registerClient({
      clientId: 'vigil',
      clientSecret: secret,
      redirectUris: [redirectUri],
    });
  });
  after(() => upstream.close());

  /** One sign-in from start to the callback's answer. */
  async function signIn(connection = connectionTo(upstream)) {
    const { departure, pending } = await rp.start(connection);
    assert.equal(departure.kind, 'redirect');
    const answer = await throughUpstream(
      upstream,
      departure.kind === 'redirect' ? departure.location : '',
    );
    return { connection, pending, answer, departure };
  }

  it('checks a connection: discovery names the issuer, the client authenticates (Basic)', async () => {
    const before = upstream.state.tokenRequests.length;
    await rp.verifyConfiguration?.(connectionTo(upstream));
    const probe = upstream.state.tokenRequests.slice(before);
    assert.equal(probe.length, 1, 'one token request proves the client');
    assert.deepEqual(probe[0], {
      grantType: 'authorization_code',
      basic: true,
      postedSecret: false,
      status: 400,
    });
  });

  it('refuses a client whose secret the provider does not accept', async () => {
    await assert.rejects(
      rp.verifyConfiguration?.(connectionTo(upstream, { clientSecret: async () => 'wrong' })) ??
        Promise.resolve(),
      refused('sso.oidc_client_rejected', /invalid_client/),
    );
    await assert.rejects(
      rp.verifyConfiguration?.(connectionTo(upstream, { clientId: 'nobody' })) ?? Promise.resolve(),
      refused('sso.oidc_client_rejected'),
    );
  });

  it('refuses an issuer whose discovery document names another (localhost is not 127.0.0.1)', async () => {
    const port = new URL(upstream.issuer).port;
    await assert.rejects(
      rp.verifyConfiguration?.(connectionTo({ issuer: `http://localhost:${port}` })) ??
        Promise.resolve(),
      refused(
        'sso.oidc_issuer_mismatch',
        new RegExp(`names another issuer: http://127\\.0\\.0\\.1:${port}`),
      ),
    );
  });

  it('refuses an issuer that does not answer', async () => {
    const issuer = `http://127.0.0.1:${await freePort()}`;
    await assert.rejects(
      rp.verifyConfiguration?.(connectionTo({ issuer })) ?? Promise.resolve(),
      refused('sso.oidc_issuer_unreachable', /ECONNREFUSED/),
    );
  });

  it('refuses loopback and plain http unless VIGIL_OUTBOUND_ALLOW allows them (no call made)', async () => {
    const guarded = createOidcRelyingParty({ outbound: createOutbound({ allow: [] }), publicUrl });
    const before = upstream.state.discoveries;
    await assert.rejects(
      guarded.verifyConfiguration?.(connectionTo(upstream)) ?? Promise.resolve(),
      refused('sso.oidc_issuer_not_allowed', /loopback/),
    );
    // A public name over http: refused before any connection (the table answers for DNS).
    const publicHttp = createOidcRelyingParty({
      outbound: createOutbound({
        allow: [],
        resolve: async () => [{ address: '93.184.215.14', family: 4 }],
      }),
      publicUrl,
    });
    await assert.rejects(
      publicHttp.verifyConfiguration?.(connectionTo({ issuer: 'http://idp.example' })) ??
        Promise.resolve(),
      refused('sso.oidc_issuer_not_allowed', /must use https/),
    );
    assert.equal(upstream.state.discoveries, before, 'the guard refused before any request');
    // A sign-in through a refused issuer is unavailable, not a crash.
    await assert.rejects(
      guarded.start(connectionTo(upstream)),
      refused('sso.oidc_upstream_unavailable'),
    );
  });

  it('refuses issuers that are not URLs, or carry a query or a fragment', async () => {
    for (const issuer of [
      'acme',
      'ftp://idp.example',
      'https://idp.example/?tenant=1',
      'https://u:p@idp.example',
    ]) {
      await assert.rejects(
        rp.verifyConfiguration?.(connectionTo({ issuer })) ?? Promise.resolve(),
        refused('sso.oidc_issuer_invalid'),
        issuer,
      );
    }
  });

  it('refuses discovery documents it cannot use', async () => {
    let answer: { status: number; body: string } = { status: 404, body: 'not here' };
    const fake: Server = createServer((_req, res) => {
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    const document = (extra: Record<string, unknown>) =>
      JSON.stringify({
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        ...extra,
      });
    try {
      const check = () => rp.verifyConfiguration?.(connectionTo({ issuer })) ?? Promise.resolve();
      await assert.rejects(check(), refused('sso.oidc_discovery_invalid', /HTTP status 404/));
      answer = { status: 200, body: '<html>' };
      await assert.rejects(check(), refused('sso.oidc_discovery_invalid'));
      answer = { status: 200, body: document({ code_challenge_methods_supported: ['plain'] }) };
      await assert.rejects(check(), refused('sso.oidc_discovery_invalid', /S256/));
      answer = { status: 200, body: document({ token_endpoint: undefined }) };
      await assert.rejects(check(), refused('sso.oidc_discovery_invalid', /token_endpoint/));
      answer = { status: 200, body: document({ response_types_supported: ['id_token'] }) };
      await assert.rejects(check(), refused('sso.oidc_discovery_invalid', /code/));
      // The browser would be sent to a private address Vigil is not allowed to deal with.
      answer = { status: 200, body: document({ authorization_endpoint: 'https://10.0.0.7/auth' }) };
      await assert.rejects(check(), refused('sso.oidc_issuer_not_allowed', /10\.0\.0\.7/));
      answer = {
        status: 200,
        body: document({ token_endpoint_auth_methods_supported: ['private_key_jwt'] }),
      };
      await assert.rejects(check(), refused('sso.oidc_client_auth_unsupported'));
    } finally {
      await new Promise((resolve) => fake.close(resolve));
    }
  });

  it('signs in with the code flow: PKCE S256, state, nonce; claims from UserInfo', async () => {
    upstream.state.decide = () => ({ accountId: 'alice', amr: ['pwd'] });
    const { connection, pending, answer, departure } = await signIn();
    const sent = new URL(departure.kind === 'redirect' ? departure.location : '');
    assert.equal(sent.origin, upstream.issuer);
    assert.equal(sent.searchParams.get('response_type'), 'code');
    assert.equal(sent.searchParams.get('client_id'), 'vigil');
    assert.equal(sent.searchParams.get('redirect_uri'), redirectUri);
    assert.equal(sent.searchParams.get('scope'), 'openid email profile');
    assert.equal(sent.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(sent.searchParams.get('state'), pending.correlation);
    const kept = JSON.parse(pending.secret ?? '{}');
    assert.equal(sent.searchParams.get('nonce'), kept.nonce);
    assert.ok(!sent.href.includes(kept.verifier), 'the verifier never leaves Vigil');
    assert.ok(pending.correlation.length >= 43, 'state carries 256 bits');

    assert.equal(rp.correlationOf(answer), pending.correlation);
    const identity = await rp.complete(connection, answer, pending);
    assert.equal(identity.subject, 'alice');
    assert.equal(identity.email, 'alice@acme.test');
    assert.equal(identity.displayName, 'Alice Liddell');
    assert.equal(identity.mfa, false);
    assert.match(identity.reference, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(identity.attributes.amr, ['pwd']);
    assert.deepEqual(identity.attributes.iss, [upstream.issuer]);
    assert.equal(identity.attributes.nonce, undefined, 'protocol claims are not audit details');
  });

  it('a second use of the same answer is refused (the code is spent)', async () => {
    const { connection, pending, answer } = await signIn();
    await rp.complete(connection, answer, pending);
    await assert.rejects(
      rp.complete(connection, answer, pending),
      refused('sso.oidc_response_invalid', /invalid_grant/),
    );
  });

  it('refuses an answer whose state is not the sign-in’s', async () => {
    const first = await signIn();
    const second = await signIn();
    // The code and state of one sign-in against the pending request of another.
    await assert.rejects(
      rp.complete(first.connection, second.answer, first.pending),
      refused('sso.oidc_state_mismatch'),
    );
    const { state: _dropped, ...stateless } = first.answer.query;
    await assert.rejects(
      rp.complete(first.connection, { ...first.answer, query: stateless }, first.pending),
      refused('sso.oidc_state_mismatch'),
    );
  });

  it('refuses a code injected into another sign-in (PKCE verifier does not match)', async () => {
    const victim = await signIn();
    const attacker = await signIn();
    const injected = {
      ...victim.answer,
      query: { ...victim.answer.query, code: attacker.answer.query.code ?? '' },
    };
    await assert.rejects(
      rp.complete(victim.connection, injected, victim.pending),
      refused('sso.oidc_response_invalid', /invalid_grant/),
    );
  });

  it('refuses an ID token whose nonce is not the sign-in’s', async () => {
    const connection = connectionTo(upstream);
    const { departure, pending } = await rp.start(connection);
    const location = new URL(departure.kind === 'redirect' ? departure.location : '');
    location.searchParams.set('nonce', 'an-attackers-own-nonce-0123456789abcdef');
    const answer = await throughUpstream(upstream, location.href);
    await assert.rejects(
      rp.complete(connection, answer, pending),
      refused('sso.oidc_id_token_invalid', /nonce/),
    );
  });

  it('refuses an ID token whose signature does not match its claims, and never echoes tokens', async () => {
    let seen: Record<string, unknown> = {};
    upstream.state.tamperToken = (body) => {
      seen = body;
      const [header, payload, signature] = String(body.id_token).split('.');
      const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
      claims.sub = 'admin';
      const forged = Buffer.from(JSON.stringify(claims)).toString('base64url');
      return { ...body, id_token: `${header}.${forged}.${signature}` };
    };
    try {
      const { connection, pending, answer } = await signIn();
      const err = await rp.complete(connection, answer, pending).then(
        () => assert.fail('a forged ID token was accepted'),
        (e: unknown) => e,
      );
      refused('sso.oidc_id_token_invalid', /signature/)(err);
      const told = JSON.stringify({
        message: (err as Error).message,
        details: (err as { details?: unknown }).details,
        cause: String((err as Error).cause),
      });
      assert.ok(!told.includes(String(seen.access_token)), 'no access token in the error');
      assert.ok(
        !told.includes(String(String(seen.id_token).split('.')[2])),
        'no ID token in the error',
      );
    } finally {
      upstream.state.tamperToken = null;
    }
  });

  it('refuses ID tokens signed by the provider but not for this sign-in', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['another audience', { aud: 'another-client' }, /aud/],
      ['another issuer', { iss: 'https://evil.example' }, /iss/],
      ['expired', { exp: now - 120, iat: now - 600 }, /exp|timestamp/],
      ['not yet valid', { nbf: now + 600 }, /nbf|timestamp/],
      ['issued in the future', { iat: now + 600 }, /future/],
    ];
    try {
      for (const [name, change, pattern] of cases) {
        upstream.state.tamperToken = async (body) => ({
          ...body,
          id_token: await upstream.resign(String(body.id_token), change),
        });
        const { connection, pending, answer } = await signIn();
        await assert.rejects(
          rp.complete(connection, answer, pending),
          refused('sso.oidc_id_token_invalid', pattern),
          name,
        );
      }
      // The same re-signing without a change is accepted: the refusals above are the claims'.
      upstream.state.tamperToken = async (body) => ({
        ...body,
        id_token: await upstream.resign(String(body.id_token), {}),
      });
      const { connection, pending, answer } = await signIn();
      assert.equal((await rp.complete(connection, answer, pending)).subject, 'alice');
    } finally {
      upstream.state.tamperToken = null;
    }
  });

  it('refuses a UserInfo answer about another subject', async () => {
    upstream.state.tamperUserinfo = (body) => ({ ...body, sub: 'mallory', email: 'ceo@acme.test' });
    try {
      const { connection, pending, answer } = await signIn();
      await assert.rejects(
        rp.complete(connection, answer, pending),
        refused('sso.oidc_id_token_invalid', /sub/),
      );
    } finally {
      upstream.state.tamperUserinfo = null;
    }
  });

  it('refuses an answer naming another issuer (mix-up, RFC 9207)', async () => {
    const { connection, pending, answer } = await signIn();
    assert.equal(answer.query.iss, upstream.issuer, 'the provider names itself');
    await assert.rejects(
      rp.complete(
        connection,
        { ...answer, query: { ...answer.query, iss: 'https://evil.example' } },
        pending,
      ),
      refused('sso.oidc_response_invalid', /iss/),
    );
  });

  it('maps error=access_denied from the provider to a refusal, without calling it', async () => {
    upstream.state.decide = () => ({ error: 'access_denied', description: 'not assigned' });
    try {
      const before = upstream.state.tokenRequests.length;
      const { connection, pending, answer } = await signIn();
      assert.equal(answer.query.error, 'access_denied');
      assert.equal(rp.correlationOf(answer), pending.correlation, 'an error names its sign-in');
      await assert.rejects(
        rp.complete(connection, answer, pending),
        refused('sso.oidc_upstream_refused', /access_denied/),
      );
      assert.equal(upstream.state.tokenRequests.length, before);
    } finally {
      upstream.state.decide = () => ({ accountId: 'alice', amr: ['pwd'] });
    }
  });

  it('maps amr and acr to MFA per the connection’s values', async () => {
    const cases: [{ amr?: string[]; acr?: string }, string[] | undefined, boolean][] = [
      [{ amr: ['pwd'] }, undefined, false],
      [{ amr: ['pwd', 'otp'] }, undefined, true],
      [{ amr: ['hwk'] }, undefined, true],
      [{ amr: ['pwd', 'mfa'] }, ['urn:acme:strong'], false],
      [{ amr: ['pwd'], acr: 'urn:acme:strong' }, ['urn:acme:strong'], true],
      [{ acr: 'mfa' }, undefined, true],
    ];
    for (const [login, mfaValues, mfa] of cases) {
      upstream.state.decide = () => ({ accountId: 'alice', ...login });
      const { connection, pending, answer } = await signIn(
        connectionTo(upstream, { attributeMapping: mfaValues ? { mfaValues } : {} }),
      );
      const identity = await rp.complete(connection, answer, pending);
      assert.equal(identity.mfa, mfa, JSON.stringify({ login, mfaValues }));
    }
    upstream.state.decide = () => ({ accountId: 'alice', amr: ['pwd'] });
  });

  it('drops an email the provider says is unverified; names from given and family name', async () => {
    upstream.state.decide = () => ({ accountId: 'mallory' });
    try {
      const { connection, pending, answer } = await signIn();
      const identity = await rp.complete(connection, answer, pending);
      assert.equal(identity.subject, 'mallory');
      assert.equal(identity.email, null);
      assert.equal(identity.displayName, 'Mal Lory');
    } finally {
      upstream.state.decide = () => ({ accountId: 'alice', amr: ['pwd'] });
    }
  });

  it('asks for the connection’s scopes, openid always', async () => {
    const { departure } = await rp.start(connectionTo(upstream, { scopes: ['email'] }));
    const sent = new URL(departure.kind === 'redirect' ? departure.location : '');
    assert.equal(sent.searchParams.get('scope'), 'openid email');
  });

  it('refuses a pending request without the verifier and nonce', async () => {
    const { connection, pending, answer } = await signIn();
    await assert.rejects(
      rp.complete(connection, answer, { ...pending, secret: null }),
      refused('sso.oidc_pending_invalid'),
    );
    await assert.rejects(
      rp.complete(connection, answer, { ...pending, secret: '{"verifier":1}' }),
      refused('sso.oidc_pending_invalid'),
    );
  });

  it('reuses a discovery document briefly, then fetches it again', async () => {
    const clock = fixedClock(new Date('2026-12-05T09:00:00Z'));
    const cached = createOidcRelyingParty({ outbound: allowLoopback, publicUrl, clock });
    const before = upstream.state.discoveries;
    await cached.start(connectionTo(upstream));
    await cached.start(connectionTo(upstream));
    assert.equal(upstream.state.discoveries, before + 1);
    clock.advance(5 * 60_000 + 1);
    await cached.start(connectionTo(upstream));
    assert.equal(upstream.state.discoveries, before + 2);
  });
});

describe('OIDC relying party: providers that differ', () => {
  it('authenticates with client_secret_post when only that is offered; claims in the ID token', async () => {
    const upstream = await startUpstreamOidc({
      conformIdTokenClaims: false,
      tokenEndpointAuthMethods: ['client_secret_post'],
    });
    try {
      upstream.accounts.set('alice', { sub: 'alice', email: 'Alice@Acme.test', name: 'Alice' });
      await upstream.registerClient({
        clientId: 'vigil',
        clientSecret: secret,
        redirectUris: [redirectUri],
        tokenEndpointAuthMethod: 'client_secret_post',
      });
      const rp = createOidcRelyingParty({ outbound: allowLoopback, publicUrl });
      const connection = connectionTo(upstream);
      await rp.verifyConfiguration?.(connection);
      const { departure, pending } = await rp.start(connection);
      const answer = await throughUpstream(
        upstream,
        departure.kind === 'redirect' ? departure.location : '',
      );
      const identity = await rp.complete(connection, answer, pending);
      assert.equal(identity.email, 'Alice@Acme.test', 'no email_verified claim: not unverified');
      assert.ok(
        upstream.state.tokenRequests.every((r) => r.postedSecret && !r.basic),
        JSON.stringify(upstream.state.tokenRequests),
      );
      // Everything came in the ID token: no UserInfo call was needed.
      assert.deepEqual(identity.attributes.email, ['Alice@Acme.test']);
    } finally {
      await upstream.close();
    }
  });
});

describe('OIDC relying party: a provider on https', () => {
  it('signs in when the provider’s certificate is trusted, and refuses it otherwise', async () => {
    assert.notEqual(process.env.NODE_TLS_REJECT_UNAUTHORIZED, '0', 'TLS is verified here');
    const tls = await createSelfSignedCertificate(['127.0.0.1']);
    const upstream = await startUpstreamOidc({ tls });
    try {
      upstream.accounts.set('alice', {
        sub: 'alice',
        email: 'alice@acme.test',
        email_verified: true,
      });
      await upstream.registerClient({
        clientId: 'vigil',
        clientSecret: secret,
        redirectUris: [redirectUri],
      });
      const trusting = createOidcRelyingParty({
        outbound: createOutbound({ allow: ['127.0.0.1'], ca: [tls.certPem] }),
        publicUrl,
      });
      const connection = connectionTo(upstream);
      assert.match(upstream.issuer, /^https:/);
      await trusting.verifyConfiguration?.(connection);
      const { departure, pending } = await trusting.start(connection);
      const answer = await throughUpstream(
        upstream,
        departure.kind === 'redirect' ? departure.location : '',
      );
      const identity = await trusting.complete(connection, answer, pending);
      assert.equal(identity.email, 'alice@acme.test');

      // The same provider without its CA: the certificate is not trusted, nothing is sent.
      const strict = createOidcRelyingParty({ outbound: allowLoopback, publicUrl });
      await assert.rejects(
        strict.verifyConfiguration?.(connection) ?? Promise.resolve(),
        refused('sso.oidc_issuer_unreachable', /SELF_SIGNED|certificate/i),
      );
    } finally {
      await upstream.close();
    }
  });
});
