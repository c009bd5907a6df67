import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../src/identity/index.ts';
import { platformOrgId, withPlatform } from '../src/platform/index.ts';
import { type OidcWorld, startAdminApiWorld } from './support/admin-api.ts';
import { requiredHeaders } from './support/fuzz/checks.ts';
import { browserLike, request } from './support/http.ts';

/** Answers that the router refuses and the rest alike: every security header, no path repeated. */
function assertGuarded(res: { headers: Record<string, unknown>; text: string }, sent: string) {
  for (const name of requiredHeaders) assert.ok(res.headers[name], `${name} on ${sent}`);
  assert.ok(!res.text.includes(sent), `the answer repeats ${sent}`);
}

describe('bad input is refused, never a 500', () => {
  let world: OidcWorld;
  let token: string;
  let call: Awaited<ReturnType<typeof startAdminApiWorld>>['call'];

  before(async () => {
    const started = await startAdminApiWorld();
    ({ world, call } = started);
    const root: User = await started.userWithRole(
      platformOrgId,
      'root@platform.test',
      'platform-admin',
    );
    token = await started.tokenFor(root);
  });
  after(() => world.close());

  it('answers a NUL in any admin API string with a 400 problem naming the field', async () => {
    const org = `/orgs/${world.orgId}`;
    const user = `${org}/users/${world.user.id}`;
    const etag = async (path: string) => String((await call('GET', path, token)).headers.etag);
    const password = (await call('GET', `${org}/policies/password`, token)).json().policy;
    const cases: [string, string, unknown, Record<string, string>?][] = [
      ['POST', `${org}/users`, { email: 'nul@acme.test', displayName: 'Nul\u0000Byte' }],
      ['PATCH', user, { displayName: 'Nul\u0000Byte' }, { 'if-match': await etag(user) }],
      [
        'POST',
        `${org}/roles`,
        {
          key: 'nul-role',
          name: 'Nul\u0000Role',
          description: 'd',
          purpose: 'p',
          permissions: ['users.read'],
        },
      ],
      ['POST', `${org}/clients`, { name: 'Nul\u0000App', kind: 'web' }],
      [
        'POST',
        `${org}/clients`,
        { name: 'App', kind: 'web', redirectUris: ['https://rp.test/cb\u0000'] },
      ],
      [
        'PUT',
        `${org}/policies/password`,
        { ...password, blockedWords: ['acme\u0000'] },
        { 'if-match': await etag(`${org}/policies/password`) },
      ],
      ['GET', `${org}/audit-events?targetType=user%00`, undefined],
      [
        'POST',
        `${org}/api-keys/00000000-0000-7000-8000-000000000000/revoke`,
        { reason: 'gone\u0000' },
      ],
    ];
    for (const [method, path, body, headers] of cases) {
      const res = await call(method, path, token, body, headers);
      const label = `${method} ${path} ${JSON.stringify(body)}`;
      assert.equal(res.status, 400, `${label}: ${res.status} ${res.text}`);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/, label);
      const problem = res.json();
      assert.match(problem.code, /^api\.invalid_(body|query)$/, label);
      assert.ok(
        problem.errors.some((e: { message: string }) => /control character/.test(e.message)),
        `${label}: ${res.text}`,
      );
    }
  });

  it('answers router refusals (a long path parameter, a bad escape) as problems with every header', async () => {
    const long = 'x'.repeat(101);
    for (const [path, status, code] of [
      [`/api/v1/orgs/${long}/users`, 414, 'request.path_too_long'],
      [`/api/v1/orgs/%ZZ/users`, 400, 'request.bad_url'],
      [`/oauth2/%ZZ`, 400, 'request.bad_url'],
    ] as const) {
      const res = await request(`${world.base}${path}`, {
        headers: { authorization: `Bearer ${token}`, 'x-request-id': 'trace-router' },
      });
      assert.equal(res.status, status, path);
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(res.headers['x-request-id'], 'trace-router');
      assertGuarded(res, path.includes('%ZZ') ? '%ZZ' : long);
      const problem = res.json();
      assert.deepEqual(
        { status: problem.status, code: problem.code, requestId: problem.requestId },
        { status, code, requestId: 'trace-router' },
      );
      assert.equal(problem.instance, undefined);
    }
    // oidc-provider's routes: a NUL it would store (a logout's state) or look up (a client id).
    for (const [method, path, body] of [
      ['GET', '/oauth2/logout?state=a%00b', undefined],
      ['GET', '/oauth2/authorize?client_id=%00&response_type=code', undefined],
      ['POST', '/oauth2/token', 'grant_type=client_credentials&client_id=a%00b'],
    ] as const) {
      const res = await request(`${world.base}${path}`, {
        method,
        ...(body ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body } : {}),
      });
      assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status} ${res.text}`);
      assertGuarded(res, '%00');
    }
    // A browser gets a plain page, with the same headers.
    const page = await request(`${world.base}/interaction/${long}`, {
      headers: { accept: 'text/html' },
    });
    assert.equal(page.status, 414);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.text, /URI Too Long/);
    assertGuarded(page, long);
  });

  it('treats a repeated or NUL form field as missing: the generic sign-in failure, counted and audited', async () => {
    const browser = browserLike(world.base);
    await browser.get('/login');
    const post = (path: string, body: string) =>
      request(`${world.base}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: [...browser.jar].map(([k, v]) => `${k}=${v}`).join('; '),
        },
        body: `${body}&csrf=${encodeURIComponent(browser.csrf())}`,
      });
    const signIn = async (body: string) => {
      const res = await post('/login', `${body}&password=wrong-password`);
      assert.equal(res.status, 401, `${body}: ${res.status} ${res.text.slice(0, 200)}`);
      assert.match(res.text, /The email or password is not right/);
    };
    const failures = () =>
      withPlatform(world.core.database, async (tx) =>
        Number(
          (
            await tx
              .selectFrom('audit_events')
              .select((eb) => eb.fn.countAll().as('n'))
              .where('action', '=', 'auth.login.failed')
              .executeTakeFirstOrThrow()
          ).n,
        ),
      );
    const before = await failures();
    await signIn(
      `email=${encodeURIComponent(world.email)}&email=${encodeURIComponent(world.email)}`,
    );
    await signIn(`email=${encodeURIComponent(world.email)}%00`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await failures(), before + 2, 'each refused sign-in is audited');

    const email = encodeURIComponent(world.email);
    for (const body of [`email=${email}%00`, `email=${email}&email=${email}`]) {
      const reset = await post('/password-reset', body);
      assert.equal(reset.status, 200, `${body}: ${reset.status} ${reset.text.slice(0, 200)}`);
      assert.match(reset.text, /If an account uses that address/);
    }
  });
});
