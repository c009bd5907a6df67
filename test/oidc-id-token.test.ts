import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { browserLike } from './support/http.ts';
import { redirectUri, startOidcWorld } from './support/oidc.ts';

/** OIDC Core §3.1.3.6: the left half of the SHA-256 of the access token, base64url. */
const atHashOf = (accessToken: string) =>
  createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');

/** What docs/oidc.md says the ID token and userinfo carry, checked against what they carry. */
describe('ID token, userinfo and refresh tokens as docs/oidc.md describes them', () => {
  let world: Awaited<ReturnType<typeof startOidcWorld>>;
  let config: oidc.Configuration;

  before(async () => {
    world = await startOidcWorld({}, { totp: false });
    const web = await world.createClient({
      name: 'Acme Web',
      kind: 'web',
      firstParty: true,
      redirectUris: [redirectUri],
    });
    config = await oidc.discovery(new URL(world.base), web.id, web.secret);
  });
  after(() => world.close());

  async function signIn(scope: string, extra: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...extra,
    });
    const callback = await world.authorize(url, browserLike(world.base));
    return oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      idTokenExpected: true,
    });
  }

  it('the ID token names the user, organization and sign-in, with at_hash; profile claims come from userinfo', async () => {
    const tokens = await signIn('openid email profile roles');
    const claims = tokens.claims();
    assert.ok(claims);
    assert.equal(claims.sub, world.user.id);
    assert.equal(claims.org_id, world.orgId);
    assert.equal(claims.acr, 'urn:vigil:acr:pwd');
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(typeof claims.auth_time, 'number');
    assert.equal(claims.at_hash, atHashOf(tokens.access_token));
    for (const claim of ['email', 'email_verified', 'name', 'roles'])
      assert.equal(claims[claim], undefined, `${claim} is not in the ID token`);

    const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.email, world.email);
    assert.equal(info.email_verified, false);
    assert.equal(typeof info.name, 'string');
    assert.ok(Array.isArray(info.roles));
    assert.equal(info.org_id, world.orgId);
  });

  it('refresh tokens need offline_access and consent (prompt=consent)', async () => {
    assert.equal((await signIn('openid')).refresh_token, undefined);
    // offline_access without prompt=consent is ignored (OIDC Core §11).
    assert.equal((await signIn('openid offline_access')).refresh_token, undefined);
    const tokens = await signIn('openid offline_access', { prompt: 'consent' });
    assert.ok(tokens.refresh_token);

    // An ID token from a refresh carries at_hash for its new access token too.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
    const claims = refreshed.claims();
    assert.equal(claims?.sub, world.user.id);
    assert.equal(claims?.at_hash, atHashOf(refreshed.access_token));
  });
});
