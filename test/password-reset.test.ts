import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../src/app/server.ts';
import { withPlatform } from '../src/platform/index.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { recordStatements } from './support/database.ts';
import { browserLike, captureMail, startTestServer } from './support/http.ts';

describe('password reset and lock notices by mail', () => {
  let core: TestCore;
  let server: RunningServer;
  const mail = captureMail();
  const password = 'Original-Secret-Pass-1';

  before(async () => {
    core = await openTestCore();
    server = await startTestServer(core, {}, { mailer: mail });
    const auth = authServices(core);
    const orgId = await core.createOrg('reset-co');
    await auth.createUser(orgId, 'rita@reset.test', password);
  });
  after(async () => {
    await server.stop();
    await core.close();
  });

  const actions = async (action: string) =>
    withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['outcome', 'details'])
        .where('action', '=', action)
        .execute(),
    );

  it('answers the same for a known and an unknown email, and mails a single-use link', async () => {
    const b = browserLike(server.url);
    await b.get('/password-reset');
    const nextMail = mail.next();
    const known = await b.post('/password-reset', { email: 'rita@reset.test', csrf: b.csrf() });
    const unknown = await b.post('/password-reset', { email: 'nobody@reset.test', csrf: b.csrf() });
    assert.equal(known.status, 200);
    assert.equal(unknown.status, 200);
    assert.equal(known.text, unknown.text);
    const message = await nextMail;
    assert.equal(mail.sent.length, 1);
    assert.equal(message.to, 'rita@reset.test');
    const link = /https:\/\/\S+\/password-reset\/confirm\?token=\S+/.exec(message.text)?.[0] ?? '';
    assert.ok(link);
    const path = link.replace(/^https:\/\/[^/]+/, '');
    const other = browserLike(server.url);
    await other.get('/login');
    await other.post('/login', { email: 'rita@reset.test', password, csrf: other.csrf() });
    assert.equal((await other.get('/account')).status, 200);

    assert.equal((await b.get(path)).status, 200);
    const mismatch = await b.post(path, {
      password: 'Brand-New-Secret-77',
      confirmation: 'other',
      csrf: b.csrf(),
    });
    assert.equal(mismatch.status, 400);
    const weak = await b.post(path, { password: 'short', confirmation: 'short', csrf: b.csrf() });
    assert.equal(weak.status, 400);
    assert.match(weak.text, /at least 12 characters/);
    const done = await b.post(path, {
      password: 'Brand-New-Secret-77',
      confirmation: 'Brand-New-Secret-77',
      csrf: b.csrf(),
    });
    assert.equal(done.status, 200);
    assert.match(done.text, /password was changed/);
    assert.equal((await b.get(path)).status, 403, 'single use');
    assert.equal((await other.get('/account')).status, 303, 'every session ended');
    await b.get('/login');
    const signIn = await b.post('/login', {
      email: 'rita@reset.test',
      password: 'Brand-New-Secret-77',
      csrf: b.csrf(),
    });
    assert.equal(signIn.status, 303);
    const requested = await actions('auth.password_reset.requested');
    assert.deepEqual(requested.map((r) => r.outcome).sort(), ['failure', 'success']);
    assert.equal((await actions('auth.password_reset.completed')).length, 1);
    assert.ok(!JSON.stringify(requested).includes('token'));
  });

  it('answers before any statement runs, for an active account’s email as for an unknown one', async () => {
    // What runs before the answer is what its time is made of (docs/authentication.md#timing).
    const { passwordReset } = authServices(core);
    const client = { ip: '203.0.113.9', userAgent: 'reset-test' };
    const beforeAnswer = async (email: string) => {
      const recording = recordStatements();
      try {
        await passwordReset.request(email, client);
        return [...recording.statements];
      } finally {
        recording.stop();
        await passwordReset.settled();
      }
    };
    const requestedFor = async (email: string) =>
      (await actions('auth.password_reset.requested')).filter((r) =>
        email === 'rita@reset.test'
          ? r.outcome === 'success'
          : JSON.parse(r.details).email === email,
      ).length;
    const known = await requestedFor('rita@reset.test');
    const unknown = await requestedFor('nobody-else@reset.test');
    assert.deepEqual(await beforeAnswer('rita@reset.test'), []);
    assert.deepEqual(await beforeAnswer('nobody-else@reset.test'), []);
    // The work was done after the answer, and audited.
    assert.equal(await requestedFor('rita@reset.test'), known + 1);
    assert.equal(await requestedFor('nobody-else@reset.test'), unknown + 1);
  });

  it('refuses unknown and tampered links', async () => {
    const b = browserLike(server.url);
    assert.equal((await b.get('/password-reset/confirm?token=nope')).status, 403);
    await b.get('/password-reset');
    const forged = await b.post('/password-reset/confirm?token=nope.nope', {
      password: 'Whatever-Secret-12',
      confirmation: 'Whatever-Secret-12',
      csrf: b.csrf(),
    });
    assert.equal(forged.status, 403);
    await new Promise((r) => setTimeout(r, 50));
    const failures = await withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'auth.password_reset.failed')
        .execute(),
    );
    assert.deepEqual(failures.map((f) => JSON.parse(f.details).reason).sort(), [
      'password.policy',
      'password.policy',
      'reset.link_invalid',
    ]);
    assert.equal(
      (await b.get('/password-reset/confirm?token=01a21818-0000-7000-8000-000000000000.AAAA'))
        .status,
      403,
    );
  });

  it('mails the owner when their account gets locked', async () => {
    const b = browserLike(server.url);
    await b.get('/login');
    const before = mail.sent.length;
    const locked = mail.next();
    for (let i = 0; i < 10; i++) {
      // Wait out the growing delay so each attempt counts.
      await core.database.ownerTransaction((s) =>
        s.query("UPDATE auth_lockouts SET last_failure_at = now() - interval '1 hour'"),
      );
      await b.post('/login', { email: 'rita@reset.test', password: `wrong-${i}`, csrf: b.csrf() });
    }
    const notice = await locked;
    assert.equal(mail.sent.length, before + 1);
    assert.equal(notice.to, 'rita@reset.test');
    assert.match(notice.subject, /locked/);
  });
});
