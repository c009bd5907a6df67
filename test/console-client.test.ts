import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { consoleClientId } from '../src/oauth/index.ts';
import { operatorActor, platformOrgId, systemActor, withPlatform } from '../src/platform/index.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';

describe("the admin console's client, registered at start", () => {
  let core: TestCore;
  let oauth: ReturnType<typeof authServices>['oauth'];
  const at = (publicUrl: string) => ({ publicUrl, apiAudience: `${publicUrl}/api/v1` });

  const client = () => withPlatform(core.database, (tx) => oauth.clients.get(tx, consoleClientId));
  const events = (action: string) =>
    withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['action', 'details'])
        .where('action', '=', action)
        .where('target_id', '=', consoleClientId)
        .execute(),
    );

  before(async () => {
    core = await openTestCore();
    oauth = authServices(core).oauth;
  });
  after(() => core.close());

  it('is a first-party public platform client of code + PKCE and refresh tokens, for the admin API', async () => {
    // Two nodes starting together: one registers it, the other finds it.
    const both = await Promise.all([
      oauth.clients.ensureConsoleClient(at('https://id.example.test'), systemActor),
      oauth.clients.ensureConsoleClient(at('https://id.example.test'), systemActor),
    ]);
    assert.deepEqual(both, [true, true]);
    assert.equal(
      await oauth.clients.ensureConsoleClient(at('https://id.example.test'), systemActor),
      true,
    );
    const registered = await client();
    assert.ok(registered);
    assert.equal(registered.orgId, platformOrgId);
    assert.equal(registered.kind, 'spa');
    assert.equal(registered.firstParty, true);
    assert.deepEqual(registered.redirectUris, ['https://id.example.test/admin/callback']);
    assert.deepEqual(registered.postLogoutRedirectUris, ['https://id.example.test/admin/']);
    assert.deepEqual(registered.resources, ['https://id.example.test/api/v1']);
    assert.deepEqual(registered.grantTypes, ['authorization_code', 'refresh_token']);
    const metadata = await oauth.findClient(consoleClientId);
    assert.equal(metadata?.token_endpoint_auth_method, 'none');
    assert.equal((await events('oauth.client.created')).length, 1);
  });

  it('changes nothing on the next start, and follows a new public URL (audited)', async () => {
    await oauth.clients.ensureConsoleClient(at('https://id.example.test'), systemActor);
    assert.equal((await events('oauth.client.created')).length, 1);
    assert.equal((await events('oauth.client.updated')).length, 0);

    await oauth.clients.ensureConsoleClient(at('https://login.example.test'), systemActor);
    assert.deepEqual((await client())?.redirectUris, ['https://login.example.test/admin/callback']);
    const updates = await events('oauth.client.updated');
    assert.equal(updates.length, 1);
    const details = JSON.parse(updates[0]?.details ?? '{}');
    assert.deepEqual(details.before.resources, ['https://id.example.test/api/v1']);
    assert.deepEqual(details.after.resources, ['https://login.example.test/api/v1']);
  });

  it("keeps an operator's disabling, and registers nothing for a public URL that is not https", async () => {
    await withPlatform(core.database, (tx) =>
      oauth.clients.disable(tx, consoleClientId, operatorActor),
    );
    await oauth.clients.ensureConsoleClient(at('https://login.example.test'), systemActor);
    assert.equal((await client())?.status, 'disabled');
    assert.equal(
      await oauth.clients.ensureConsoleClient(at('http://id.example.test'), systemActor),
      false,
    );
    assert.deepEqual((await client())?.redirectUris, ['https://login.example.test/admin/callback']);
  });
});
