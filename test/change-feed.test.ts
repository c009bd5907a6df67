import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import {
  type ChangeFeed,
  createLogger,
  type Database,
  fixedClock,
  openChangeFeed,
  openDatabase,
  operatorActor,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { createSessionService } from '../src/sessions/index.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { testDatabaseUrl } from './support/database.ts';

const logger = createLogger('silent');

/** Waits until `check` holds, for one second at most (the multi-node promise of issue 19). */
async function within1s(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 1000;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `${what} did not happen within one second`);
    await sleep(10);
  }
}

/**
 * "Nodes" over one database: on PostgreSQL each has its own pool and listening connection, as
 * separate processes would; on PGlite (one process by nature) they share the instance.
 */
describe('change feed: a change reaches every node once it commits', () => {
  let core: TestCore;
  let otherDatabase: Database;
  let nodeA: ChangeFeed;
  let nodeB: ChangeFeed;
  let orgId: string;

  before(async () => {
    core = await openTestCore();
    orgId = await core.createOrg('feed');
    const url = core.testDb.ownerUrl;
    otherDatabase = url
      ? await openDatabase({ databaseUrl: url, dataDir: 'unused', poolSize: 2 })
      : core.database;
    nodeA = core.changes;
    nodeB = await openChangeFeed(otherDatabase, logger);
  });
  after(async () => {
    await nodeB.close();
    if (otherDatabase !== core.database) await otherDatabase.close();
    await core.close();
  });

  test('committed: every subscriber of the topic hears the key; rolled back: nobody', async () => {
    const heardA: (string | undefined)[] = [];
    const heardB: (string | undefined)[] = [];
    const otherTopic: (string | undefined)[] = [];
    nodeA.subscribe('test.thing', (key) => heardA.push(key));
    nodeB.subscribe('test.thing', (key) => heardB.push(key));
    nodeB.subscribe('test.other', (key) => otherTopic.push(key));

    await assert.rejects(
      withOrg(core.database, orgId, async (tx) => {
        await nodeA.publish(tx, 'test.thing', 'rolled-back');
        throw new Error('abandoned');
      }),
      /abandoned/,
    );
    await withOrg(core.database, orgId, async (tx) => {
      await nodeA.publish(tx, 'test.thing', 'k1');
      // Not before the commit: another node must not drop its cache and reread the old row.
      await sleep(50);
      assert.deepEqual(heardB, []);
    });
    // This node hears it before the transaction's call returns.
    assert.deepEqual(heardA, ['k1']);
    await within1s(() => heardB.length > 0, 'node B hearing k1');
    await sleep(100);
    assert.deepEqual(heardB, ['k1']);
    assert.deepEqual(otherTopic, []);
  });

  test('a policy changed on one node applies on the other at once, not after its cache time', async () => {
    // A frozen clock: the five-second cache never expires by itself here.
    const clock = fixedClock(new Date());
    const node = (changes?: ChangeFeed) =>
      createSessionService({ audit: core.audit.record, clock, database: core.database, changes });
    const [a, b, deaf] = [node(nodeA), node(nodeB), node()];
    const read = (service: typeof a) =>
      withOrg(core.database, orgId, (tx) => service.policy(tx, orgId));
    for (const service of [a, b, deaf]) assert.equal((await read(service)).policy.idleMinutes, 30);

    await withOrg(core.database, orgId, (tx) =>
      a.setPolicy(tx, orgId, { absoluteHours: 8, idleMinutes: 15 }, operatorActor),
    );
    assert.equal((await read(a)).policy.idleMinutes, 15);
    await within1s(async () => (await read(b)).policy.idleMinutes === 15, 'node B seeing it');
    // Without the feed a node keeps what it read: the cache above is real.
    assert.equal((await read(deaf)).policy.idleMinutes, 30);
  });

  test('a lost listening connection comes back, and its subscribers are told to forget everything', {
    skip: testDatabaseUrl ? false : 'PostgreSQL only: PGlite has no connection to lose',
  }, async () => {
    const heard: (string | undefined)[] = [];
    nodeB.subscribe('test.gap', (key) => heard.push(key));
    const owner = new pg.Client({ connectionString: core.testDb.ownerUrl });
    await owner.connect();
    try {
      const { rowCount } = await owner.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND query LIKE 'LISTEN%'`,
      );
      assert.ok((rowCount ?? 0) >= 2, 'both nodes listen on a connection of their own');
    } finally {
      await owner.end();
    }
    await within1s(() => heard.includes(undefined), 'the gap being reported');
    await withPlatform(core.database, (tx) => nodeA.publish(tx, 'test.gap', 'after'));
    await within1s(() => heard.includes('after'), 'a change after the gap arriving');
  });
});
