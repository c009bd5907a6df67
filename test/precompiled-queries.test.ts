import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { precompiled, withPlatform } from '../src/platform/index.ts';
import { openTestDatabase, type TestDatabase } from './support/database.ts';

describe('precompiled queries', () => {
  let test: TestDatabase;
  before(async () => {
    test = await openTestDatabase();
    await withPlatform(test.database, (tx) =>
      tx
        .insertInto('oidc_models')
        .values(
          ['a', 'b', "x' OR '1'='1"].map((id) => ({
            model: 'Test',
            id,
            payload: JSON.stringify({ id }),
            grant_id: null,
            uid: null,
            user_code: null,
            account_id: null,
            expires_at: null,
            consumed_at: null,
          })),
        )
        .execute(),
    );
  });
  after(() => test.close());

  let compiles = 0;
  const byId = precompiled(['id'], (db, p) => {
    compiles++;
    // 'Test' is a constant of the query; only `id` changes from run to run.
    return db
      .selectFrom('oidc_models')
      .select('id')
      .where('model', '=', 'Test')
      .where('id', '=', p.id);
  });
  const ids = (id: string) =>
    withPlatform(test.database, async (tx) => (await byId(tx, { id })).map((r) => r.id));

  it('compile once and bind each run’s values, never splicing them into the SQL', async () => {
    assert.deepEqual(await ids('a'), ['a']);
    assert.deepEqual(await ids('b'), ['b']);
    assert.deepEqual(await ids('missing'), []);
    // Spliced, this would match every row; bound, it matches only the row with that very id.
    assert.deepEqual(await ids("x' OR '1'='1"), ["x' OR '1'='1"]);
    assert.deepEqual(await ids("' OR ''='"), []);
    assert.equal(compiles, 1);
  });

  it('refuse a query that does not bind every named value', async () => {
    const forgetful = precompiled(['id', 'model'], (db, p) =>
      db.selectFrom('oidc_models').select('id').where('id', '=', p.id),
    );
    await assert.rejects(
      withPlatform(test.database, (tx) => forgetful(tx, { id: 'a', model: 'Test' })),
      /does not bind model/,
    );
  });
});
