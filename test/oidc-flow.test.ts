import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import * as OTPAuth from 'otpauth';
import type { RunningServer } from '../src/app/server.ts';
import { totpCode } from '../src/auth/mfa/index.ts';
import { operatorActor, withOrg } from '../src/platform/index.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { browserLike, startTestServer } from './support/http.ts';

// The test server's certificate is self-signed; openid-client uses the global fetch.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const invalidGrant = (err: unknown) =>
  (err as { cause?: { error?: string } }).cause?.error === 'invalid_grant';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

describe('OpenID Connect with openid-client as the relying party', () => {
  let core: TestCore;
  let server: RunningServer;
  let base: string;
  let web: { id: string; secret: string };
  let machine: { id: string; secret: string };
  let seed: Uint8Array;
  const redirectUri = 'https://rp.example.test/callback';
  const password = 'Correct-Horse-Battery-9';
  const email = 'dana@acme.test';

  before(async () => {
    core = await openTestCore();
    const port = await freePort();
    base = `https://localhost:${port}`;
    server = await startTestServer(core, {
      VIGIL_PORT: String(port),
      VIGIL_PUBLIC_URL: base,
      VIGIL_OIDC_REFRESH_REUSE_GRACE_SECONDS: '0',
    });
    const orgId = await core.createOrg('acme');
    const auth = authServices(core);
    const user = await auth.createUser(orgId, email, password);
    const started = await withOrg(core.database, orgId, (tx) => auth.mfa.startTotp(tx, user));
    seed = new Uint8Array(OTPAuth.Secret.fromBase32(started.secret).buffer);
    // Confirmed with the previous step's code, so that the current one is still unused.
    await withOrg(core.database, orgId, (tx) =>
      auth.mfa.confirmTotp(
        tx,
        user,
        started.factorId,
        totpCode(seed, new Date(Date.now() - 30_000)),
        operatorActor,
      ),
    );
    const created = await withOrg(core.database, orgId, async (tx) => ({
      web: await auth.oauth.clients.create(
        tx,
        orgId,
        { name: 'Acme Web', kind: 'web', firstParty: true, redirectUris: [redirectUri] },
        operatorActor,
      ),
      machine: await auth.oauth.clients.create(
        tx,
        orgId,
        { name: 'Acme Jobs', kind: 'machine' },
        operatorActor,
      ),
    }));
    web = { id: created.web.client.id, secret: created.web.secret ?? '' };
    machine = { id: created.machine.client.id, secret: created.machine.secret ?? '' };
  });
  after(async () => {
    await server.stop();
    await core.close();
  });

  /** Walks the browser through the hosted sign-in until the provider redirects to the client. */
  async function authorize(url: URL, browser = browserLike(base)): Promise<URL> {
    let res = await browser.get(url.pathname + url.search);
    for (let hops = 0; hops < 20; hops++) {
      const location = res.headers.location;
      if (location?.startsWith(redirectUri)) return new URL(location);
      if (res.status === 200 && res.text.includes('name="password"')) {
        res = await browser.post('/login', { email, password, csrf: browser.csrf() });
      } else if (res.status === 200 && res.text.includes('name="code"')) {
        res = await browser.post('/login/mfa', {
          code: totpCode(seed, new Date()),
          csrf: browser.csrf(),
        });
      } else if (location) {
        const next = new URL(location, base);
        res = await browser.get(next.pathname + next.search);
      } else {
        assert.fail(`stuck at ${res.status}: ${res.text.slice(0, 300)}`);
      }
    }
    assert.fail('too many redirects');
  }

  it('signs in with code + PKCE through the hosted pages, then userinfo, refresh, reuse, revocation, introspection', async () => {
    const config = await oidc.discovery(new URL(base), web.id, web.secret);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email profile offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      prompt: 'consent',
    });
    const browser = browserLike(base);
    const callback = await authorize(url, browser);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const claims = tokens.claims();
    assert.ok(claims);
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(claims.acr, 'urn:vigil:acr:mfa');
    const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.email, email);
    assert.ok(tokens.refresh_token);

    const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
    assert.equal(introspected.active, true);
    assert.equal(introspected.sub, claims.sub);

    const rotated = await oidc.refreshTokenGrant(config, tokens.refresh_token);
    assert.ok(rotated.refresh_token);
    assert.notEqual(rotated.refresh_token, tokens.refresh_token, 'refresh tokens rotate');
    // Reuse of the spent token revokes the whole grant, the fresh token included.
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), invalidGrant);
    await assert.rejects(oidc.refreshTokenGrant(config, rotated.refresh_token), invalidGrant);
    assert.equal((await oidc.tokenIntrospection(config, rotated.access_token)).active, false);

    // Revocation (RFC 7009) of a live token from a new authorization (same browser session).
    const again = await oidc.authorizationCodeGrant(
      config,
      await authorize(
        oidc.buildAuthorizationUrl(config, {
          redirect_uri: redirectUri,
          scope: 'openid',
          code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state,
        }),
        browser,
      ),
      { pkceCodeVerifier: verifier, expectedState: state },
    );
    assert.equal((await oidc.tokenIntrospection(config, again.access_token)).active, true);
    await oidc.tokenRevocation(config, again.access_token);
    assert.equal((await oidc.tokenIntrospection(config, again.access_token)).active, false);
  });

  it('issues client-credentials tokens to machine clients', async () => {
    const config = await oidc.discovery(new URL(base), machine.id, machine.secret);
    const tokens = await oidc.clientCredentialsGrant(config);
    assert.ok(tokens.access_token);
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, true);
  });

  it('refuses an authorization request without PKCE or with plain PKCE', async () => {
    const browser = browserLike(base);
    const cases: Record<string, string>[] = [
      {},
      { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' },
    ];
    for (const extra of cases) {
      const params = new URLSearchParams({
        client_id: web.id,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: redirectUri,
        state: 's',
        ...extra,
      });
      const res = await browser.get(`/oauth2/authorize?${params}`);
      const location = new URL(res.headers.location ?? '');
      assert.equal(location.origin + location.pathname, redirectUri);
      assert.equal(location.searchParams.get('error'), 'invalid_request');
    }
  });

  it('never redirects to a redirect URI that is not registered exactly', async () => {
    const browser = browserLike(base);
    const params = new URLSearchParams({
      client_id: web.id,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: `${redirectUri}/other`,
      code_challenge: 'a'.repeat(43),
      code_challenge_method: 'S256',
    });
    const res = await browser.get(`/oauth2/authorize?${params}`);
    assert.equal(res.status, 400);
    assert.equal(res.headers.location, undefined);
    assert.match(res.text, /redirect_uri/);
  });
});
