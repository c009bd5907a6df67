import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../src/identity/index.ts';
import {
  fixedClock,
  isAppError,
  operatorActor,
  type Tx,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';

describe('API keys', () => {
  const clock = fixedClock(new Date('2026-11-26T10:00:00Z'));
  let core: TestCore;
  let auth: ReturnType<typeof authServices>;
  let acme: string;
  let globex: string;
  let admin: User;
  let auditor: User;

  const inAcme = <T>(fn: (tx: Tx) => Promise<T>) => withOrg(core.database, acme, fn);
  const me = (user: User) => ({ userId: user.id, orgId: user.orgId });
  const refused = (code: string) => (err: unknown) => isAppError(err) && err.code === code;

  before(async () => {
    core = await openTestCore({ clock });
    auth = authServices(core);
    acme = await core.createOrg('acme');
    globex = await core.createOrg('globex');
    admin = await auth.createUser(acme, 'admin@acme.test', 'Correct-Horse-Battery-9');
    auditor = await auth.createUser(acme, 'audit@acme.test', 'Correct-Horse-Battery-9');
    await inAcme(async (tx) => {
      for (const [user, roleKey] of [
        [admin, 'org-admin'],
        [auditor, 'org-auditor'],
      ] as const) {
        await auth.rbac.assign(
          tx,
          { orgId: acme, userId: user.id, roleKey, reason: 'test' },
          null,
          operatorActor,
        );
      }
    });
  });
  after(() => core.close());

  it('shows the secret once, stores only its SHA-256, and authenticates as the org and its permissions', async () => {
    const { key, token } = await inAcme((tx) =>
      auth.apiKeys.create(
        tx,
        acme,
        { name: 'HR sync', permissions: ['users.read', 'users.deactivate'] },
        me(admin),
        { type: 'user', id: admin.id },
      ),
    );
    assert.match(token, /^vigil_[0-9a-f-]{36}\.[\w-]{43}$/);
    assert.equal(key.expiresAt.getTime() - clock.now().getTime(), 90 * 86_400_000);
    const [row] = await withPlatform(core.database, (tx) =>
      tx.selectFrom('api_keys').selectAll().where('id', '=', key.id).execute(),
    );
    assert.ok(row && !JSON.stringify(row).includes(token.split('.')[1] ?? '-'));

    const principal = await auth.apiKeys.authenticate(token, '192.0.2.9');
    assert.deepEqual(principal, {
      apiKeyId: key.id,
      orgId: acme,
      permissions: ['users.deactivate', 'users.read'],
      createdBy: admin.id,
    });
    await inAcme(async (tx) => {
      assert.ok(principal);
      assert.equal(await auth.rbac.can(tx, principal, 'users.read', acme), true);
      assert.equal(await auth.rbac.can(tx, principal, 'users.write', acme), false);
      assert.equal(await auth.rbac.can(tx, principal, 'users.read', globex), false);
    });
    const [used] = await inAcme((tx) => auth.apiKeys.list(tx, acme));
    assert.equal(used?.lastUsedIp, '192.0.2.9');
    assert.deepEqual(used?.lastUsedAt, clock.now());

    for (const bad of [`${token}x`, token.replace('vigil_', ''), 'vigil_nope', '']) {
      assert.equal(await auth.apiKeys.authenticate(bad, null), undefined, bad);
    }
  });

  it('refuses permissions wider than the creator’s, unknown ones, and platform ones in an org', async () => {
    const create = (permissions: string[]) =>
      inAcme((tx) =>
        auth.apiKeys.create(tx, acme, { name: 'k', permissions }, me(auditor), {
          type: 'user',
          id: auditor.id,
        }),
      );
    await assert.rejects(create(['users.write']), refused('apikey.wider_than_creator'));
    await assert.rejects(create(['users.fly']), refused('apikey.invalid'));
    await assert.rejects(create(['platform.orgs']), refused('apikey.invalid'));
    assert.ok((await create(['audit.read'])).token);
  });

  it('stops working when expired, revoked, or when its creator is deactivated', async () => {
    const make = (expiresInDays: number) =>
      inAcme((tx) =>
        auth.apiKeys.create(
          tx,
          acme,
          { name: 'short', permissions: ['users.read'], expiresInDays },
          me(admin),
          { type: 'user', id: admin.id },
        ),
      );
    const soon = await make(1);
    const revoked = await make(30);
    const creators = await make(30);
    await inAcme((tx) =>
      auth.apiKeys.revoke(tx, acme, revoked.key.id, 'leaked', { type: 'user', id: admin.id }),
    );
    assert.equal(await auth.apiKeys.authenticate(revoked.token, null), undefined);
    await assert.rejects(
      inAcme((tx) => auth.apiKeys.revoke(tx, acme, revoked.key.id, 'again', operatorActor)),
      refused('apikey.revoked'),
    );
    await assert.rejects(
      withOrg(core.database, globex, (tx) =>
        auth.apiKeys.revoke(tx, globex, creators.key.id, 'not yours', operatorActor),
      ),
      refused('apikey.not_found'),
    );
    clock.advance(86_400_000);
    assert.equal(await auth.apiKeys.authenticate(soon.token, null), undefined, 'expired');
    assert.ok(await auth.apiKeys.authenticate(creators.token, null));
    await inAcme((tx) =>
      auth.lifecycle.deactivate(tx, admin.id, 'suspended', operatorActor, { source: 'admin' }),
    );
    assert.equal(await auth.apiKeys.authenticate(creators.token, null), undefined);
    const reasons = await withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'apikey.revoked')
        .execute(),
    );
    assert.ok(reasons.some((r) => String(r.details).includes('creator_deactivated')));
  });
});
