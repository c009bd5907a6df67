import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cliStore } from './support/cli.ts';

/**
 * `vigil reviews run` (docs/reviews.md#schedules-reminders-and-escalation): one round of the
 * access review schedule now, what it did in words or JSON; a second round launches nothing.
 */
describe('vigil reviews run', () => {
  const store = cliStore({ migrated: true });
  const { owner, vigil } = store;
  before(async () => {
    await store.open();
    assert.equal((await vigil(['orgs', 'create', '--slug', 'acme', '--name', 'Acme'])).code, 0);
  });
  after(() => store.close());

  it('launches each organization’s scheduled campaigns once, and says so', async () => {
    const round = await vigil(['reviews', 'run', '--json']);
    assert.equal(round.code, 0, round.stderr);
    const report = JSON.parse(round.stdout);
    const campaigns = (await owner(
      `SELECT c.name, o.slug AS org_slug FROM review_campaigns c
       JOIN organizations o ON o.id = c.org_id ORDER BY c.name`,
    )) as { name: string; org_slug: string }[];
    assert.deepEqual(report, {
      ran: true,
      launched: campaigns.length,
      reminded: 0,
      escalated: 0,
      closed: 0,
      failed: 0,
    });
    const year = new Date().getUTCFullYear();
    const quarter = Math.floor(new Date().getUTCMonth() / 3) + 1;
    assert.deepEqual(
      campaigns.filter((c) => c.org_slug === 'acme').map((c) => c.name),
      [`All access review ${year}`, `Privileged access review ${year} Q${quarter}`],
    );

    const again = await vigil(['reviews', 'run']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^campaigns launched: 0$/m);
    assert.match(again.stdout, /^campaigns closed by the schedule: 0$/m);
    const refused = await vigil(['reviews', 'run', '--org', 'acme']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /does not take --org/);
  });
});
