import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createIdentityService, type User } from '../src/identity/index.ts';
import { fixedClock, operatorActor, withOrg, withPlatform } from '../src/platform/index.ts';
import { createSessionService } from '../src/sessions/index.ts';
import { openTestCore, type TestCore } from './support/core.ts';

const minute = 60_000;

describe('sessions', () => {
  const clock = fixedClock(new Date('2026-06-01T08:00:00Z'));
  let core: TestCore;
  let orgId: string;
  let user: User;
  let sessions: ReturnType<typeof createSessionService>;
  const ended: string[] = [];
  const inOrg = <T>(fn: Parameters<typeof withOrg<T>>[2]) => withOrg(core.database, orgId, fn);
  const start = () =>
    inOrg((tx) =>
      sessions.create(
        tx,
        {
          user,
          amr: ['pwd', 'otp', 'mfa'],
          acr: 'urn:vigil:acr:mfa',
          ip: '192.0.2.1',
          userAgent: 'test',
        },
        { type: 'user', id: user.id },
      ),
    );
  const endEvents = () =>
    withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['target_id', 'details'])
        .where('action', '=', 'session.ended')
        .execute(),
    );

  before(async () => {
    core = await openTestCore({ clock });
    orgId = await core.createOrg('pied-piper');
    const identity = createIdentityService({
      database: core.database,
      audit: core.audit.record,
      clock,
    });
    user = await inOrg((tx) =>
      identity.createUser(
        tx,
        orgId,
        { email: 'richard@pp.test', displayName: 'Richard' },
        operatorActor,
      ),
    );
    sessions = createSessionService({
      audit: core.audit.record,
      clock,
      database: core.database,
      onEnded: async (s) => {
        ended.push(...s.map((x) => x.id));
      },
    });
  });
  after(() => core.close());

  it('stores only a hash of the secret, records ip, agent and amr, and audits creation', async () => {
    const { session, token } = await start();
    assert.match(token, new RegExp(`^${session.id}\\.[\\w-]{43}$`));
    const [row] = await withPlatform(core.database, (tx) =>
      tx.selectFrom('sessions').selectAll().where('id', '=', session.id).execute(),
    );
    assert.equal(Buffer.from(row?.secret_hash ?? []).length, 32);
    assert.ok(!JSON.stringify(row).includes(token.split('.')[1] ?? ''));
    assert.deepEqual(row?.amr, ['pwd', 'otp', 'mfa']);
    assert.equal((await sessions.authenticate(token))?.id, session.id);
    assert.equal(await sessions.authenticate(`${session.id}.wrong-secret`), undefined);
    assert.equal(await sessions.authenticate('garbage'), undefined);
    const created = await withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'session.created')
        .where('target_id', '=', session.id)
        .execute(),
    );
    assert.equal(created.length, 1);
  });

  it('ends a session after 30 idle minutes, and activity keeps it alive', async () => {
    const { session, token } = await start();
    clock.advance(20 * minute);
    assert.ok(await sessions.authenticate(token), 'active after 20 minutes');
    clock.advance(20 * minute);
    assert.ok(await sessions.authenticate(token), 'activity moved the idle deadline');
    clock.advance(31 * minute);
    assert.equal(await sessions.authenticate(token), undefined);
    const events = await endEvents();
    assert.ok(
      events.some((e) => e.target_id === session.id && JSON.parse(e.details).reason === 'idle'),
    );
    assert.ok(ended.includes(session.id));
  });

  it('ends a session at its absolute lifetime (12 hours) however active', async () => {
    const { session, token } = await start();
    const deadline = session.createdAt.getTime() + 12 * 60 * minute;
    assert.equal(session.absoluteExpiresAt.getTime(), deadline);
    while (clock.now().getTime() + 29 * minute < deadline) {
      clock.advance(29 * minute);
      assert.ok(await sessions.authenticate(token), `active at ${clock.now().toISOString()}`);
    }
    clock.set(new Date(deadline));
    assert.equal(await sessions.authenticate(token), undefined);
    const events = await endEvents();
    assert.ok(
      events.some((e) => e.target_id === session.id && JSON.parse(e.details).reason === 'expired'),
    );
  });

  it('follows the organization session policy', async () => {
    await inOrg((tx) =>
      sessions.setPolicy(tx, orgId, { absoluteHours: 1, idleMinutes: 5 }, operatorActor),
    );
    const { token } = await start();
    clock.advance(6 * minute);
    assert.equal(await sessions.authenticate(token), undefined);
    await assert.rejects(
      inOrg((tx) =>
        sessions.setPolicy(tx, orgId, { absoluteHours: 1, idleMinutes: 90 }, operatorActor),
      ),
      /idleMinutes/,
    );
    await inOrg((tx) =>
      sessions.setPolicy(tx, orgId, { absoluteHours: 12, idleMinutes: 30 }, operatorActor),
    );
  });

  it('lets a user list sessions and end one or all others; admins end all in an org', async () => {
    await inOrg((tx) => sessions.endAllForUser(tx, user.id, 'admin', operatorActor));
    const a = await start();
    const b = await start();
    const c = await start();
    const listed = await inOrg((tx) => sessions.listForUser(tx, user.id));
    assert.deepEqual(
      new Set(listed.map((s) => s.id)),
      new Set([a.session.id, b.session.id, c.session.id]),
    );
    await inOrg((tx) =>
      sessions.endOne(tx, user.id, b.session.id, 'user', { type: 'user', id: user.id }),
    );
    assert.equal(await sessions.authenticate(b.token), undefined);
    const others = await inOrg((tx) =>
      sessions.endAllForUser(tx, user.id, 'user', { type: 'user', id: user.id }, a.session.id),
    );
    assert.deepEqual(
      others.map((s) => s.id),
      [c.session.id],
    );
    assert.ok(await sessions.authenticate(a.token));
    await inOrg((tx) => sessions.endAllInOrg(tx, orgId, operatorActor));
    assert.equal(await sessions.authenticate(a.token), undefined);
    const reasons = (await endEvents()).map((e) => JSON.parse(e.details).reason);
    assert.ok(reasons.includes('user') && reasons.includes('admin'));
  });

  it('sweeps expired sessions and audits their end', async () => {
    clock.advance(13 * 60 * minute);
    await sessions.sweep();
    const fresh = await start();
    const stale = await start();
    await withPlatform(core.database, (tx) =>
      tx
        .updateTable('sessions')
        .set({ idle_expires_at: clock.now() })
        .where('id', '=', stale.session.id)
        .execute(),
    );
    clock.advance(1000);
    assert.equal(await sessions.sweep(), 1);
    const rows = await withPlatform(core.database, (tx) =>
      tx
        .selectFrom('sessions')
        .select(['id', 'end_reason'])
        .where('id', 'in', [fresh.session.id, stale.session.id])
        .execute(),
    );
    assert.deepEqual(Object.fromEntries(rows.map((r) => [r.id, r.end_reason])), {
      [fresh.session.id]: null,
      [stale.session.id]: 'idle',
    });
  });
});
