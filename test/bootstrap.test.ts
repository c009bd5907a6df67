import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../src/app/server.ts';
import { createBootstrapService } from '../src/auth/flows/index.ts';
import { createPasswordService } from '../src/auth/password/index.ts';
import { createIdentityService } from '../src/identity/index.ts';
import { fixedClock, operatorActor, platformOrgId, withPlatform } from '../src/platform/index.ts';
import { createRbac } from '../src/rbac/index.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { form, request, startTestServer } from './support/http.ts';

const strong = 'Tr0ub4dor & horses';

describe('first-administrator bootstrap', () => {
  const clock = fixedClock(new Date('2026-11-26T10:00:00Z'));
  let core: TestCore;
  let server: RunningServer;
  let bootstrap: ReturnType<typeof createBootstrapService>;

  before(async () => {
    core = await openTestCore({ clock });
    server = await startTestServer(core);
    const identity = createIdentityService({
      database: core.database,
      audit: core.audit.record,
      clock,
    });
    bootstrap = createBootstrapService({
      database: core.database,
      audit: core.audit,
      identity,
      rbac: createRbac({
        database: core.database,
        audit: core.audit.record,
        clock,
        identity,
        platformOrgId,
        requestTtlDays: 7,
      }),
      passwords: createPasswordService({ audit: core.audit.record, clock }),
      clock,
      publicUrl: server.url,
      ttlMinutes: 60,
      platformOrgId,
    });
  });
  after(async () => {
    await server.stop();
    await core.close();
  });

  const tokenOf = (url: string) => new URL(url).searchParams.get('token') ?? '';
  const submit = (token: string, fields: Record<string, string>) =>
    request(`${server.url}/bootstrap`, { method: 'POST', ...form({ token, ...fields }) });
  const events = (action: string) =>
    withPlatform(core.database, (tx) =>
      tx.selectFrom('audit_events').selectAll().where('action', '=', action).execute(),
    );
  const userCount = async () =>
    (await withPlatform(core.database, (tx) => tx.selectFrom('users').select('id').execute()))
      .length;

  it('issues an expiring link whose page is a plain form with a strict CSP', async () => {
    const link = await bootstrap.issueLink(operatorActor);
    assert.equal(link.expiresAt.toISOString(), '2026-11-26T11:00:00.000Z');
    const page = await request(link.url);
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(
      String(page.headers['content-security-policy']),
      /default-src 'none'; style-src 'self'/,
    );
    assert.match(page.text, /<form method="post" action="\/bootstrap"/);
    assert.match(page.text, /<label for="password">/);
    assert.ok(!page.text.includes('<script'));
    const issued = await events('bootstrap.link.issued');
    assert.ok(issued.length >= 1);
    assert.ok(!issued.some((e) => e.details.includes(tokenOf(link.url).split('.')[1] ?? '')));
  });

  it('refuses unknown, tampered, revoked and expired links', async () => {
    assert.equal((await request(`${server.url}/bootstrap?token=nope`)).status, 403);
    const first = await bootstrap.issueLink(operatorActor);
    const tampered = `${tokenOf(first.url).slice(0, -1)}${tokenOf(first.url).endsWith('A') ? 'B' : 'A'}`;
    assert.equal((await request(`${server.url}/bootstrap?token=${tampered}`)).status, 403);
    const second = await bootstrap.issueLink(operatorActor);
    assert.equal((await request(first.url)).status, 403, 'a fresh link revokes the earlier one');
    assert.equal((await request(second.url)).status, 200);
    clock.advance(61 * 60_000);
    assert.equal((await request(second.url)).status, 403, 'expired');
    const expiredPost = await submit(tokenOf(second.url), {
      email: 'root@example.test',
      displayName: 'Root',
      password: strong,
      passwordConfirmation: strong,
    });
    assert.equal(expiredPost.status, 403);
    assert.equal(await userCount(), 0);
  });

  it('enforces the default password policy, listing every failed rule, and creates nothing', async () => {
    const link = await bootstrap.issueLink(operatorActor);
    const weak = await submit(tokenOf(link.url), {
      email: 'ada@example.test',
      displayName: 'Ada Lovelace',
      password: 'lovelace1',
      passwordConfirmation: 'lovelace2',
    });
    assert.equal(weak.status, 400);
    assert.match(weak.text, /at least 12 characters/);
    assert.match(weak.text, /at least 3 of/);
    assert.match(weak.text, /name, email address/);
    assert.match(weak.text, /passwords differ/);
    assert.match(weak.text, /value="ada@example.test"/, 'keeps what was typed, except passwords');
    assert.ok(!weak.text.includes('lovelace1'));
    assert.equal(await userCount(), 0);
    const failed = await events('bootstrap.failed');
    assert.ok(failed.some((e) => JSON.parse(e.details).reason === 'password.policy'));
    assert.ok(failed.every((e) => !e.details.includes('lovelace1')));
  });

  it('creates exactly one platform administrator, audits it, and then closes', async () => {
    const link = await bootstrap.issueLink(operatorActor);
    const done = await submit(tokenOf(link.url), {
      email: 'ada@example.test',
      displayName: 'Ada Lovelace',
      password: strong,
      passwordConfirmation: strong,
    });
    assert.equal(done.status, 200);
    assert.match(done.text, /ada@example.test is now the platform administrator/);
    const [user] = await withPlatform(core.database, (tx) =>
      tx.selectFrom('users').selectAll().execute(),
    );
    assert.equal(user?.org_id, platformOrgId);
    assert.equal(user?.status, 'active');
    const credential = await withPlatform(core.database, (tx) =>
      tx.selectFrom('password_credentials').selectAll().executeTakeFirstOrThrow(),
    );
    assert.match(credential.hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const roles = await withPlatform(core.database, (tx) =>
      tx.selectFrom('role_assignments').selectAll().execute(),
    );
    assert.deepEqual(
      roles.map((r) => [r.user_id, r.role_key]),
      [[user?.id, 'platform-admin']],
    );
    for (const action of [
      'bootstrap.completed',
      'user.created',
      'user.password.set',
      'role.assigned',
    ]) {
      const [event] = await events(action);
      assert.ok(event, `${action} audited`);
      assert.equal(event.actor_ip, '127.0.0.1');
      assert.ok(!event.details.includes(strong));
    }
    // The link is used up, and no new link can be issued.
    const again = await submit(tokenOf(link.url), {
      email: 'eve@example.test',
      displayName: 'Eve',
      password: strong,
      passwordConfirmation: strong,
    });
    assert.equal(again.status, 403);
    await assert.rejects(
      bootstrap.issueLink(operatorActor),
      (err: Error & { code?: string }) => err.code === 'bootstrap.closed',
    );
    assert.equal(await bootstrap.isOpen(), false);
    assert.equal(await userCount(), 1);
  });
});
