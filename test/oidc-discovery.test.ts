import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { request } from './support/http.ts';
import { redirectUri, startOidcWorld } from './support/oidc.ts';

/** Endpoints a client calls with POST (RFC 6749, 7009, 7662, 9126); every other one with GET. */
const postOnly = new Set([
  'token_endpoint',
  'introspection_endpoint',
  'revocation_endpoint',
  'pushed_authorization_request_endpoint',
]);

describe('discovery advertises only what is served', () => {
  let world: Awaited<ReturnType<typeof startOidcWorld>>;
  let web: { id: string; secret: string };

  before(async () => {
    world = await startOidcWorld({}, { totp: false });
    web = await world.createClient({
      name: 'Acme Web',
      kind: 'web',
      firstParty: true,
      redirectUris: [redirectUri],
    });
  });
  after(() => world.close());

  it('answers every URL of the discovery document (no 404), under the issuer', async () => {
    const res = await request(`${world.base}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const metadata = res.json() as Record<string, unknown>;
    const urls = Object.entries(metadata).filter(
      (entry): entry is [string, string] =>
        (entry[0].endsWith('_endpoint') || entry[0].endsWith('_uri')) &&
        typeof entry[1] === 'string',
    );
    assert.ok(urls.length >= 8, `endpoints found: ${urls.map(([k]) => k).join(', ')}`);
    assert.ok(urls.some(([key]) => key === 'pushed_authorization_request_endpoint'));
    for (const [key, url] of urls) {
      assert.equal(new URL(url).origin, world.base, `${key} is served by the issuer`);
      const answer = postOnly.has(key)
        ? await request(url, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: '',
          })
        : await request(url);
      assert.notEqual(answer.status, 404, `${key} (${url}) answers 404`);
      assert.ok(answer.status < 500, `${key} (${url}) answers ${answer.status}`);
    }
  });

  it('serves the same metadata at the RFC 8414 address', async () => {
    const oidcDoc = (await request(`${world.base}/.well-known/openid-configuration`)).json();
    const oauthDoc = await request(`${world.base}/.well-known/oauth-authorization-server`);
    assert.equal(oauthDoc.status, 200);
    assert.equal(oauthDoc.json().issuer, oidcDoc.issuer);
    assert.equal(oauthDoc.json().token_endpoint, oidcDoc.token_endpoint);
  });

  it('signs in through a pushed authorization request (RFC 9126) with openid-client', async () => {
    const config = await oidc.discovery(new URL(world.base), web.id, web.secret);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = await oidc.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: redirectUri,
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    // Only the reference travels through the browser; the parameters were pushed.
    assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    assert.match(url.searchParams.get('request_uri') ?? '', /^urn:ietf:params:oauth:request_uri:/);
    const tokens = await oidc.authorizationCodeGrant(config, await world.authorize(url), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      idTokenExpected: true,
    });
    assert.equal(tokens.claims()?.sub, world.user.id);

    // The pushed request is single-use: replaying its reference is refused, without a code.
    const replay = await request(`${world.base}${url.pathname}${url.search}`);
    assert.notEqual(replay.status, 404);
    assert.doesNotMatch(replay.headers.location ?? '', /[?&]code=/);
  });

  it('refuses a pushed request without PKCE or with an unregistered redirect URI', async () => {
    const config = await oidc.discovery(new URL(world.base), web.id, web.secret);
    const refused = (about: RegExp) => (err: unknown) => {
      const cause = (err as { cause?: { error?: string; error_description?: string } }).cause;
      return cause?.error === 'invalid_request' && about.test(cause.error_description ?? '');
    };
    await assert.rejects(
      oidc.buildAuthorizationUrlWithPAR(config, { redirect_uri: redirectUri, scope: 'openid' }),
      refused(/PKCE/),
    );
    await assert.rejects(
      oidc.buildAuthorizationUrlWithPAR(config, {
        redirect_uri: 'https://evil.example.test/callback',
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      }),
      refused(/redirect_uri/),
    );
  });
});
