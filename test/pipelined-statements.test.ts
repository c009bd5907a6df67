import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import { deferStatement, type Tx, withPlatform } from '../src/platform/index.ts';
import {
  asOwner,
  countRoundTrips,
  openTestDatabase,
  type TestDatabase,
  testDatabaseUrl,
} from './support/database.ts';

describe('pipelined statements (docs/architecture.md#pipelined-statements)', () => {
  let test: TestDatabase;
  before(async () => {
    test = await openTestDatabase();
    await asOwner(
      test.database,
      'CREATE TABLE pipeline_probe (id int PRIMARY KEY, note text NOT NULL)',
    );
    await asOwner(test.database, 'GRANT SELECT, INSERT ON pipeline_probe TO vigil_platform');
  });
  after(() => test.close());

  const insert = (tx: Tx, id: number) =>
    deferStatement(
      tx,
      CompiledQuery.raw('INSERT INTO pipeline_probe (id, note) VALUES ($1, $2)', [id, `row ${id}`]),
    );
  const ids = async (tx: Tx, from: number, to: number) =>
    (
      await sql<{ id: number }>`SELECT id FROM pipeline_probe
        WHERE id BETWEEN ${from} AND ${to} ORDER BY id`.execute(tx)
    ).rows.map((r) => r.id);
  const committed = (from: number, to: number) =>
    withPlatform(test.database, (tx) => ids(tx, from, to));

  it('send BEGIN, the scope and deferred writes with the next statement, in their order', async () => {
    await committed(1, 3); // a pooled connection exists (opening one sends its own statements)
    const trips = countRoundTrips();
    let seen: number[];
    try {
      seen = await withPlatform(test.database, async (tx) => {
        await insert(tx, 1);
        await insert(tx, 2);
        const visible = await ids(tx, 1, 3);
        await insert(tx, 3);
        return visible;
      });
    } finally {
      trips.stop();
    }
    assert.deepEqual(seen, [1, 2], 'the read ran after the writes held before it');
    assert.deepEqual(await committed(1, 3), [1, 2, 3]);
    // PostgreSQL: the SELECT (carrying BEGIN, SET ROLE and two inserts), then the COMMIT
    // (carrying the third). PGlite runs each statement at once, in process.
    if (testDatabaseUrl) assert.equal(trips.count(), 2);
  });

  it('fail the COMMIT with a deferred write’s error and commit nothing', async () => {
    await assert.rejects(
      withPlatform(test.database, async (tx) => {
        await insert(tx, 10);
        await insert(tx, 11);
        await insert(tx, 10);
      }),
      (err: { code?: string }) => err.code === '23505',
    );
    assert.deepEqual(await committed(10, 11), []);
  });

  it('fail the statement that carries a failing write, roll back, and leave the connection clean', async () => {
    await assert.rejects(
      withPlatform(test.database, async (tx) => {
        await insert(tx, 20);
        await insert(tx, 20);
        return ids(tx, 20, 20);
      }),
      (err: { code?: string }) => err.code === '23505',
    );
    // A ROLLBACK carrying a failing write is skipped with it; the transaction still ends.
    await assert.rejects(
      withPlatform(test.database, async (tx) => {
        await insert(tx, 21);
        await insert(tx, 21);
        throw new Error('the caller gave up');
      }),
      testDatabaseUrl ? /the caller gave up/ : /duplicate key/,
    );
    // Every pooled connection is usable and outside any transaction: nothing held back leaks.
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => withPlatform(test.database, (tx) => insert(tx, 30 + i))),
    );
    assert.deepEqual(await committed(20, 21), []);
    assert.equal((await committed(30, 41)).length, 12);
  });
});
