import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createIdentityService } from '../src/identity/index.ts';
import {
  fixedClock,
  isAppError,
  operatorActor,
  platformOrgId,
  type Tx,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { createScimTokens, type ScimTokens } from '../src/scim/index.ts';
import { createTenancyService } from '../src/tenancy/index.ts';
import { openTestCore, type TestCore } from './support/core.ts';

describe('SCIM tokens', () => {
  const clock = fixedClock(new Date('2026-12-04T10:00:00Z'));
  let admin: { type: 'user'; id: string };
  let core: TestCore;
  let tokens: ScimTokens;
  let tenancy: ReturnType<typeof createTenancyService>;
  let acme: string;
  let globex: string;

  const inAcme = <T>(fn: (tx: Tx) => Promise<T>) => withOrg(core.database, acme, fn);
  const refused = (code: string) => (err: unknown) => isAppError(err) && err.code === code;
  const eventsOf = (tokenId: string) =>
    withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['action', 'actor_type', 'details'])
        .where('target_id', '=', tokenId)
        .orderBy('seq')
        .execute(),
    ).then((rows) => rows.map((r) => ({ ...r, details: JSON.parse(String(r.details)) })));

  before(async () => {
    core = await openTestCore({ clock });
    const deps = { audit: core.audit.record, clock, database: core.database, platformOrgId };
    tenancy = createTenancyService(deps);
    tokens = createScimTokens({ ...deps, tenancy });
    acme = await core.createOrg('acme');
    globex = await core.createOrg('globex');
    const identity = createIdentityService(deps);
    const user = await inAcme((tx) =>
      identity.createUser(tx, acme, { email: 'it@acme.test', displayName: 'IT' }, operatorActor),
    );
    admin = { type: 'user', id: user.id };
  });
  after(() => core.close());

  it('shows the token once, stores only the SHA-256 of its secret, and authenticates as its organization', async () => {
    const { scimToken, token } = await tokens.createInOrg(
      acme,
      { name: 'Entra ID' },
      operatorActor,
    );
    assert.match(token, /^vigil_scim_[0-9a-f-]{36}\.[\w-]{43}$/);
    assert.equal(token.slice('vigil_scim_'.length).split('.')[0], scimToken.id);
    assert.equal(scimToken.expiresAt.getTime() - clock.now().getTime(), 180 * 86_400_000);
    assert.equal(scimToken.createdBy, null, 'the operator is nobody');
    const [row] = await withPlatform(core.database, (tx) =>
      tx.selectFrom('scim_tokens').selectAll().where('id', '=', scimToken.id).execute(),
    );
    const secret = token.split('.')[1] ?? '-';
    assert.ok(row && !JSON.stringify(row).includes(secret));
    assert.equal(row.secret_hash.length, 32);

    assert.deepEqual(await tokens.authenticate(token, '192.0.2.7'), {
      orgId: acme,
      tokenId: scimToken.id,
      name: 'Entra ID',
    });
    const [used] = await inAcme((tx) => tokens.list(tx, acme));
    assert.equal(used?.lastUsedIp, '192.0.2.7');
    assert.deepEqual(used?.lastUsedAt, clock.now());

    // Last use is written at most once a minute.
    clock.advance(30_000);
    await tokens.authenticate(token, '192.0.2.8');
    assert.equal((await tokens.listInOrg(acme))[0]?.lastUsedIp, '192.0.2.7');
    clock.advance(30_000);
    await tokens.authenticate(token, '192.0.2.8');
    assert.equal((await tokens.listInOrg(acme))[0]?.lastUsedIp, '192.0.2.8');

    assert.deepEqual(await eventsOf(scimToken.id), [
      {
        action: 'scim.token.created',
        actor_type: 'operator',
        details: { name: 'Entra ID', expiresAt: scimToken.expiresAt.toISOString() },
      },
    ]);
    assert.deepEqual(await withOrg(core.database, globex, (tx) => tokens.list(tx, globex)), []);
  });

  it('refuses a malformed, unknown or wrong token, and an API key', async () => {
    const { token } = await tokens.createInOrg(acme, { name: 'Okta' }, operatorActor);
    const [prefixAndId, secret] = token.split('.') as [string, string];
    const otherId = '01900000-0000-7000-8000-0000000000ff';
    for (const bad of [
      '',
      'vigil_scim_',
      'vigil_scim_nope',
      `${token}x`,
      `${prefixAndId}.${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`,
      `vigil_scim_${otherId}.${secret}`,
      token.replace('vigil_scim_', ''),
      token.replace('vigil_scim_', 'vigil_'),
      `Bearer ${token}`,
    ]) {
      assert.equal(await tokens.authenticate(bad, '192.0.2.1'), null, bad);
    }
  });

  it('stops a token when it expires, when it is revoked, and while its organization is suspended', async () => {
    const short = await tokens.createInOrg(acme, { name: 'short', expiresInDays: 1 }, admin);
    const revoked = await tokens.createInOrg(acme, { name: 'revoked', expiresInDays: 30 }, admin);
    const lasting = await tokens.createInOrg(acme, { name: 'lasting', expiresInDays: 365 }, admin);
    assert.equal(lasting.scimToken.createdBy, admin.id);

    const after = await tokens.revokeInOrg(acme, revoked.scimToken.id, admin);
    assert.deepEqual(after.revokedAt, clock.now());
    assert.equal(after.revokedBy, admin.id);
    assert.equal(await tokens.authenticate(revoked.token, '192.0.2.1'), null);
    await assert.rejects(
      tokens.revokeInOrg(acme, revoked.scimToken.id, admin),
      refused('scim.token_revoked'),
    );
    await assert.rejects(
      tokens.revokeInOrg(globex, lasting.scimToken.id, operatorActor),
      refused('scim.token_not_found'),
    );
    assert.ok(
      await tokens.authenticate(lasting.token, '192.0.2.1'),
      'another org cannot revoke it',
    );
    assert.deepEqual(
      (await eventsOf(revoked.scimToken.id)).map((e) => [e.action, e.actor_type]),
      [
        ['scim.token.created', 'user'],
        ['scim.token.revoked', 'user'],
      ],
    );

    clock.advance(86_400_000);
    assert.equal(await tokens.authenticate(short.token, '192.0.2.1'), null, 'expired');
    assert.ok(await tokens.authenticate(lasting.token, '192.0.2.1'));

    await withPlatform(core.database, (tx) =>
      tenancy.setStatus(tx, acme, 'suspended', 'unpaid', operatorActor),
    );
    assert.equal(await tokens.authenticate(lasting.token, '192.0.2.1'), null, 'org suspended');
    await withPlatform(core.database, (tx) =>
      tenancy.setStatus(tx, acme, 'active', 'paid', operatorActor),
    );
    assert.ok(await tokens.authenticate(lasting.token, '192.0.2.1'), 'reactivated');
  });

  it('refuses a bad name or expiry and stores nothing', async () => {
    const before = (await tokens.listInOrg(acme)).length;
    for (const input of [
      { name: '' },
      { name: '   ' },
      { name: 'x'.repeat(201) },
      { name: 'ok', expiresInDays: 0 },
      { name: 'ok', expiresInDays: 366 },
      { name: 'ok', expiresInDays: 1.5 },
      { name: 'ok', expiresInDays: '30' },
      { name: 'ok', scope: 'everything' },
    ]) {
      await assert.rejects(
        tokens.createInOrg(acme, input as never, admin),
        refused('scim.token_invalid'),
        JSON.stringify(input),
      );
    }
    assert.equal((await tokens.listInOrg(acme)).length, before);
  });
});
