import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { operatorActor, withOrg, withPlatform } from '../src/platform/index.ts';
import { browserLike } from './support/http.ts';
import { invalidGrant, redirectUri, startOidcWorld } from './support/oidc.ts';

describe('OpenID Connect with openid-client as the relying party', () => {
  let world: Awaited<ReturnType<typeof startOidcWorld>>;
  let base: string;
  let web: { id: string; secret: string };
  let machine: { id: string; secret: string };
  let email: string;
  let authorize: (url: URL, browser?: ReturnType<typeof browserLike>) => Promise<URL>;

  before(async () => {
    world = await startOidcWorld({ VIGIL_OIDC_REFRESH_REUSE_GRACE_SECONDS: '0' });
    ({ base, email, authorize } = world);
    web = await world.createClient({
      name: 'Acme Web',
      kind: 'web',
      firstParty: true,
      redirectUris: [redirectUri],
    });
    machine = await world.createClient({ name: 'Acme Jobs', kind: 'machine' });
  });
  after(() => world.close());

  /** The one audit event of `action` (waits for it: OAuth events are appended after the answer). */
  async function auditedOnce(action: string) {
    const deadline = Date.now() + 5000;
    for (;;) {
      const rows = await withPlatform(world.core.database, (tx) =>
        tx
          .selectFrom('audit_events')
          .select(['outcome', 'details'])
          .where('action', '=', action)
          .execute(),
      );
      if (rows.length > 0) {
        assert.equal(rows.length, 1, `one ${action} event`);
        const [row] = rows;
        const details = typeof row?.details === 'string' ? JSON.parse(row.details) : row?.details;
        return { outcome: row?.outcome, details: details as Record<string, unknown> };
      }
      assert.ok(Date.now() < deadline, `${action} is audited`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
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
    // The reuse is audited as such (not as an ordinary refusal), naming the grant it revoked.
    const reuse = await auditedOnce('oauth.refresh.reuse_detected');
    assert.equal(reuse.outcome, 'failure');
    assert.equal(reuse.details.userId, claims.sub);
    assert.equal(typeof reuse.details.grantId, 'string');

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

  it('issues ES256 JWT access tokens for a resource server (RFC 8707), opaque ones otherwise', async () => {
    const api = 'https://api.acme.test/';
    const client = await world.createClient({
      name: 'Acme Billing',
      kind: 'machine',
      resources: [api],
      apiScopes: ['invoices:read'],
      tokenLifetimes: { accessTokenSeconds: 300 },
    });
    const config = await oidc.discovery(new URL(base), client.id, client.secret);
    const jwks = createLocalJWKSet(
      (await (await fetch(`${base}/oauth2/jwks`)).json()) as JSONWebKeySet,
    );
    // No resource named: the client's first resource is the audience.
    const requests: Record<string, string>[] = [
      { scope: 'invoices:read' },
      { scope: 'invoices:read', resource: api },
    ];
    for (const params of requests) {
      const tokens = await oidc.clientCredentialsGrant(config, params);
      const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
        issuer: base,
        audience: api,
      });
      assert.equal(protectedHeader.alg, 'ES256');
      assert.equal(protectedHeader.typ, 'at+jwt');
      assert.equal(payload.client_id, client.id);
      assert.equal(payload.scope, 'invoices:read');
      assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 300);
      // A self-contained token is checked by the API itself, not by introspection.
      await assert.rejects(oidc.tokenIntrospection(config, tokens.access_token), (err: unknown) =>
        /unsupported_token_type/.test(String((err as { cause?: { error?: string } }).cause?.error)),
      );
    }
    await assert.rejects(
      oidc.clientCredentialsGrant(config, { resource: 'https://elsewhere.test/' }),
      (err: unknown) => (err as { cause?: { error?: string } }).cause?.error === 'invalid_target',
    );
    // A machine client without resources keeps opaque, introspectable tokens.
    const opaque = await oidc.clientCredentialsGrant(
      await oidc.discovery(new URL(base), machine.id, machine.secret),
    );
    assert.equal(opaque.access_token.split('.').length, 1);
  });

  it('forgets a disabled client at once on the node that disabled it', async () => {
    const client = await world.createClient({ name: 'Short-lived', kind: 'machine' });
    const provider = world.auth.oauth.provider();
    assert.ok(await provider.Client.find(client.id), 'found, and kept for a few seconds');
    await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.oauth.clients.disable(tx, client.id, operatorActor),
    );
    assert.equal(await provider.Client.find(client.id), undefined);
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
