import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SamlKeyPair } from '../src/crypto/index.ts';
import { withPlatform } from '../src/platform/index.ts';
import { browserLike } from './support/http.ts';
import { startOidcWorld } from './support/oidc.ts';
import {
  acsUrl,
  addApplication,
  independentSp,
  postedForm,
  spEntityId,
  spKey,
  walkToForm,
} from './support/saml-sp.ts';

describe('Vigil as a SAML identity provider: an independent SP signs in', () => {
  let world: Awaited<ReturnType<typeof startOidcWorld>>;
  let key: SamlKeyPair;
  let appId: string;

  before(async () => {
    world = await startOidcWorld({}, { totp: false });
    key = await spKey();
    const app = await addApplication(world, {
      name: 'Wiki',
      entityId: spEntityId,
      acsUrls: [{ url: acsUrl, binding: 'post' }],
      nameIdFormat: 'email',
      attributeMapping: [
        { name: 'email', source: 'email' },
        { name: 'displayName', source: 'displayName' },
        { name: 'org', source: 'orgSlug' },
      ],
      spCertificate: key.certificate,
      idpInitiated: true,
      defaultRelayState: '/home',
    });
    appId = app.id;
  });
  after(() => world.close());

  const events = async (action: string) =>
    withPlatform(world.core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['details', 'target_id', 'org_id'])
        .where('action', '=', action)
        .execute(),
    );

  it('signs in by the Redirect binding through the hosted sign-in, and node-saml accepts the response', async () => {
    const sp = await independentSp(world);
    const url = new URL(await sp.getAuthorizeUrlAsync('relay-1', undefined, {}));
    const browser = browserLike(world.base);
    const res = await walkToForm(world, browser, {
      method: 'GET',
      path: url.pathname + url.search,
    });
    assert.equal(res.status, 200);
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /form-action 'self' https:\/\/sp\.example\.test/);
    assert.match(csp, /script-src 'sha256-/);
    const form = postedForm(res.text);
    assert.equal(form.action, acsUrl);
    assert.equal(form.fields.RelayState, 'relay-1');
    const { profile } = await sp.validatePostResponseAsync(form.fields);
    assert.equal(profile?.nameID, world.email);
    assert.equal(profile?.email, world.email);
    assert.equal(profile?.org, 'acme');
    assert.equal(profile?.issuer, `${world.base}/saml/acme`);
    assert.ok(profile?.sessionIndex);
    const issued = await events('saml.response.issued');
    assert.equal(issued.length, 1);
    assert.equal(issued[0]?.target_id, world.user.id);
  });
});
