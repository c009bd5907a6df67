import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  type JSONWebKeySet,
  jwtVerify,
} from 'jose';
import type Provider from 'oidc-provider';
import { createServices } from '../src/app/services.ts';
import {
  fixedClock,
  operatorActor,
  platformOrgId,
  systemActor,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { request } from './support/http.ts';

/** The longest a token can live: a client may ask for ID and access tokens of up to a day. */
const longestTokenMs = 86_400_000;
const second = 1000;
const hour = 3_600_000;

interface Issued {
  jwt: string;
  kid: string;
  /** On the schedule's clock. */
  issuedAt: number;
}

describe('signing-key rotation', () => {
  const clock = fixedClock(new Date('2026-09-01T08:00:00Z'));
  let core: TestCore;
  let oauth: ReturnType<typeof createServices>['oauth'];
  let server: http.Server;
  let base: string;
  let clientId: string;
  const issued: Issued[] = [];

  before(async () => {
    core = await openTestCore({ clock });
    oauth = createServices(core).oauth;
    const orgId = await core.createOrg('acme');
    clientId = await withOrg(core.database, orgId, async (tx) => {
      const { client } = await oauth.clients.create(
        tx,
        orgId,
        {
          name: 'Acme Web',
          kind: 'web',
          redirectUris: ['https://rp.acme.test/cb'],
          tokenLifetimes: { idTokenSeconds: longestTokenMs / second },
        },
        operatorActor,
      );
      return client.id;
    });
    await oauth.signingKeys.ensure(systemActor);
    // The provider's own endpoints, on whatever provider the service holds at the moment.
    server = http.createServer((req, res) => oauth.handle(req, res));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  after(async () => {
    server.close();
    await core.close();
  });

  /** Every node reloads the key set each minute; here, when the test says. */
  const reload = (): Promise<Provider> => oauth.reload();

  async function jwks(): Promise<JSONWebKeySet> {
    const res = await request(`${base}/oauth2/jwks`);
    assert.equal(res.status, 200, res.text);
    const set = res.json() as JSONWebKeySet;
    for (const key of set.keys) assert.equal(key.d, undefined, 'never a private part');
    return set;
  }
  const kidsOf = (set: JSONWebKeySet) => set.keys.map((k) => k.kid ?? '').sort();

  /** An ID token from the provider as it is now, remembered with the schedule's time. */
  async function issueIdToken(provider: Provider, sub: string): Promise<Issued> {
    const client = await provider.Client.find(clientId);
    assert.ok(client);
    const token = new provider.IdToken({ sub }, { client, ctx: undefined } as never);
    const jwt = String(await token.issue({ use: 'idtoken' }));
    const entry = {
      jwt,
      kid: String(decodeProtectedHeader(jwt).kid),
      issuedAt: clock.now().getTime(),
    };
    issued.push(entry);
    return entry;
  }

  async function verifies(jwt: string, set: JSONWebKeySet): Promise<boolean> {
    try {
      await jwtVerify(jwt, createLocalJWKSet(set), {
        issuer: core.config.VIGIL_PUBLIC_URL,
        audience: clientId,
      });
      return true;
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey) return false;
      throw err;
    }
  }

  /** The invariant: a token still within the longest lifetime verifies against JWKS now. */
  async function liveTokensVerify(set: JSONWebKeySet): Promise<void> {
    const now = clock.now().getTime();
    for (const token of issued.filter((t) => now < t.issuedAt + longestTokenMs)) {
      assert.ok(kidsOf(set).includes(token.kid), `${token.kid} is in JWKS while its token lives`);
      assert.ok(await verifies(token.jwt, set), `the token of ${token.kid} still verifies`);
    }
  }

  const keyOf = async (kid: string) => {
    const key = (await oauth.signingKeys.list()).find((k) => k.kid === kid);
    assert.ok(key, kid);
    return key;
  };

  it('tokens signed before a rotation keep verifying until their key retires; JWKS never drops a key that signed a live token', async () => {
    // Before: one key per algorithm signs; ID tokens are ES256.
    let provider = await reload();
    const first = await issueIdToken(provider, 'user-1');
    assert.match(first.kid, /^es256-/);
    const initial = await jwks();
    assert.equal(initial.keys.length, 2);
    assert.ok(await verifies(first.jwt, initial));
    const rs1 = initial.keys.find((k) => k.alg === 'RS256')?.kid ?? '';

    // Manual rotation a day later: new keys are published now and sign after the publish-ahead.
    clock.advance(24 * hour);
    const rotated = await oauth.signingKeys.rotate(undefined, operatorActor);
    assert.deepEqual(
      rotated.map((r) => r.alg),
      ['ES256', 'RS256'],
    );
    const es = rotated[0];
    assert.ok(es);
    const activateAt = es.activateAt.getTime();
    assert.equal(activateAt, clock.now().getTime() + hour, 'published an hour ahead');
    assert.deepEqual(
      es.replaces.map((r) => r.kid),
      [first.kid],
    );
    const removeAt = es.replaces[0]?.removeAt.getTime() ?? 0;
    assert.ok(
      removeAt - activateAt > longestTokenMs,
      'a retired key stays in JWKS longer than any token it signed lives',
    );
    assert.equal((await keyOf(es.kid)).state, 'published');

    provider = await reload();
    const ahead = await jwks();
    assert.deepEqual(kidsOf(ahead), [first.kid, es.kid, rs1, rotated[1]?.kid ?? ''].sort());
    // Published, not signing yet: the old key signs until the new one activates.
    clock.set(new Date(activateAt - second));
    provider = await reload();
    const lastOld = await issueIdToken(provider, 'user-2');
    assert.equal(lastOld.kid, first.kid);
    await liveTokensVerify(await jwks());

    // Activation: the new key signs, the old one is retired but still published.
    clock.set(new Date(activateAt));
    provider = await reload();
    const fresh = await issueIdToken(provider, 'user-3');
    assert.equal(fresh.kid, es.kid, 'new tokens are signed by the new key');
    assert.equal((await keyOf(first.kid)).state, 'retired');
    assert.equal((await keyOf(es.kid)).state, 'active');
    const afterActivation = await jwks();
    assert.ok(kidsOf(afterActivation).includes(first.kid));
    assert.ok(await verifies(first.jwt, afterActivation), 'a token from before the rotation');
    assert.ok(await verifies(lastOld.jwt, afterActivation));
    await liveTokensVerify(afterActivation);

    // Through the retirement period the old key stays, until its last token could have expired.
    for (const at of [
      activateAt + 12 * hour,
      lastOld.issuedAt + longestTokenMs - second,
      removeAt - second,
    ]) {
      clock.set(new Date(at));
      provider = await reload();
      const set = await jwks();
      assert.ok(
        kidsOf(set).includes(first.kid),
        `still published at ${new Date(at).toISOString()}`,
      );
      assert.ok(await verifies(lastOld.jwt, set));
      await liveTokensVerify(set);
      assert.equal((await issueIdToken(provider, 'user-4')).kid, es.kid);
    }

    // Removal: retire + keepAfterRetire has passed; only then does the old key leave JWKS.
    clock.set(new Date(removeAt));
    provider = await reload();
    const removed = await jwks();
    assert.deepEqual(kidsOf(removed), [es.kid, rotated[1]?.kid ?? ''].sort());
    assert.equal((await keyOf(first.kid)).state, 'removed');
    assert.equal((await keyOf(rs1)).state, 'removed');
    assert.equal(await verifies(first.jwt, removed), false, 'its tokens have all expired by now');
    assert.ok(await verifies(fresh.jwt, removed));
    await liveTokensVerify(removed);

    // Audited: each new key and each rotation, with what it replaced.
    const events = await withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['action', 'target_id', 'details', 'actor_type', 'org_id'])
        .where('action', '=', 'oauth.signing_key.rotated')
        .orderBy('seq')
        .execute(),
    );
    assert.deepEqual(
      events.map((e) => [e.target_id, JSON.parse(e.details).replaced, e.actor_type, e.org_id]),
      [
        [es.kid, [first.kid], 'operator', platformOrgId],
        [rotated[1]?.kid, [rs1], 'operator', platformOrgId],
      ],
    );
  });
});
