import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { operatorActor, withOrg } from '../src/platform/index.ts';
import { type OidcWorld, startAdminApiWorld } from './support/admin-api.ts';
import { cliStore, type Run } from './support/cli.ts';

type Api = Awaited<ReturnType<typeof startAdminApiWorld>>;

const json = <T = Record<string, unknown>>(res: { text: string }) => JSON.parse(res.text) as T;

/**
 * End dates through the admin API and the CLI (docs/lifecycle.md#end-dates, docs/admin-api.md):
 * read with users.read, set and cleared with users.deactivate, audited with before and after; bad
 * input is refused with a specific error and changes nothing; the lifecycle policy is one of the
 * policies the API serves.
 */
describe('end dates and the lifecycle policy through the admin API', () => {
  let world: OidcWorld;
  let call: Api['call'];
  let acme: string;
  let admin: string;
  let auditor: string;
  let userPath: string;

  before(async () => {
    let userWithRole: Api['userWithRole'];
    let tokenFor: Api['tokenFor'];
    ({ world, call, userWithRole, tokenFor } = await startAdminApiWorld());
    acme = world.orgId;
    admin = await tokenFor(await userWithRole(acme, 'admin@acme.test', 'org-admin'));
    auditor = await tokenFor(await userWithRole(acme, 'auditor@acme.test', 'org-auditor'));
    const leaver = await world.auth.createUser(acme, 'leaver@acme.test', 'Correct-Horse-Battery-9');
    userPath = `/orgs/${acme}/users/${leaver.id}/end-date`;
  });
  after(() => world.close());

  const endAtNow = async () => json<{ endAt: string | null }>(await call('GET', userPath, auditor));

  it('sets, reads and clears the date, audited with before and after', async () => {
    assert.deepEqual((await endAtNow()).endAt, null);
    const set = await call('PUT', userPath, admin, { endAt: '2027-03-31T19:00:00+02:00' });
    assert.equal(set.status, 200, set.text);
    assert.equal(json(set).endAt, '2027-03-31T17:00:00.000Z');
    assert.equal((await endAtNow()).endAt, '2027-03-31T17:00:00.000Z');
    const cleared = await call('PUT', userPath, admin, { endAt: null });
    assert.equal(json(cleared).endAt, null);
    const res = await call('GET', `/orgs/${acme}/audit-events?action=user.end_date.set`, auditor);
    const details = json<{ items: { details: unknown }[] }>(res).items.map((e) => e.details);
    assert.deepEqual(details, [
      { before: { endAt: '2027-03-31T17:00:00.000Z' }, after: { endAt: null } },
      { before: { endAt: null }, after: { endAt: '2027-03-31T17:00:00.000Z' } },
    ]);
  });

  it('refuses bad input, a reader, another organization’s user and a deprovisioned user, changing nothing', async () => {
    for (const body of [
      { endAt: 'next friday' },
      { endAt: '2027-03-31T17:00:00' },
      { endAt: 1_800_000_000 },
      { endAt: '2027-03-31T17:00:00Z', reason: 'extra' },
      {},
    ]) {
      const res = await call('PUT', userPath, admin, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    }
    const reader = await call('PUT', userPath, auditor, { endAt: '2027-01-01T00:00:00Z' });
    assert.equal(reader.status, 403);
    assert.equal((await endAtNow()).endAt, null);

    const globex = await world.core.createOrg('globex');
    const stranger = await world.auth.createUser(
      globex,
      'x@globex.test',
      'Correct-Horse-Battery-9',
    );
    const foreign = await call('PUT', `/orgs/${acme}/users/${stranger.id}/end-date`, admin, {
      endAt: '2027-01-01T00:00:00Z',
    });
    assert.equal(foreign.status, 404);
    assert.equal(json(foreign).code, 'user.not_found');

    const gone = await world.auth.createUser(acme, 'gone@acme.test', 'Correct-Horse-Battery-9');
    await withOrg(world.core.database, acme, (tx) =>
      world.auth.lifecycle.deactivate(tx, gone.id, 'deprovisioned', operatorActor, {
        source: 'admin',
      }),
    );
    const late = await call('PUT', `/orgs/${acme}/users/${gone.id}/end-date`, admin, {
      endAt: '2027-01-01T00:00:00Z',
    });
    assert.equal(late.status, 409);
    assert.equal(json(late).code, 'user.deprovisioned');
  });

  it('serves the lifecycle policy like the other kinds: presets, If-Match, a refused value', async () => {
    const path = `/orgs/${acme}/policies/lifecycle`;
    const read = await call('GET', path, auditor);
    assert.deepEqual(json(read), {
      version: 0,
      policy: { dormantDays: null, warnDays: 7, slaHours: 24 },
    });
    const presets = json<{ items: { name: string }[] }>(
      await call('GET', `${path}/presets`, auditor),
    );
    assert.deepEqual(
      presets.items.map((p) => p.name),
      ['soc2-baseline'],
    );
    const etag = String(read.headers.etag);
    const bad = await call(
      'PUT',
      path,
      admin,
      { dormantDays: 400, warnDays: 7, slaHours: 24 },
      { 'if-match': etag },
    );
    assert.equal(bad.status, 400);
    const set = await call('PUT', path, admin, { preset: 'soc2-baseline' }, { 'if-match': etag });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(json(set).policy, { dormantDays: 90, warnDays: 7, slaHours: 24 });
  });
});

/** The exit code is `code`, and stderr says `message`. */
function refused(run: Run, code: 1 | 2, message: RegExp) {
  assert.equal(run.code, code, `${run.stdout}${run.stderr}`);
  assert.match(run.stderr, message);
}

describe('vigil users end-date and vigil lifecycle run', () => {
  const store = cliStore({ migrated: true });
  const { audited, vigil } = store;
  before(async () => {
    await store.open();
    assert.equal((await vigil(['orgs', 'create', '--slug', 'acme', '--name', 'Acme'])).code, 0);
    for (const email of ['ada@acme.test', 'bob@acme.test'])
      assert.equal((await vigil(['users', 'create', '--org', 'acme', '--email', email])).code, 0);
  });
  after(() => store.close());

  it('sets a past end date by email, and one round deprovisions the user', async () => {
    const set = await vigil([
      'users',
      'end-date',
      '--org',
      'acme',
      '--user',
      'Ada@acme.test',
      '--at',
      '2026-01-31T17:00:00Z',
    ]);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /^ada@acme\.test ends on 2026-01-31T17:00:00\.000Z/);
    const [event] = await audited('user.end_date.set');
    assert.equal(event?.actorType, 'operator');
    assert.deepEqual(event?.details.after, { endAt: '2026-01-31T17:00:00.000Z' });

    const round = await vigil(['lifecycle', 'run', '--json']);
    assert.equal(round.code, 0, round.stderr);
    assert.deepEqual(JSON.parse(round.stdout), {
      ran: true,
      deprovisioned: 1,
      warned: 0,
      suspended: 0,
      failed: 0,
    });
    const [deprovisioned] = await audited('user.deprovisioned');
    assert.equal(deprovisioned?.details.source, 'schedule');
    const human = await vigil(['lifecycle', 'run']);
    assert.match(human.stdout, /^deprovisioned \(end date reached\): 0$/m);
  });

  it('clears a date with none, and refuses bad usage naming the option', async () => {
    const at = ['--at', '2030-01-01T00:00:00Z'];
    const bob = ['users', 'end-date', '--org', 'acme', '--user', 'bob@acme.test'];
    assert.equal((await vigil([...bob, ...at])).code, 0);
    const cleared = await vigil([...bob, '--at', 'none']);
    assert.equal(cleared.stdout, 'bob@acme.test has no end date any more\n');
    refused(await vigil([...bob, '--at', 'tomorrow']), 2, /--at must be an ISO date/);
    refused(await vigil([...bob, '--at', '2030-01-01T00:00:00']), 2, /--at must be an ISO date/);
    refused(await vigil(bob), 2, /users end-date needs --at ISO\|none/);
    refused(
      await vigil(['users', 'end-date', '--org', 'acme', '--user', 'nobody@acme.test', ...at]),
      2,
      /--user: there is no user nobody@acme\.test in acme/,
    );
    refused(
      await vigil(['users', 'end-date', '--org', 'nope', '--user', 'bob@acme.test', ...at]),
      2,
      /--org: there is no organization nope/,
    );
    refused(await vigil(['lifecycle', 'run', '--org', 'acme']), 2, /does not take --org/);
    const events = await audited('user.end_date.set');
    assert.equal(events.length, 3, 'set for ada, set and cleared for bob; nothing for refusals');
  });
});
