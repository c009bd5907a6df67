import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as oidc from 'openid-client';
import type { User } from '../src/identity/index.ts';
import { operatorActor, withOrg } from '../src/platform/index.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { testDatabaseUrl } from './support/database.ts';
import { browserLike, form, request } from './support/http.ts';
import { startNode, type VigilNode } from './support/nodes.ts';
import { freePort, offlineSignIn, redirectUri } from './support/oidc.ts';

/**
 * Issue 19 point 5: two Vigil processes on one PostgreSQL database. A user deactivated on node A
 * (by the directory through SCIM, or through the admin API) is refused on node B within one
 * second: the session cookie, the refresh token, introspection of the access token, the API key
 * (docs/lifecycle.md#several-nodes).
 */
describe('several nodes: a deprovisioning on one is refused on the other within a second', {
  skip: testDatabaseUrl ? false : 'needs PostgreSQL: two processes share one database',
}, () => {
  let core: TestCore;
  let auth: ReturnType<typeof authServices>;
  let nodeA: VigilNode;
  let nodeB: VigilNode;
  let orgId: string;
  let client: { id: string; secret: string };
  let rp: oidc.Configuration;
  /** The operator's key on node A (users.deactivate, clients.manage). */
  let adminKey: string;
  /** The HR directory's SCIM token. */
  let scimToken: string;
  const password = 'Correct-Horse-Battery-9';

  before(async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    // The deployment's one public address: node A's here (a load balancer's in production).
    const publicUrl = `https://localhost:${portA}`;
    core = await openTestCore({ env: { VIGIL_PUBLIC_URL: publicUrl } });
    auth = authServices(core);
    orgId = await core.createOrg('acme');
    const env = {
      DATABASE_URL: core.testDb.ownerUrl ?? '',
      VIGIL_MASTER_KEY: core.masterKey,
      VIGIL_PUBLIC_URL: publicUrl,
    };
    [nodeA, nodeB] = await Promise.all([startNode(portA, env), startNode(portB, env)]);
    const created = await withOrg(core.database, orgId, (tx) =>
      auth.oauth.clients.create(
        tx,
        orgId,
        { name: 'Acme Web', kind: 'web', firstParty: true, redirectUris: [redirectUri] },
        operatorActor,
      ),
    );
    client = { id: created.client.id, secret: created.secret ?? '' };
    rp = await oidc.discovery(new URL(publicUrl), client.id, client.secret);
    adminKey = (
      await auth.apiKeys.createInOrg(
        orgId,
        { name: 'HR', permissions: ['users.deactivate', 'users.read', 'clients.manage'] },
        operatorActor,
      )
    ).token;
    scimToken = (await auth.scimTokens.createInOrg(orgId, { name: 'Entra ID' }, operatorActor))
      .token;
  });
  after(async () => {
    await Promise.all([nodeA?.stop(), nodeB?.stop()]);
    await core?.close();
  });

  /** Everything a leaver holds: a session on node A, OAuth tokens, an API key of their own. */
  async function leaver(email: string) {
    const user: User = await auth.createUser(orgId, email, password);
    await withOrg(core.database, orgId, async (tx) => {
      await auth.rbac.assign(
        tx,
        { orgId, userId: user.id, roleKey: 'org-auditor', reason: 'test' },
        null,
        operatorActor,
      );
    });
    const { token: apiKey } = await withOrg(core.database, orgId, (tx) =>
      auth.apiKeys.create(
        tx,
        orgId,
        { name: 'my script', permissions: ['users.read'] },
        { userId: user.id, orgId },
        { type: 'user', id: user.id },
      ),
    );
    const browser = browserLike(nodeA.base);
    const tokens = await offlineSignIn(rp, (url) => signIn(browser, url, email));
    const session = browser.jar.get('__Host-vigil-session');
    assert.ok(session, 'the sign-in left a Vigil session cookie');
    return {
      user,
      apiKey,
      session,
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
    };
  }
  type Leaver = Awaited<ReturnType<typeof leaver>>;

  /** Walks the hosted sign-in on node A until the provider redirects to the client. */
  async function signIn(browser: ReturnType<typeof browserLike>, url: URL, email: string) {
    let res = await browser.get(url.pathname + url.search);
    for (let hops = 0; hops < 20; hops++) {
      const location = res.headers.location;
      if (location?.startsWith(redirectUri)) return new URL(location);
      if (res.status === 200 && res.text.includes('name="password"'))
        res = await browser.post('/login', { email, password, csrf: browser.csrf() });
      else if (location) {
        const next = new URL(location, nodeA.base);
        res = await browser.get(next.pathname + next.search);
      } else assert.fail(`stuck at ${res.status}: ${res.text.slice(0, 300)}`);
    }
    assert.fail('too many redirects');
  }

  const basic = () =>
    `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`;
  const oauthPost = (node: VigilNode, path: string, fields: Record<string, string>) => {
    const body = form(fields);
    return request(`${node.base}${path}`, {
      method: 'POST',
      headers: { ...body.headers, authorization: basic() },
      body: body.body,
    });
  };

  /** What node B says of each of the leaver's credentials: true while it accepts it. */
  const onB = {
    session: async (l: Leaver) =>
      (
        await request(`${nodeB.base}/account`, {
          headers: { cookie: `__Host-vigil-session=${l.session}` },
        })
      ).status === 200,
    refreshToken: async (l: Leaver) => {
      const res = await oauthPost(nodeB, '/oauth2/token', {
        grant_type: 'refresh_token',
        refresh_token: l.refreshToken,
      });
      if (res.status === 200) {
        // Rotated: the next check presents the new one.
        l.refreshToken = res.json().refresh_token;
        return true;
      }
      assert.equal(res.json().error, 'invalid_grant');
      return false;
    },
    introspection: async (l: Leaver) =>
      (await oauthPost(nodeB, '/oauth2/introspect', { token: l.accessToken })).json().active ===
      true,
    apiKey: async (l: Leaver) => {
      const res = await request(`${nodeB.base}/api/v1/orgs/${orgId}/users?limit=1`, {
        headers: { authorization: `Bearer ${l.apiKey}` },
      });
      assert.ok(res.status === 200 || res.status === 401, `API key answer ${res.status}`);
      return res.status === 200;
    },
  };

  async function acceptedOnB(l: Leaver) {
    for (const [surface, accepts] of Object.entries(onB))
      assert.equal(await accepts(l), true, `node B accepts the ${surface} before`);
  }

  /** Polls node B until each surface refuses; returns the milliseconds each took. */
  async function refusedOnBWithin1s(l: Leaver, since: number) {
    const took: Record<string, number> = {};
    await Promise.all(
      Object.entries(onB).map(async ([surface, accepts]) => {
        while (await accepts(l)) {
          assert.ok(performance.now() - since < 1000, `node B still accepts the ${surface}`);
          await sleep(10);
        }
        took[surface] = Math.round(performance.now() - since);
        assert.ok(took[surface] < 1000, `${surface} refused only after ${took[surface]} ms`);
      }),
    );
    return took;
  }

  test('deprovisioned through the admin API on node A', async () => {
    const l = await leaver('leaver.api@acme.test');
    await acceptedOnB(l);
    const res = await request(`${nodeA.base}/api/v1/orgs/${orgId}/users/${l.user.id}/deprovision`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}` },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json().status, 'deprovisioned');
    const took = await refusedOnBWithin1s(l, performance.now());
    assert.deepEqual(Object.keys(took).sort(), Object.keys(onB).sort());
  });

  /** A SCIM request to node A, as the directory sends it. */
  const scim = (method: string, l: Leaver, body?: unknown) =>
    request(`${nodeA.base}/scim/v2/acme/Users/${l.user.id}`, {
      method,
      headers: {
        authorization: `Bearer ${scimToken}`,
        ...(body ? { 'content-type': 'application/scim+json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });

  test('deactivated by the directory on node A: SCIM PATCH active "False" (Entra ID)', async () => {
    const l = await leaver('leaver.entra@acme.test');
    await acceptedOnB(l);
    const res = await scim('PATCH', l, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', value: { active: 'False' } }],
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(JSON.parse(res.text).active, false);
    await refusedOnBWithin1s(l, performance.now());
  });

  test('deprovisioned by the directory on node A: SCIM DELETE', async () => {
    const l = await leaver('leaver.okta@acme.test');
    await acceptedOnB(l);
    const res = await scim('DELETE', l);
    assert.equal(res.status, 204, res.text);
    await refusedOnBWithin1s(l, performance.now());
  });

  test('suspended through the admin API on node A', async () => {
    const l = await leaver('leaver.suspended@acme.test');
    await acceptedOnB(l);
    const res = await request(`${nodeA.base}/api/v1/orgs/${orgId}/users/${l.user.id}/suspend`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}` },
    });
    assert.equal(res.status, 200, res.text);
    await refusedOnBWithin1s(l, performance.now());
  });

  test('a client disabled on node A is refused by node B at once, not after its cache time', async () => {
    const l = await leaver('still.here@acme.test');
    // Node B has just looked the client up: without the change feed it would keep it 3 s.
    assert.equal(await onB.introspection(l), true);
    const res = await request(`${nodeA.base}/api/v1/orgs/${orgId}/clients/${client.id}/disable`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}` },
    });
    assert.equal(res.status, 200, res.text);
    const since = performance.now();
    for (;;) {
      const answer = await oauthPost(nodeB, '/oauth2/introspect', { token: l.accessToken });
      if (answer.status === 401) {
        assert.equal(answer.json().error, 'invalid_client');
        break;
      }
      assert.ok(performance.now() - since < 1000, 'node B still serves the disabled client');
      await sleep(10);
    }
  });
});
