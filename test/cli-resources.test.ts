import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { operatorActor, platformOrgId, withPlatform } from '../src/platform/index.ts';
import { cliStore } from './support/cli.ts';

/** The CLI's OAuth client, access export and API key commands against a real store. */
describe('vigil CLI: clients, access exports, API keys', () => {
  const store = cliStore({ migrated: true });
  const { dataDir, withServices, audited, vigil } = store;
  before(() => store.open());
  after(() => store.close());

  it('creates, lists, rotates and disables OAuth clients; refuses bad input changing nothing', async () => {
    const acmeId = await withServices((services, core) =>
      withPlatform(core.database, async (tx) => {
        const org = await services.tenancy.createOrganization(
          tx,
          { slug: 'acme', name: 'Acme' },
          operatorActor,
        );
        return org.id;
      }),
    );
    const web = ['--redirect-uri', 'https://app.acme.test/cb'];
    const refused: [string[], RegExp][] = [
      [['clients', 'create', '--kind', 'web', ...web], /clients create needs --name NAME/],
      [['clients', 'create', '--name', 'A', ...web], /clients create needs --kind web\|spa/],
      [['clients', 'create', '--name', 'A', '--kind', 'desktop'], /needs --kind/],
      [['clients', 'create', '--name', 'A', '--kind', 'web'], /--redirect-uri: at least one/],
      [
        ['clients', 'create', '--name', 'A', '--kind', 'web', '--redirect-uri', 'http://a.test/cb'],
        /--redirect-uri: must be an absolute https URL/,
      ],
      [
        ['clients', 'create', '--name', 'A', '--kind', 'machine', '--grant', 'authorization_code'],
        /--grant: authorization_code is not a grant of a machine client/,
      ],
      [
        ['clients', 'create', '--name', 'A', '--kind', 'web', ...web, '--grant', 'refresh_token'],
        /--grant: a web client needs authorization_code/,
      ],
      [
        ['clients', 'create', '--name', 'A', '--kind', 'web', ...web, '--org', 'nope'],
        /--org: there is no organization nope/,
      ],
      [
        ['clients', 'create', '--name', 'A', '--kind', 'web', ...web, '--alg', 'ES256'],
        /clients create does not take --alg/,
      ],
      [
        ['clients', 'create', '--name', 'A', '--kind', 'machine', '--resource', 'http://api.test'],
        /--resource: must be an absolute https URI/,
      ],
      [
        ['clients', 'create', '--name', 'A', '--kind', 'machine', '--api-scope', 'openid'],
        /--api-scope: is an OpenID Connect scope/,
      ],
      [['clients', 'list', 'extra'], /clients list takes no arguments/],
      [['clients', 'rotate-secret'], /clients rotate-secret needs ID/],
      [['clients', 'disable', 'not-an-id'], /clients disable: not-an-id is not a client id/],
    ];
    for (const [args, message] of refused) {
      const result = await vigil(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /Usage: vigil/);
    }
    assert.deepEqual(JSON.parse((await vigil(['clients', 'list', '--json'])).stdout).clients, []);
    assert.deepEqual(await audited('oauth.client.'), [], 'refused: nothing changed');

    const created = await vigil([
      'clients',
      'create',
      '--org',
      'acme',
      '--name',
      'Acme Web',
      '--kind',
      'web',
      ...web,
      '--redirect-uri',
      'https://app.acme.test/cb2',
      '--post-logout-uri',
      'https://app.acme.test/bye',
      '--backchannel-logout-uri',
      'https://app.acme.test/bcl',
      '--first-party',
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^created web client \S+ "Acme Web" \(organization acme\)$/m);
    assert.match(created.stdout, /shown this once/);
    const webId = /^client_id: +(\S+)$/m.exec(created.stdout)?.[1] ?? '';
    const webSecret = /^client_secret: +(\S+)$/m.exec(created.stdout)?.[1] ?? '';
    assert.match(webSecret, /^[\w-]{43}$/);

    const spa = await vigil([
      'clients',
      'create',
      '--name',
      'Console',
      '--kind',
      'spa',
      ...web,
      '--grant',
      'authorization_code',
      '--json',
    ]);
    assert.equal(spa.code, 0, spa.stderr);
    const spaOut = JSON.parse(spa.stdout);
    assert.equal(spaOut.secret, null, 'a public client has no secret');
    assert.equal(spaOut.client.orgId, platformOrgId, 'no --org: a platform client');
    assert.deepEqual(spaOut.client.grantTypes, ['authorization_code']);

    const machine = await vigil([
      'clients',
      'create',
      '--org',
      acmeId,
      '--name',
      'Acme Jobs',
      '--kind',
      'machine',
      '--json',
    ]);
    assert.equal(machine.code, 0, machine.stderr);
    const machineOut = JSON.parse(machine.stdout);
    assert.equal(machineOut.secretShownOnce, true);
    assert.match(machineOut.secret, /^[\w-]{43}$/);
    assert.deepEqual(machineOut.client.grantTypes, ['client_credentials']);
    const machineId: string = machineOut.client.id;

    const all = await vigil(['clients', 'list']);
    assert.equal(all.code, 0, all.stderr);
    assert.match(
      all.stdout,
      /^ID +ORG +NAME +KIND +STATUS +FIRST PARTY +GRANTS +REDIRECT URIS +CREATED$/m,
    );
    assert.match(
      all.stdout,
      new RegExp(
        `^${webId} +acme +Acme Web +web +active +yes +authorization_code,refresh_token +https://app.acme.test/cb https://app.acme.test/cb2 `,
        'm',
      ),
    );
    assert.match(all.stdout, new RegExp(`^${spaOut.client.id} +platform +Console +spa `, 'm'));
    assert.ok(!all.stdout.includes(webSecret) && !all.stdout.includes(machineOut.secret));
    const acme = JSON.parse((await vigil(['clients', 'list', '--org', 'acme', '--json'])).stdout);
    assert.deepEqual(
      acme.clients.map((c: { id: string }) => c.id).sort(),
      [webId, machineId].sort(),
    );
    assert.ok(!JSON.stringify(acme).includes(webSecret), 'never a secret');

    const rotated = await vigil(['clients', 'rotate-secret', webId]);
    assert.equal(rotated.code, 0, rotated.stderr);
    const newSecret = /^client_secret: +(\S+)$/m.exec(rotated.stdout)?.[1] ?? '';
    assert.match(newSecret, /^[\w-]{43}$/);
    assert.notEqual(newSecret, webSecret);
    assert.match(rotated.stdout, /shown this once/);
    const until = /previous secret is still accepted until (\S+)\.$/m.exec(rotated.stdout)?.[1];
    const overlap = Date.parse(until ?? '') - Date.now();
    assert.ok(overlap > 23.9 * 3_600_000 && overlap <= 24 * 3_600_000, `${until}`);
    const publicRotate = await vigil(['clients', 'rotate-secret', spaOut.client.id]);
    assert.equal(publicRotate.code, 1);
    assert.match(publicRotate.stderr, /A public client has no secret/);
    const unknown = await vigil(['clients', 'disable', '00000000-0000-7000-8000-00000000dead']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No such client/);

    const disabled = await vigil(['clients', 'disable', machineId]);
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.match(disabled.stdout, /disabled/);
    const again = await vigil(['clients', 'disable', machineId, '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).changed, false);

    // What the provider sees: the new secret, the old one during the overlap, no disabled client.
    await withServices(async ({ oauth }) => {
      const found = await oauth.findClient(webId);
      assert.equal(found?.client_secret, newSecret);
      assert.equal(found?.vigil_previous_secret, webSecret);
      assert.deepEqual(found?.post_logout_redirect_uris, ['https://app.acme.test/bye']);
      assert.equal(found?.backchannel_logout_uri, 'https://app.acme.test/bcl');
      assert.equal(found?.first_party, true);
      assert.equal(await oauth.findClient(machineId), undefined);
    });

    const events = await audited('oauth.client.');
    assert.deepEqual(
      events.map((e) => `${e.action} ${e.targetId} ${e.orgId}`),
      [
        `oauth.client.created ${webId} ${acmeId}`,
        `oauth.client.created ${spaOut.client.id} ${platformOrgId}`,
        `oauth.client.created ${machineId} ${acmeId}`,
        `oauth.client.secret_rotated ${webId} ${acmeId}`,
        `oauth.client.disabled ${machineId} ${acmeId}`,
      ],
    );
    for (const e of events) assert.equal(e.actorType, 'operator');
    assert.ok(!JSON.stringify(events).includes(webSecret), 'no secret in the audit log');
  });

  it('exports the permission matrix and the user-access listing of an organization', async () => {
    await withServices((services, core) =>
      withPlatform(core.database, async (tx) => {
        const org = (await services.tenancy.listOrganizations(tx)).find((o) => o.slug === 'acme');
        assert.ok(org, 'made by the clients test');
        const user = await services.identity.createUser(
          tx,
          org.id,
          { email: 'ivy@acme.test', displayName: 'Ivy' },
          operatorActor,
        );
        await services.rbac.assign(
          tx,
          { orgId: org.id, userId: user.id, roleKey: 'org-auditor', reason: 'yearly audit' },
          null,
          operatorActor,
        );
      }),
    );
    const users = await vigil(['access', 'users', '--org', 'acme', '--format', 'json']);
    assert.equal(users.code, 0, users.stderr);
    const listing = JSON.parse(users.stdout);
    assert.equal(listing.organization, 'acme');
    const ivy = listing.users.find((u: { email: string }) => u.email === 'ivy@acme.test');
    assert.deepEqual(
      [ivy?.status, ivy?.roles, ivy?.privileged],
      ['active', ['org-auditor'], false],
    );

    const file = join(dataDir, 'matrix.csv');
    const matrix = await vigil(['access', 'matrix', '--org', 'acme', '--out', file]);
    assert.equal(matrix.code, 0, matrix.stderr);
    const csv = readFileSync(file, 'utf8');
    assert.match(csv, /^role,name,description,purpose,/);
    assert.match(csv, /\r\norg-auditor,Organization auditor,/);

    const refused: [string[], RegExp][] = [
      [['access', 'users'], /access users needs --org SLUG/],
      [['access', 'matrix', '--org', 'acme', '--format', 'xml'], /--format must be csv or json/],
      [['access', 'users', '--org', 'nope'], /--org: there is no organization nope/],
    ];
    for (const [args, message] of refused) {
      const result = await vigil(args);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
    }
  });

  it('creates an API key printed once, lists it without its secret, revokes it', async () => {
    const created = await vigil([
      'apikeys',
      'create',
      '--org',
      'acme',
      '--name',
      'HR sync',
      '--permission',
      'users.read',
      '--json',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const { key, token } = JSON.parse(created.stdout) as { key: { id: string }; token: string };
    assert.match(token, /^vigil_/);
    const works = await withServices((services) => services.apiKeys.authenticate(token, '::1'));
    assert.equal(works?.apiKeyId, key.id);
    const listed = await vigil(['apikeys', 'list', '--org', 'acme']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`${key.id}\\s+HR sync\\s+users.read\\s+operator`));
    assert.ok(!listed.stdout.includes(token.split('.')[1] ?? token));
    const revoked = await vigil([
      'apikeys',
      'revoke',
      key.id,
      '--org',
      'acme',
      '--reason',
      'rotated',
    ]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(
      await withServices((services) => services.apiKeys.authenticate(token, '::1')),
      undefined,
    );
    const refused: [string[], RegExp][] = [
      [
        ['apikeys', 'create', '--org', 'acme', '--name', 'x', '--permission', 'users.fly'],
        /--permission: users.fly is not a permission/,
      ],
      [['apikeys', 'create', '--org', 'acme', '--name', 'x'], /needs --permission ID/],
      [['apikeys', 'revoke', key.id, '--org', 'acme'], /needs --reason TEXT/],
      [['apikeys', 'list'], /needs --org SLUG/],
    ];
    for (const [args, message] of refused) {
      const result = await vigil(args);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
    }
    const again = await vigil(['apikeys', 'revoke', key.id, '--org', 'acme', '--reason', 'x']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already revoked/);
  });
});
