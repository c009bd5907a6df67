import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withOrg, withPlatform } from '../src/platform/index.ts';
import { type ScimWorld, scimPeople, startScimWorld } from './support/scim.ts';
import { patchOp } from './support/scim-directories.ts';

const vigilUser = 'urn:ietf:params:scim:schemas:extension:vigil:2.0:User';

/**
 * The HR directory's end date (docs/lifecycle.md#end-dates): Vigil's SCIM user extension
 * `endDate` is the end date the schedule acts on, from a create or a PATCH, exactly as one set
 * through the admin API.
 */
describe('an end date from the directory', () => {
  let world: ScimWorld;
  const people = scimPeople();
  before(async () => {
    world = await startScimWorld();
  });
  after(() => world.close());

  const created = async (endDate: string | null) => {
    const res = await world.scim('POST', '/Users', people.body({ [vigilUser]: { endDate } }));
    assert.equal(res.status, 201, res.text);
    return String((res.json() as { id: string }).id);
  };
  const recordsOf = (userId: string) =>
    withPlatform(world.core.database, (tx) =>
      tx.selectFrom('deprovisionings').selectAll().where('user_id', '=', userId).execute(),
    );

  it('deprovisions at the date the directory sent, as the schedule, requested at that date', async () => {
    const past = '2026-01-31T17:00:00Z';
    const leaver = await created(past);
    const stayer = await created('2099-12-31T17:00:00Z');
    const endDateRead = await withOrg(world.core.database, world.orgs.acme, (tx) =>
      world.services.lifecycleSchedule.endDate(tx, leaver),
    );
    assert.equal(endDateRead?.toISOString(), '2026-01-31T17:00:00.000Z');

    const round = await world.services.lifecycleSchedule.runRound();
    assert.equal(round.deprovisioned, 1);
    assert.equal((await world.stored(leaver)).status, 'deprovisioned');
    const [record] = await recordsOf(leaver);
    assert.equal(record?.source, 'schedule');
    assert.equal(record?.requested_at.toISOString(), '2026-01-31T17:00:00.000Z');
    // Deprovisioned users are gone for the directory.
    assert.equal((await world.scim('GET', `/Users/${leaver}`)).status, 404);
    assert.equal((await world.stored(stayer)).status, 'active');
    assert.deepEqual(await recordsOf(stayer), []);
  });

  it('acts on a date the directory moves into the past with a PATCH', async () => {
    const user = await created(null);
    assert.equal((await world.services.lifecycleSchedule.runRound()).deprovisioned, 0);
    const patched = await world.scim('PATCH', `/Users/${user}`, {
      schemas: [patchOp],
      Operations: [{ op: 'replace', path: `${vigilUser}:endDate`, value: '2026-02-01T00:00:00Z' }],
    });
    assert.equal(patched.status, 200, patched.text);
    assert.equal((await world.services.lifecycleSchedule.runRound()).deprovisioned, 1);
    assert.equal((await world.stored(user)).status, 'deprovisioned');
  });
});
