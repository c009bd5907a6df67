import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { operatorActor, withOrg, withPlatform } from '../src/platform/index.ts';
import { createScimGroups } from '../src/scim/groups.ts';
import { cliStore } from './support/cli.ts';

/** `vigil scim …`: the directory's tokens and group roles from the command line, in-process. */
describe('vigil CLI: SCIM tokens and group roles', () => {
  const store = cliStore({ migrated: true });
  const { withServices, audited, vigil } = store;
  let acme: string;
  before(async () => {
    await store.open();
    acme = await withServices((services, core) =>
      withPlatform(core.database, async (tx) => {
        const org = await services.tenancy.createOrganization(
          tx,
          { slug: 'acme', name: 'Acme' },
          operatorActor,
        );
        return org.id;
      }),
    );
  });
  after(() => store.close());

  /** `vigil scim groups map` of acme's `group` to `roles` (comma-separated), with `extra` options. */
  const mapGroup = (group: string, roles: string, ...extra: string[]) =>
    vigil(['scim', 'groups', 'map', '--org', 'acme', '--group', group, '--roles', roles, ...extra]);

  it('creates a token printed once with the SCIM base URL, lists it without its secret, revokes it', async () => {
    const created = await vigil([
      'scim',
      'tokens',
      'create',
      '--org',
      'acme',
      '--name',
      'Entra ID',
      '--days',
      '30',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const token = /^token: (\S+)$/m.exec(created.stdout)?.[1] ?? '';
    assert.match(token, /^vigil_scim_/);
    assert.match(created.stdout, /SCIM base URL: https:\/\/\S+\/scim\/v2\/acme$/m);
    assert.match(created.stdout, /shown this once/);
    const caller = await withServices((services) => services.scimTokens.authenticate(token, '::1'));
    assert.equal(caller?.orgId, acme);
    assert.equal(caller?.name, 'Entra ID');

    const listed = await vigil(['scim', 'tokens', 'list', '--org', 'acme', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const { tokens } = JSON.parse(listed.stdout) as {
      tokens: { id: string; name: string; lastUsedIp: string }[];
    };
    assert.deepEqual(
      tokens.map((t) => [t.id, t.name, t.lastUsedIp]),
      [[caller?.tokenId, 'Entra ID', '::1']],
    );
    assert.ok(!listed.stdout.includes(token.split('.')[1] ?? token));
    const human = await vigil(['scim', 'tokens', 'list', '--org', 'acme']);
    assert.match(human.stdout, new RegExp(`${caller?.tokenId}\\s+Entra ID\\s+operator`));

    const revoked = await vigil([
      'scim',
      'tokens',
      'revoke',
      '--org',
      'acme',
      '--id',
      String(caller?.tokenId),
    ]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(
      await withServices((services) => services.scimTokens.authenticate(token, '::1')),
      null,
    );
    const events = await audited('scim.token.');
    assert.deepEqual(
      events.map((e) => [e.action, e.actorType, e.targetId]),
      [
        ['scim.token.created', 'operator', caller?.tokenId],
        ['scim.token.revoked', 'operator', caller?.tokenId],
      ],
    );
    const again = await vigil([
      'scim',
      'tokens',
      'revoke',
      '--org',
      'acme',
      '--id',
      String(caller?.tokenId),
    ]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already revoked/);
  });

  it('refuses bad usage and bad input, changing nothing', async () => {
    const before = (await audited('scim.')).length;
    const refused: [string[], RegExp][] = [
      [['scim', 'tokens', 'create', '--org', 'acme'], /scim tokens create needs --name NAME/],
      [['scim', 'tokens', 'create', '--name', 'x'], /needs --org SLUG/],
      [
        ['scim', 'tokens', 'create', '--org', 'acme', '--name', 'x', '--days', 'ten'],
        /--days must be a number/,
      ],
      [['scim', 'tokens', 'create', '--org', 'acme', '--name', 'x', '--days', '400'], /--days: /],
      [
        ['scim', 'tokens', 'create', '--org', 'nope', '--name', 'x'],
        /--org: there is no organization nope/,
      ],
      [
        ['scim', 'tokens', 'create', '--org', 'acme', '--name', 'x', '--permission', 'a'],
        /does not take --permission/,
      ],
      [['scim', 'tokens', 'revoke', '--org', 'acme'], /needs --id ID/],
      [
        ['scim', 'tokens', 'revoke', '--org', 'acme', '--id', 'x'],
        /--id: x is not a SCIM token id/,
      ],
      [['scim', 'tokens', 'list'], /needs --org SLUG/],
      [
        ['scim', 'groups', 'map', '--org', 'acme', '--group', 'g', '--roles', 'member'],
        /--group: g is not/,
      ],
      [['scim', 'groups', 'map', '--org', 'acme', '--group', acme], /needs --roles/],
    ];
    for (const [args, message] of refused) {
      const result = await vigil(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
    assert.equal((await audited('scim.')).length, before);
  });

  it('lists pushed groups and maps one to roles, its members synced at once', async () => {
    const { aliceId, groupId } = await withServices(async (services, core) => {
      const alice = await withOrg(core.database, acme, (tx) =>
        services.identity.createUser(
          tx,
          acme,
          { email: 'alice@acme.test', displayName: 'Alice' },
          operatorActor,
        ),
      );
      const groups = createScimGroups({
        audit: core.audit.record,
        clock: core.clock,
        database: core.database,
        syncUsers: services.groupRoles.syncUsers,
      });
      const call = {
        orgId: acme,
        orgSlug: 'acme',
        actor: { type: 'scim_token', id: '01900000-0000-7000-8000-0000000000aa' } as const,
        base: 'https://vigil.test/scim/v2/acme',
      };
      const pushed = await groups.create(call, {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Engineering',
        members: [{ value: alice.id }],
      });
      return { aliceId: alice.id, groupId: String(pushed.resource.id) };
    });
    const listed = await vigil(['scim', 'groups', 'list', '--org', 'acme']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`${groupId}\\s+Engineering\\s+1\\s+-`));

    const mapped = await mapGroup(groupId, 'member, org-admin');
    assert.equal(mapped.code, 0, mapped.stderr);
    assert.match(mapped.stdout, /maps to: member, org-admin/);
    assert.match(mapped.stdout, /1 roles assigned, 1 access requests opened/);
    const held = await withServices((services, core) =>
      withOrg(core.database, acme, async (tx) =>
        (await services.rbac.assignmentsPage(tx, acme, { limit: 10, userId: aliceId })).items.map(
          (a) => `${a.roleKey}:${a.source}`,
        ),
      ),
    );
    assert.deepEqual(
      held,
      ['member:scim'],
      'the operator mapping a role that needs approval asks for it',
    );

    const bad = await mapGroup(groupId, 'no-such-role');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--roles: no-such-role is not a role of the organization/);
    const unknown = await mapGroup(acme, '');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No group/);

    const cleared = await mapGroup(groupId, '', '--json');
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.deepEqual(JSON.parse(cleared.stdout).sync, {
      assigned: 0,
      requested: 0,
      removed: 1,
      withdrawn: 1,
      refused: 0,
    });
  });
});
