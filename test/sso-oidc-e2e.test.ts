import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withOrg } from '../src/platform/index.ts';
import { startAdminApiWorld } from './support/admin-api.ts';
import { browserLike } from './support/http.ts';
import { startUpstreamOidc, type UpstreamOidc } from './support/upstream-oidc.ts';

type Browser = ReturnType<typeof browserLike>;
type World = Awaited<ReturnType<typeof startAdminApiWorld>>;

const secret = 'upstream-client-secret-for-vigil-e2e';

/**
 * Signing in to Vigil through an organization's own OpenID provider, end to end: Vigil's
 * /sso/{id}/start sends the browser to an independent provider (oidc-provider on another port),
 * whose answer at /sso/{id}/callback becomes a Vigil session (docs/sso.md).
 */
describe('SSO through an upstream OpenID provider', () => {
  let upstream: UpstreamOidc;
  let world: World;
  let adminToken: string;
  let jit: { id: string; redirectUri: string };

  const api = (method: string, path: string, body?: unknown) =>
    world.call(method, `/orgs/${world.world.orgId}${path}`, adminToken, body);

  /** Creates an OIDC connection through the admin API, registering Vigil at the upstream. */
  async function connect(name: string, provisioning: 'jit' | 'match', clientId: string) {
    // Registered first with a placeholder: Vigil checks the client when the connection is made,
    // and the redirect URI names the connection, known only once it exists.
    await upstream.registerClient({
      clientId,
      clientSecret: secret,
      redirectUris: ['https://placeholder.example/callback'],
    });
    const res = await api('POST', '/sso/connections', {
      name,
      protocol: 'oidc',
      provisioning,
      oidc: { issuer: upstream.issuer, clientId, clientSecret: secret },
    });
    assert.equal(res.status, 201, res.text);
    const created = res.json();
    assert.equal(created.oidc.hasClientSecret, true);
    assert.ok(!res.text.includes(secret), 'the secret is never returned');
    const redirectUri = created.serviceProvider.redirectUri as string;
    assert.equal(redirectUri, `${world.world.base}/sso/${created.id}/callback`);
    await upstream.registerClient({ clientId, clientSecret: secret, redirectUris: [redirectUri] });
    return { id: created.id as string, redirectUri };
  }

  /** Vigil's start, the upstream's pages, and back to Vigil's callback: its answer. */
  async function federatedSignIn(
    connectionId: string,
    vigil: Browser = browserLike(world.world.base),
    /** The browser that brings the answer back (another one: login CSRF). */
    presenter: Browser = vigil,
  ) {
    const started = await vigil.get(`/sso/${connectionId}/start`);
    assert.equal(started.status, 302, started.text.slice(0, 300));
    const atUpstream = browserLike(upstream.issuer);
    let url = new URL(String(started.headers.location));
    for (let hops = 0; hops < 10 && url.origin === upstream.issuer; hops++) {
      const res = await atUpstream.get(url.pathname + url.search);
      assert.ok(
        res.headers.location,
        `stuck at the upstream: ${res.status} ${res.text.slice(0, 200)}`,
      );
      url = new URL(res.headers.location, url);
    }
    assert.equal(url.origin, world.world.base, `the upstream sent the browser to ${url.href}`);
    const callback = url.pathname + url.search;
    return { callback, answer: await presenter.get(callback), vigil };
  }

  const events = (action: string) =>
    withOrg(world.world.core.database, world.world.orgId, (tx) =>
      tx
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', action)
        .orderBy('occurred_at')
        .execute(),
    ).then((rows) =>
      rows.map((row) => ({
        ...row,
        details: (typeof row.details === 'string'
          ? JSON.parse(row.details)
          : row.details) as Record<string, unknown>,
      })),
    );

  before(async () => {
    upstream = await startUpstreamOidc();
    world = await startAdminApiWorld({ totp: false }, { VIGIL_OUTBOUND_ALLOW: '127.0.0.1' });
    const admin = await world.userWithRole(world.world.orgId, 'ops@acme.test', 'org-admin');
    adminToken = await world.tokenFor(admin);
    upstream.accounts.set('u-new', {
      sub: 'u-new',
      email: 'newcomer@acme.test',
      email_verified: true,
      name: 'New Comer',
    });
    upstream.accounts.set('u-stranger', {
      sub: 'u-stranger',
      email: 'stranger@acme.test',
      email_verified: true,
    });
    jit = await connect('Acme OIDC', 'jit', 'vigil-jit');
  });
  after(async () => {
    await world?.world.close();
    await upstream?.close();
  });

  it('refuses a connection whose issuer or client the upstream does not confirm', async () => {
    await upstream.registerClient({
      clientId: 'vigil-check',
      clientSecret: secret,
      redirectUris: ['https://placeholder.example/callback'],
    });
    const wrongSecret = await api('POST', '/sso/connections', {
      name: 'Wrong secret',
      protocol: 'oidc',
      provisioning: 'jit',
      oidc: { issuer: upstream.issuer, clientId: 'vigil-check', clientSecret: 'not-it' },
    });
    assert.equal(wrongSecret.status, 400, wrongSecret.text);
    assert.equal(wrongSecret.json().code, 'sso.oidc_client_rejected');
    const port = new URL(upstream.issuer).port;
    const wrongIssuer = await api('POST', '/sso/connections', {
      name: 'Wrong issuer',
      protocol: 'oidc',
      provisioning: 'jit',
      oidc: { issuer: `http://localhost:${port}`, clientId: 'vigil-check', clientSecret: secret },
    });
    assert.equal(wrongIssuer.status, 400, wrongIssuer.text);
    assert.equal(wrongIssuer.json().code, 'sso.oidc_issuer_mismatch');
    const list = await api('GET', '/sso/connections');
    assert.deepEqual(
      list.json().items.map((c: { name: string }) => c.name),
      ['Acme OIDC'],
      'a refused connection changes nothing',
    );
  });

  it('signs a new person in: JIT provisioning, a Vigil session, audited with the connection', async () => {
    upstream.state.decide = () => ({ accountId: 'u-new', amr: ['pwd', 'mfa'] });
    const { answer, vigil } = await federatedSignIn(jit.id);
    assert.equal(answer.status, 303, answer.text.slice(0, 300));
    assert.ok(vigil.jar.get('__Host-vigil-session'), 'a Vigil session cookie');
    const account = await vigil.get(String(answer.headers.location));
    assert.equal(account.status, 200, account.text.slice(0, 200));
    assert.match(account.text, /newcomer@acme\.test/);

    const [provisioned] = await events('sso.user.provisioned');
    assert.ok(provisioned, 'the new user is audited as provisioned');
    const [succeeded] = await events('sso.login.succeeded');
    assert.ok(succeeded);
    assert.equal(succeeded.details.connectionId, jit.id);
    assert.equal(succeeded.details.protocol, 'oidc');
    assert.equal(succeeded.details.subject, 'u-new');
    assert.equal(succeeded.details.upstreamMfa, true, 'amr mfa counts upstream');
    assert.match(String(succeeded.details.reference), /^sha256:[0-9a-f]{64}$/);
    assert.ok(!JSON.stringify(succeeded).includes(secret), 'no secret in the audit event');
  });

  it('over a live session asks the upstream for prompt=login, and refuses an older auth_time', async () => {
    upstream.state.decide = () => ({ accountId: 'u-new' });
    const { answer, vigil } = await federatedSignIn(jit.id);
    assert.equal(answer.status, 303);
    // Signed in, the browser signs in again (an application asked for a fresh sign-in).
    const asked = await vigil.get(`/sso/${jit.id}/start`);
    const request = new URL(String(asked.headers.location));
    assert.equal(request.searchParams.get('prompt'), 'login');
    assert.equal(request.searchParams.get('max_age'), '0');
    const anonymous = await browserLike(world.world.base).get(`/sso/${jit.id}/start`);
    assert.equal(new URL(String(anonymous.headers.location)).searchParams.get('prompt'), null);

    upstream.state.tamperToken = async (body) => ({
      ...body,
      id_token: await upstream.resign(String(body.id_token), {
        auth_time: Math.floor(Date.now() / 1000) - 3600,
      }),
    });
    try {
      const stale = await federatedSignIn(jit.id, vigil);
      assert.equal(stale.answer.status, 400, stale.answer.text.slice(0, 200));
      assert.equal(
        (await events('sso.login.failed')).at(-1)?.details.reason,
        'sso.authentication_not_fresh',
      );
    } finally {
      upstream.state.tamperToken = null;
    }
    assert.equal((await federatedSignIn(jit.id, vigil)).answer.status, 303, 'a fresh one passes');
  });

  it('refuses the same callback a second time', async () => {
    upstream.state.decide = () => ({ accountId: 'u-new' });
    const { callback, answer } = await federatedSignIn(jit.id);
    assert.equal(answer.status, 303);
    const again = browserLike(world.world.base);
    const replay = await again.get(callback);
    assert.ok(replay.status >= 400 && replay.status < 500, `${replay.status}`);
    assert.equal(again.jar.get('__Host-vigil-session'), undefined);
    const failed = await events('sso.login.failed');
    assert.ok(
      failed.some(
        (e) => e.details.connectionId === jit.id && e.details.reason === 'sso.request_unknown',
      ),
      JSON.stringify(failed.map((e) => e.details)),
    );
  });

  it('refuses a callback brought by another browser than the one that started (login CSRF)', async () => {
    upstream.state.decide = () => ({ accountId: 'u-new' });
    const victim = browserLike(world.world.base);
    const {
      callback,
      answer,
      vigil: starter,
    } = await federatedSignIn(jit.id, browserLike(world.world.base), victim);
    assert.ok(answer.status >= 400 && answer.status < 500, `${answer.status}`);
    assert.equal(victim.jar.get('__Host-vigil-session'), undefined, 'the victim is not signed in');
    const own = await starter.get(callback);
    assert.equal(own.status, 303, 'the request was not used up by the refused answer');
    assert.ok(starter.jar.get('__Host-vigil-session'));
  });

  it('keeps the connection and its users to its organization', async () => {
    const globex = await world.world.core.createOrg('globex');
    const outsider = await world.userWithRole(globex, 'ops@globex.test', 'org-admin');
    const token = await world.tokenFor(outsider);
    const read = await world.call('GET', `/orgs/${globex}/sso/connections/${jit.id}`, token);
    assert.equal(read.status, 404, read.text);
    const change = await world.call('PATCH', `/orgs/${globex}/sso/connections/${jit.id}`, token, {
      provisioning: 'match',
    });
    assert.equal(change.status, 404, change.text);
    const [provisioned] = await withOrg(world.world.core.database, world.world.orgId, (tx) =>
      tx.selectFrom('users').select('org_id').where('email', '=', 'newcomer@acme.test').execute(),
    );
    assert.equal(provisioned?.org_id, world.world.orgId);
    const none = await withOrg(world.world.core.database, globex, (tx) =>
      tx.selectFrom('sso_connections').select('id').execute(),
    );
    assert.deepEqual(none, [], 'globex sees no connection of acme');
  });

  it('refuses an upstream access_denied with a page, and audits it', async () => {
    upstream.state.decide = () => ({ error: 'access_denied', description: 'not assigned' });
    const { answer, vigil } = await federatedSignIn(jit.id);
    assert.equal(answer.status, 401, answer.text.slice(0, 300));
    assert.match(answer.text, /access_denied/);
    assert.equal(vigil.jar.get('__Host-vigil-session'), undefined);
    const failed = await events('sso.login.failed');
    assert.ok(
      failed.some((e) => e.details.reason === 'sso.oidc_upstream_refused'),
      JSON.stringify(failed.map((e) => e.details)),
    );
  });

  it('in match mode, refuses a person who is not already a user', async () => {
    const match = await connect('Acme OIDC (match)', 'match', 'vigil-match');
    upstream.state.decide = () => ({ accountId: 'u-stranger' });
    const { answer, vigil } = await federatedSignIn(match.id);
    assert.equal(answer.status, 403, answer.text.slice(0, 300));
    assert.equal(vigil.jar.get('__Host-vigil-session'), undefined);
    const users = await withOrg(world.world.core.database, world.world.orgId, (tx) =>
      tx.selectFrom('users').select('email').where('email', '=', 'stranger@acme.test').execute(),
    );
    assert.deepEqual(users, [], 'nobody was created');
    const failed = await events('sso.login.failed');
    assert.ok(
      failed.some(
        (e) => e.details.connectionId === match.id && e.details.reason === 'unknown_user',
      ),
      JSON.stringify(failed.map((e) => e.details)),
    );
  });

  it('in match mode, signs in an existing user by their verified email', async () => {
    const match = await connect('Acme OIDC (existing)', 'match', 'vigil-existing');
    upstream.accounts.set('u-dana', {
      sub: 'u-dana',
      email: world.world.email,
      email_verified: true,
    });
    upstream.state.decide = () => ({ accountId: 'u-dana', amr: ['pwd', 'otp'] });
    const { answer, vigil } = await federatedSignIn(match.id);
    assert.equal(answer.status, 303, answer.text.slice(0, 300));
    assert.ok(vigil.jar.get('__Host-vigil-session'));
  });
});
