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

/** `vigil orgs suspend` and `vigil orgs reactivate`, in-process, audited as the operator's. */
describe('vigil CLI: suspending and reactivating an organization', () => {
  const store = cliStore({ migrated: true });
  const { audited, vigil, withServices } = store;
  before(async () => {
    await store.open();
    const created = await vigil(['orgs', 'create', '--slug', 'acme', '--name', 'Acme Corp']);
    assert.equal(created.code, 0, created.stderr);
  });
  after(() => store.close());

  it('suspends with a reason, signs the users out, and prints the new status', async () => {
    const user = await vigil(['users', 'create', '--org', 'acme', '--email', 'ada@acme.test']);
    assert.equal(user.code, 0, user.stderr);
    const ada = await withServices(async ({ tenancy, identity }) => {
      const acme = (await tenancy.organizations()).find((o) => o.slug === 'acme');
      return identity.userByEmail(acme?.id ?? '', 'ada@acme.test');
    });
    assert.ok(ada);
    // Ada signed in somewhere (a session made as the sign-in makes it).
    await withServices(({ sessions }, core) =>
      withOrg(core.database, ada.orgId, (tx) =>
        sessions.create(tx, { user: ada, amr: ['pwd'], acr: 'urn:vigil:acr:pwd' }, operatorActor),
      ),
    );

    refused(await vigil(['orgs', 'suspend', '--slug', 'acme']), 2, /needs --reason TEXT/);
    refused(await vigil(['orgs', 'suspend', '--reason', 'x']), 2, /needs --slug SLUG/);
    refused(
      await vigil(['orgs', 'suspend', '--slug', 'nope', '--reason', 'x']),
      2,
      /--slug: there is no organization nope/,
    );
    refused(
      await vigil(['orgs', 'suspend', '--slug', 'platform', '--reason', 'x']),
      1,
      /The platform organization cannot be suspended/,
    );

    const suspended = await vigil(['orgs', 'suspend', '--slug', 'acme', '--reason', 'unpaid']);
    assert.equal(suspended.code, 0, suspended.stderr);
    assert.equal(suspended.stdout, 'organization acme is suspended\n');
    const [event] = (await audited('org.suspended')).filter((e) => e.orgId !== e.targetId);
    assert.equal(event?.actorType, 'operator');
    assert.equal(event?.details.reason, 'unpaid');
    const ended = await audited('session.ended');
    assert.ok(
      ended.some((e) => e.details.userId === ada.id),
      "Ada's session ended",
    );
    refused(
      await vigil(['orgs', 'suspend', '--slug', 'acme', '--reason', 'again']),
      1,
      /The organization is already suspended/,
    );
    const listed = JSON.parse((await vigil(['orgs', 'list', '--json'])).stdout);
    const acme = listed.organizations.find((o: { slug: string }) => o.slug === 'acme');
    assert.equal(acme.status, 'suspended');
  });

  it('reactivates, with or without a reason, as JSON', async () => {
    const reactivated = await vigil(['orgs', 'reactivate', '--slug', 'acme', '--json']);
    assert.equal(reactivated.code, 0, reactivated.stderr);
    assert.equal(JSON.parse(reactivated.stdout).organization.status, 'active');
    refused(
      await vigil(['orgs', 'reactivate', '--slug', 'acme', '--reason', 'twice']),
      1,
      /The organization is already active/,
    );
    refused(
      await vigil(['orgs', 'reactivate', '--slug', 'acme', '--name', 'X']),
      2,
      /orgs reactivate does not take --name/,
    );
    const events = await audited('org.reactivated');
    assert.equal(events.length, 2, "in the platform's log and the organization's");
    for (const e of events) assert.equal(e.details.reason, undefined);
  });
});
