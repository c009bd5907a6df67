import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { operatorActor, withOrg } from '../src/platform/index.ts';
import { cliStore, type Run } from './support/cli.ts';

/** The exit code is `code`, and stderr says `message` (bad usage: with the usage text). */
function refused(run: Run, code: 1 | 2, message: RegExp) {
  assert.equal(run.code, code, `${run.stdout}${run.stderr}`);
  assert.match(run.stderr, message);
  if (code === 2) assert.match(run.stderr, /Usage: vigil/);
  else assert.doesNotMatch(run.stderr, /Usage: vigil/);
}

/**
 * The first steps by CLI (README "First steps"): an organization, a user with a temporary
 * password and a role, more roles under rbac's rules, each change audited as the operator's.
 */
describe('vigil CLI: organizations, users and roles', () => {
  const store = cliStore({ migrated: true });
  const { audited, vigil, withServices } = store;
  before(() => store.open());
  after(() => store.close());
  let acmeId = '';

  it('creates and lists organizations; refuses a bad or taken slug', async () => {
    const created = await vigil(['orgs', 'create', '--slug', 'acme', '--name', 'Acme Corp']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^created organization acme "Acme Corp" \(\S+\)$/m);
    assert.match(created.stdout, /^next: vigil users create --org acme --email EMAIL/m);
    const globex = await vigil([
      'orgs',
      'create',
      '--slug',
      'globex',
      '--name',
      'Globex',
      '--json',
    ]);
    assert.equal(globex.code, 0, globex.stderr);
    assert.equal(JSON.parse(globex.stdout).organization.slug, 'globex');

    const listed = await vigil(['orgs', 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^ID +SLUG +NAME +KIND +STATUS +CREATED$/m);
    assert.match(listed.stdout, /^\S+ +platform +\S.* +platform +active /m);
    assert.match(listed.stdout, /^\S+ +acme +Acme Corp +customer +active /m);
    const json = JSON.parse((await vigil(['orgs', 'list', '--json'])).stdout);
    const slugs = json.organizations.map((o: { slug: string }) => o.slug);
    assert.deepEqual([...slugs].sort(), ['acme', 'globex', 'platform']);
    acmeId = json.organizations.find((o: { slug: string }) => o.slug === 'acme').id;

    refused(await vigil(['orgs', 'create', '--name', 'X']), 2, /orgs create needs --slug SLUG/);
    refused(await vigil(['orgs', 'create', '--slug', 'x-y']), 2, /orgs create needs --name NAME/);
    refused(
      await vigil(['orgs', 'create', '--slug', 'Bad Slug', '--name', 'X']),
      2,
      /--slug: use 2–63 lowercase letters, digits and hyphens/,
    );
    refused(await vigil(['orgs', 'list', '--org', 'acme']), 2, /orgs list does not take --org/);
    refused(
      await vigil(['orgs', 'create', '--slug', 'acme', '--name', 'Again']),
      1,
      /The slug acme is taken/,
    );
    const events = await audited('org.created');
    assert.equal(events.length, 4, 'two organizations, each in its own and the platform log');
    for (const e of events) assert.equal(e.actorType, 'operator');
  });

  it('creates a user with a temporary password and a role that needs approval, granted by the operator', async () => {
    const created = await vigil([
      'users',
      'create',
      '--org',
      'acme',
      '--email',
      'ada@acme.test',
      '--name',
      'Ada Lovelace',
      '--role',
      'org-owner',
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(
      created.stdout,
      /^created user \S+ ada@acme\.test "Ada Lovelace" in organization acme$/m,
    );
    assert.match(
      created.stdout,
      /^assigned org-owner to ada@acme\.test: a role that needs approval, granted by the operator at the CLI \(break-glass, audited with approval: operator\)$/m,
    );
    assert.match(created.stdout, /shown this once/);
    assert.match(created.stdout, /must change it at their first sign-in/);
    const password = /^temporary password: (\S+)$/m.exec(created.stdout)?.[1] ?? '';
    assert.match(password, /^([A-Za-z2-9]{5}-){3,}[A-Za-z2-9]{5}$/);

    // The password works once, to be replaced at the first sign-in.
    await withServices(async (services, core) => {
      const ada = await services.identity.userByEmail(acmeId, 'ADA@acme.test');
      assert.ok(ada);
      const verified = await withOrg(core.database, acmeId, (tx) =>
        services.passwords.verify(tx, ada, password, false),
      );
      assert.deepEqual(verified, { ok: true, mustChange: true });
    });
    const [assigned] = await audited('role.assigned');
    assert.equal(assigned?.actorType, 'operator');
    assert.equal(assigned?.orgId, acmeId);
    assert.deepEqual(
      [assigned?.details.role, assigned?.details.approval, assigned?.details.privileged],
      ['org-owner', 'operator', true],
    );
    const [set] = await audited('user.password.set');
    assert.deepEqual([set?.actorType, set?.details.temporary], ['operator', true]);
    assert.ok(!JSON.stringify(await audited('')).includes(password), 'never in the audit log');

    const bob = await vigil([
      'users',
      'create',
      '--org',
      'acme',
      '--email',
      'bob@acme.test',
      '--json',
    ]);
    assert.equal(bob.code, 0, bob.stderr);
    const bobOut = JSON.parse(bob.stdout);
    assert.equal(bobOut.user.displayName, 'bob', 'no --name: the address before the @');
    assert.deepEqual(bobOut.roles, []);
    assert.equal(bobOut.shownOnce, true);
    assert.equal(bobOut.mustChangeAtFirstSignIn, true);
    assert.notEqual(bobOut.temporaryPassword, password);
  });

  it('refuses bad users changing nothing: bad usage exits 2, a refused change 1', async () => {
    refused(await vigil(['users', 'create', '--email', 'c@acme.test']), 2, /needs --org SLUG/);
    refused(await vigil(['users', 'create', '--org', 'acme']), 2, /needs --email EMAIL/);
    refused(
      await vigil(['users', 'create', '--org', 'acme', '--email', 'not-an-email']),
      2,
      /--email: /,
    );
    refused(
      await vigil(['users', 'create', '--org', 'nope', '--email', 'c@acme.test']),
      2,
      /--org: there is no organization nope/,
    );
    refused(
      await vigil(['users', 'create', '--org', 'acme', '--email', 'ADA@acme.test']),
      1,
      /A user with this email exists/,
    );
    // A role that does not exist: the user is not created either (one transaction).
    refused(
      await vigil([
        'users',
        'create',
        '--org',
        'acme',
        '--email',
        'cy@acme.test',
        '--role',
        'boss',
      ]),
      1,
      /boss/,
    );
    // A platform role in a customer organization is no role there.
    refused(
      await vigil([
        'users',
        'create',
        '--org',
        'acme',
        '--email',
        'cy@acme.test',
        '--role',
        'platform-admin',
      ]),
      1,
      /platform-admin/,
    );
    const cy = await withServices(({ identity }) => identity.userByEmail(acmeId, 'cy@acme.test'));
    assert.equal(cy, undefined);
    assert.equal((await audited('user.created')).length, 2, 'ada and bob only');
  });

  it('lists the users of an organization a page at a time', async () => {
    const listed = await vigil(['users', 'list', '--org', 'acme']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^ID +EMAIL +NAME +STATUS +CREATED$/m);
    assert.match(listed.stdout, /^\S+ +ada@acme\.test +Ada Lovelace +active /m);
    assert.match(listed.stdout, /^\S+ +bob@acme\.test +bob +active /m);
    assert.doesNotMatch(listed.stdout, /^more:/m);

    const first = JSON.parse(
      (await vigil(['users', 'list', '--org', 'acme', '--limit', '1', '--json'])).stdout,
    );
    assert.deepEqual(
      first.users.map((u: { email: string }) => u.email),
      ['ada@acme.test'],
    );
    assert.equal(first.nextCursor, first.users[0].id);
    const paged = await vigil(['users', 'list', '--org', 'acme', '--limit', '1']);
    assert.match(
      paged.stdout,
      new RegExp(`^more: vigil users list --org acme --after ${first.nextCursor}$`, 'm'),
    );
    const rest = JSON.parse(
      (await vigil(['users', 'list', '--org', 'acme', '--after', first.nextCursor, '--json']))
        .stdout,
    );
    assert.deepEqual(
      [rest.users.map((u: { email: string }) => u.email), rest.nextCursor],
      [['bob@acme.test'], null],
    );
    const empty = await vigil(['users', 'list', '--org', 'globex']);
    assert.equal(empty.stdout, 'no users in globex\n');

    refused(await vigil(['users', 'list']), 2, /users list needs --org SLUG/);
    refused(await vigil(['users', 'list', '--org', 'acme', '--limit', '0']), 2, /--limit must be/);
    refused(await vigil(['users', 'list', '--org', 'acme', '--after', 'x']), 2, /--after must be/);
  });

  it('assigns roles under the conflict rules, lists them, and refuses what rbac refuses', async () => {
    const assigned = await vigil([
      'roles',
      'assign',
      '--org',
      'acme',
      '--user',
      'bob@acme.test',
      '--role',
      'org-auditor',
      '--reason',
      'yearly audit',
      '--expires',
      '2099-01-01',
    ]);
    assert.equal(assigned.code, 0, assigned.stderr);
    assert.equal(assigned.stdout, 'assigned org-auditor to bob@acme.test\n');

    // Segregation of duties: an auditor does not administer what they audit.
    await withServices((services, core) =>
      withOrg(core.database, acmeId, (tx) =>
        services.rbac.addConflictRule(
          tx,
          acmeId,
          {
            name: 'audit-independence',
            description: 'auditors do not administer',
            roles: ['org-auditor', 'org-admin'],
          },
          operatorActor,
        ),
      ),
    );
    refused(
      await vigil([
        'roles',
        'assign',
        '--org',
        'acme',
        '--user',
        'bob@acme.test',
        '--role',
        'org-admin',
      ]),
      1,
      /Holding org-admin together with the user's other roles breaks "audit-independence"/,
    );
    refused(
      await vigil([
        'roles',
        'assign',
        '--org',
        'acme',
        '--user',
        'bob@acme.test',
        '--role',
        'org-auditor',
      ]),
      1,
      /The user already has org-auditor/,
    );

    // A privileged role that needs approval: the operator's grant, said and audited as such.
    const admin = await vigil([
      'roles',
      'assign',
      '--org',
      'acme',
      '--user',
      'ADA@acme.test',
      '--role',
      'org-admin',
      '--reason',
      'second administrator',
      '--json',
    ]);
    assert.equal(admin.code, 0, admin.stderr);
    const adminOut = JSON.parse(admin.stdout);
    assert.deepEqual(
      [adminOut.status, adminOut.approval, adminOut.privileged, adminOut.requiresApproval],
      ['assigned', 'operator', true, true],
    );
    assert.equal(adminOut.user.email, 'ada@acme.test');
    const events = await audited('role.assigned');
    assert.deepEqual(
      events.map((e) => [e.details.role, e.actorType, e.details.approval, e.details.reason]),
      [
        [
          'org-owner',
          'operator',
          'operator',
          'given at creation by the operator (vigil users create)',
        ],
        ['org-auditor', 'operator', 'not required', 'yearly audit'],
        ['org-admin', 'operator', 'operator', 'second administrator'],
      ],
    );
    assert.equal(events[1]?.details.expiresAt, '2099-01-01T00:00:00.000Z');
    assert.deepEqual(await audited('access_request.'), [], 'the operator opens no request');
    const unexplained = await vigil([
      'roles',
      'assign',
      '--org',
      'acme',
      '--user',
      'ada@acme.test',
      '--role',
      'member',
    ]);
    assert.equal(unexplained.code, 0, unexplained.stderr);
    assert.equal(
      (await audited('role.assigned')).at(-1)?.details.reason,
      'assigned by the operator at the CLI (no reason given)',
    );

    const roles = await vigil(['roles', 'list', '--org', 'acme']);
    assert.equal(roles.code, 0, roles.stderr);
    assert.match(roles.stdout, /^KEY +NAME +KIND +PRIVILEGED +MFA +APPROVAL +HOLDERS$/m);
    assert.match(roles.stdout, /^org-owner +\S.* +built-in +yes +yes +yes +1$/m);
    assert.match(roles.stdout, /^member +\S.* +built-in +no +no +no +1$/m);
    assert.doesNotMatch(roles.stdout, /platform-admin/);
    const rolesJson = JSON.parse(
      (await vigil(['roles', 'list', '--org', 'acme', '--json'])).stdout,
    );
    const holders = Object.fromEntries(
      rolesJson.roles.map((r: { key: string; holders: number }) => [r.key, r.holders]),
    );
    assert.deepEqual([holders['org-admin'], holders['org-auditor'], holders.member], [1, 1, 1]);

    const by = ['roles', 'assign', '--org', 'acme', '--role', 'member'];
    refused(
      await vigil(['roles', 'assign', '--org', 'acme', '--role', 'member']),
      2,
      /needs --user EMAIL/,
    );
    refused(
      await vigil([...by, '--user', 'zed@acme.test']),
      2,
      /--user: there is no user zed@acme\.test in acme/,
    );
    refused(
      await vigil([...by, '--user', 'bob@acme.test', '--expires', 'soon']),
      2,
      /--expires must be an ISO date/,
    );
    refused(
      await vigil([...by, '--user', 'bob@acme.test', '--expires', '2001-01-01']),
      2,
      /--expires: must be in the future/,
    );
    refused(
      await vigil([...by, '--user', 'bob@acme.test', '--reason', ' ']),
      2,
      /--reason: say why/,
    );
    refused(await vigil([...by, '--user', 'bob@acme.test', '--role', 'x']), 2, /needs one --role/);
    refused(await vigil(['roles', 'list']), 2, /roles list needs --org SLUG/);
  });

  it('warns about development settings in one line on stderr, once per command', async () => {
    const run = await vigil(['orgs', 'list']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stderr,
      'vigil: development settings in use (VIGIL_TLS_CERT, VIGIL_SMTP_URL, DATABASE_URL), refused in production; see docs/configuration.md\n',
    );
    const refusal = await vigil(['orgs', 'create', '--slug', 'acme', '--name', 'Acme']);
    assert.equal(refusal.stderr.match(/development settings/g)?.length, 1);
    assert.doesNotMatch(refusal.stderr, /UNSAFE SETTING/);
  });
});
